"""Predictor: JSON in, JSON out, around a trained model and its dataset reader.

It builds instances with the reader's `text_to_instance`, the same code that built the training data,
so what the model sees at prediction time is made exactly as it was in training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, List, Optional, Union

from swapnlp.common import JsonDict
from swapnlp.common.errors import ConfigurationError, InputError
from swapnlp.common.registry import Registrable
from swapnlp.common.from_params import Supplied
from swapnlp.data import DatasetReader, Instance
from swapnlp.models import Model
from swapnlp.nn.precision import Precision, choose_precision
from swapnlp.predictors.request import first_problem, request_model


class Predictor(Registrable):
    """Subclasses say which JSON fields they read (`input_fields`) and implement `_json_to_instance`."""

    input_fields: ClassVar[List[str]] = []

    def __init__(self, model: Supplied[Model], dataset_reader: Supplied[DatasetReader], autocast: Optional[str] = "auto") -> None:
        self.model = model.eval()
        self.dataset_reader = dataset_reader
        self.autocast = autocast  # "auto": bf16 where the device has bf16 units, fp32 elsewhere (nn/precision.py)
        self._precision: Optional[Precision] = None

    @property
    def precision(self) -> Precision:
        """The precision predictions run in: chosen (and logged) once, from `autocast`, on first use."""
        if getattr(self, "_precision", None) is None:
            self._precision = choose_precision(getattr(self, "autocast", "auto"), self.model.device(),
                                               where="--autocast")
        return self._precision

    @property
    def _dataset_reader(self) -> DatasetReader:
        """The same reader as `dataset_reader`, under the name AllenNLP's guide code uses."""
        return self.dataset_reader

    def _json_to_instance(self, inputs: JsonDict) -> Instance:
        raise NotImplementedError

    def validate(self, inputs: Any) -> JsonDict:
        """Check a request against the predictor's request model (predictors/request.py): an object with every
        input field, each a non-blank string. A problem is an InputError naming the field."""
        found = first_problem(request_model(tuple(self.input_fields)), inputs, self.input_fields)
        if found is not None:
            raise InputError(found.message, found.field)
        return inputs

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        return self.predict_validated_json([self.validate(item) for item in inputs])

    def predict_validated_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        """Predictions for inputs already checked against the request model (the server's FastAPI did)."""
        instances = [self._json_to_instance(item) for item in inputs]
        with self.precision.autocast(self.model.device()):
            outputs = self.model.forward_on_instances(instances)
        return [self.format_output(output) for output in outputs]

    def format_output(self, output: JsonDict) -> JsonDict:
        """Turn the model's per-instance output into the JSON the user sees (default: unchanged)."""
        return output

    @classmethod
    def from_archive(cls, archive: Any, predictor_name: Optional[str] = None,
                     autocast: Optional[str] = "auto") -> "Predictor":
        """The predictor `predictor_name` (default: the model's own) around an Archive's model and reader;
        `autocast` picks the precision ("auto": bf16 only where the hardware has it)."""
        name = predictor_name or type(archive.model).default_predictor
        if name is None:
            raise ConfigurationError(f"{type(archive.model).__name__} names no default predictor: pass --predictor "
                                     f"(available: {', '.join(Predictor.list_available())}).")
        predictor = Predictor.by_name(name)(archive.model, archive.validation_dataset_reader)
        predictor.autocast = autocast  # set here: a learner's subclass may not pass autocast on to __init__
        _ = predictor.precision  # chosen and logged now, not at the first request
        return predictor

    @classmethod
    def from_path(cls, archive_path: Union[str, Path], predictor_name: Optional[str] = None,
                  cuda_device: int = -1, autocast: Optional[str] = "auto") -> "Predictor":
        from swapnlp.archive import load_archive

        return cls.from_archive(load_archive(archive_path, cuda_device=cuda_device), predictor_name, autocast)
