"""Shared machinery: the registry, configuration (Params) and building objects from configs."""

from typing import Any, Dict

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.common.params import Params
from swapnlp.common.from_params import Lazy, construct

JsonDict = Dict[str, Any]  # a JSON object: what predictors read and return (AllenNLP guide: `common.JsonDict`)

__all__ = ["JsonDict", "ConfigurationError", "Registrable", "Params", "Lazy", "construct"]
