"""Shared machinery: the registry, configuration (Params) and building objects from configs."""

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.common.params import Params
from swapnlp.common.from_params import Lazy, construct

__all__ = ["ConfigurationError", "Registrable", "Params", "Lazy", "construct"]
