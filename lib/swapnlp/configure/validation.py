"""Does each chosen component build? The wizard asks the real `from_params`, as `swapnlp train` would.

    find_problems(choices.root)   # -> {"model.encoder": 'missing required key "model.encoder.num_filters" ...'}

A component needs things only a training run has (the vocabulary, the model's parameters, a data file): its
constructor hints those `Supplied[...]`, and each gets a small stand-in of the hinted type here: a vocabulary
of a few words and the labels neg/pos, a model with one weight matrix, a two-line data file. What from_params says about the config itself -- a
missing key, a wrong type, an embedder and an encoder of different sizes, a GPU that is not there -- is
exactly what training would say. A component is only built once its parts build (so each problem is
reported once, at the deepest place), and built results are remembered, so re-checking is cheap.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import UNION_TYPES, VOCAB, constructor_parameters
from swapnlp.configure.slots import Slot, config_of, groups, walk

_built: Dict[Tuple[str, str], Tuple[Any, str]] = {}  # (kind, config json) -> (object or None, problem)
_CACHE_SIZE = 128


def find_problems(root: Slot) -> Dict[str, str]:
    """{path: problem} for every chosen component under the config's `root` that does not build, plus
    config-wide problems ("")."""
    problems: Dict[str, str] = {}
    for parameter in root.parameters:
        if parameter.required and parameter.kind == "value" and parameter.name not in root.values:
            problems[""] = f'"{parameter.name}" is required ({parameter.type_text}).'
    for slot in reversed(walk(root)[1:]):  # the deepest first
        if slot.name is None:
            continue
        if any(other.startswith(slot.path + ".") for other in problems):
            continue  # a part of it is wrong: that is the problem to fix first
        _, problem = build(slot)
        if problem:
            problems[slot.path] = problem
    mismatch = _name_mismatch(root)
    if mismatch and "" not in problems:
        problems[""] = mismatch
    return dict(sorted(problems.items()))


def build(slot: Slot) -> Tuple[Any, str]:
    """(the built component or None, "" or what from_params said) for `slot` and everything under it."""
    config = config_of(slot)
    key = (slot.base.__name__, slot.path, json.dumps(config, sort_keys=True))
    if key not in _built:
        if len(_built) >= _CACHE_SIZE:
            _built.pop(next(iter(_built)))
        _built[key] = _build(slot, config)
    return _built[key]


def output_dim_of(slot: Slot) -> Any:
    """The output size of the component at `slot` (an embedder, say), or None when it does not build."""
    built, _ = build(slot)
    try:
        return built.get_output_dim() if built is not None else None
    except Exception:
        return None


def _build(slot: Slot, config: Dict[str, Any]) -> Tuple[Any, str]:
    from swapnlp.common.params import Params

    try:
        extras = _stand_ins(slot.info.cls, slot.info.constructor) if slot.info is not None else {}
        return slot.base.from_params(Params(config, history=f"{slot.path}."), **extras), ""
    except ConfigurationError as error:
        return None, str(error)
    except Exception as error:  # a constructor's own check (ValueError, OSError, ...): still one line
        return None, f"{type(error).__name__}: {error}"


def _stand_ins(cls: type, constructor: Optional[str]) -> Dict[str, Any]:
    """A small stand-in for each parameter the constructor hints Supplied[...] and needs (no default), and the
    vocabulary, which from_params hands down to every part inside (an embedding sizes itself by it)."""
    extras: Dict[str, Any] = {VOCAB: _vocabulary()}
    for parameter in constructor_parameters(cls, constructor):
        if parameter.supplied and parameter.required:
            value = stand_in(parameter.annotation)
            if value is not None:
                extras[parameter.name] = value
    return extras


def stand_in(annotation: Any) -> Any:
    """A small object of the hinted type, as a training run would supply it (None: no stand-in known)."""
    import collections.abc
    import typing

    import torch

    from swapnlp.data import ClassificationTsvReader, DataLoader, DatasetReader, SimpleDataLoader, Vocabulary
    from swapnlp.models import Model

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in UNION_TYPES:
        options = [stand_in(option) for option in args if option is not type(None)]
        return next((option for option in options if option is not None), None)
    if origin in (list, collections.abc.Sequence, collections.abc.Iterable):  # instances, named parameters
        named = args and typing.get_origin(args[0]) is tuple
        return [("weight", torch.nn.Parameter(torch.zeros(2, 2)))] if named else []
    stand_ins = {Vocabulary: _vocabulary, DatasetReader: ClassificationTsvReader, str: _data_file, int: lambda: 2,
                 DataLoader: lambda: SimpleDataLoader([]), Model: _model,
                 torch.optim.Optimizer: lambda: torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)}
    return next((make() for kind, make in stand_ins.items() if annotation is kind), None)


def _model() -> Any:
    import torch

    from swapnlp.models import Model

    class StandInModel(Model):
        def __init__(self) -> None:
            super().__init__(_vocabulary())
            self.linear = torch.nn.Linear(2, 2)

    return StandInModel()


@lru_cache(maxsize=1)
def _vocabulary() -> Any:
    from swapnlp.data import Vocabulary

    return Vocabulary(counter={"tokens": {"a": 3, "good": 2, "bad": 2, "film": 2}, "labels": {"neg": 1, "pos": 1}})


@lru_cache(maxsize=1)
def _data_file() -> str:
    folder = Path(tempfile.mkdtemp(prefix="swapnlp-wizard-"))
    (folder / "stand-in.tsv").write_text("a good film\tpos\na bad film\tneg\n", encoding="utf-8")
    return str(folder / "stand-in.tsv")


def _name_mismatch(root: Slot) -> str:
    """Token indexers and token embedders are paired by name: their names must be the same."""
    from swapnlp.data import TokenIndexer
    from swapnlp.modules import TokenEmbedder

    named = {group.base: group for group in groups(root) if group.entries}
    indexers, embedders = named.get(TokenIndexer), named.get(TokenEmbedder)
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
