"""Does each chosen component build? The wizard asks the real `from_params`, as `swapnlp train` would.

    find_problems(choices)   # -> {"model.encoder": 'missing required key "model.encoder.num_filters" ...'}

A component needs things only a training run has (the vocabulary, the model's parameters, a data file),
so it is built here with small stand-ins: a vocabulary of a few words and the labels neg/pos, a model
with one weight matrix, a two-line data file. What from_params says about the config itself -- a
missing key, a wrong type, an embedder and an encoder of different sizes, a GPU that is not there -- is
exactly what training would say. A component is only built once its parts build (so each problem is
reported once, at the deepest place), and built results are remembered, so re-checking is cheap.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Tuple

from swapnlp.common.errors import ConfigurationError

if TYPE_CHECKING:
    from swapnlp.configure.choices import ConfigChoices, Slot

_built: Dict[Tuple[str, str], Tuple[Any, str]] = {}  # (kind, config json) -> (object or None, problem)
_CACHE_SIZE = 128


def find_problems(choices: "ConfigChoices") -> Dict[str, str]:
    """{path: problem} for every chosen component that does not build, plus config-wide problems ("")."""
    problems: Dict[str, str] = {}
    for parameter in choices.root.parameters:
        if parameter.required and parameter.kind == "value" and parameter.name not in choices.root.values:
            problems[""] = f'"{parameter.name}" is required ({parameter.type_text}).'
    for slot in reversed(choices.components()[1:]):  # the deepest first
        if slot.name is None:
            continue
        if any(other.startswith(slot.path + ".") for other in problems):
            continue  # a part of it is wrong: that is the problem to fix first
        _, problem = build(slot)
        if problem:
            problems[slot.path] = problem
    mismatch = _name_mismatch(choices)
    if mismatch and "" not in problems:
        problems[""] = mismatch
    return dict(sorted(problems.items()))


def build(slot: "Slot") -> Tuple[Any, str]:
    """(the built component or None, "" or what from_params said) for `slot` and everything under it."""
    from swapnlp.configure.choices import _config_of

    config = _config_of(slot)
    key = (slot.base.__name__, slot.path, json.dumps(config, sort_keys=True))
    if key not in _built:
        if len(_built) >= _CACHE_SIZE:
            _built.pop(next(iter(_built)))
        _built[key] = _build(slot.base, config, slot.path)
    return _built[key]


def output_dim_of(slot: "Slot") -> Any:
    """The output size of the component at `slot` (an embedder, say), or None when it does not build."""
    built, _ = build(slot)
    try:
        return built.get_output_dim() if built is not None else None
    except Exception:
        return None


def _build(base: type, config: Dict[str, Any], path: str) -> Tuple[Any, str]:
    from swapnlp.common.params import Params

    try:
        return base.from_params(Params(config, history=f"{path}."), **_stand_ins(base.__name__)), ""
    except ConfigurationError as error:
        return None, str(error)
    except Exception as error:  # a constructor's own check (ValueError, OSError, ...): still one line
        return None, f"{type(error).__name__}: {error}"


def _stand_ins(kind: str) -> Dict[str, Any]:
    """The run-time objects a component of `kind` gets from the training pipeline, made small."""
    import torch

    from swapnlp.data import ClassificationTsvReader, SimpleDataLoader
    from swapnlp.models import Model

    extras: Dict[str, Any] = {"vocab": _vocabulary()}
    if kind == "Optimizer":
        extras["model_parameters"] = [("weight", torch.nn.Parameter(torch.zeros(2, 2)))]
    elif kind == "LearningRateScheduler":
        extras.update(optimizer=torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1), num_epochs=2,
                      num_steps_per_epoch=2)
    elif kind == "DataLoader":
        extras.update(reader=ClassificationTsvReader(), data_path=_data_file())
    elif kind == "Vocabulary":
        extras["instances"] = []
    elif kind == "Trainer":
        class StandInModel(Model):
            def __init__(self) -> None:
                super().__init__(_vocabulary())
                self.linear = torch.nn.Linear(2, 2)

        extras.update(model=StandInModel(), data_loader=SimpleDataLoader([]), serialization_dir=None)
    return extras


@lru_cache(maxsize=1)
def _vocabulary() -> Any:
    from swapnlp.data import Vocabulary

    return Vocabulary(counter={"tokens": {"a": 3, "good": 2, "bad": 2, "film": 2}, "labels": {"neg": 1, "pos": 1}})


@lru_cache(maxsize=1)
def _data_file() -> str:
    folder = Path(tempfile.mkdtemp(prefix="swapnlp-wizard-"))
    (folder / "stand-in.tsv").write_text("a good film\tpos\na bad film\tneg\n", encoding="utf-8")
    return str(folder / "stand-in.tsv")


def _name_mismatch(choices: "ConfigChoices") -> str:
    """Token indexers and token embedders are paired by name: their names must be the same."""
    groups = {group.base.__name__: group for group in choices.groups() if group.entries}
    indexers, embedders = groups.get("TokenIndexer"), groups.get("TokenEmbedder")
    if indexers is None or embedders is None or set(indexers.entries) == set(embedders.entries):
        return ""
    return (f"{indexers.path} are named {sorted(indexers.entries)} but {embedders.path} {sorted(embedders.entries)}: "
            f"each token indexer's output goes to the token embedder of the same name, so use the same names.")


def available_devices() -> Dict[int, str]:
    """{-1: "CPU", 0: "GPU 0: <its name>", ...}: the devices this machine can train on."""
    import torch

    devices = {-1: "CPU"}
    for index in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        devices[index] = f"GPU {index}: {torch.cuda.get_device_name(index)}"
    return devices
