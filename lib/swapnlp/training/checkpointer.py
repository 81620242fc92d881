"""Checkpoints: the whole training state after each epoch, so `--recover` can resume a run.

`checkpoint.pt` (model, optimizer, scheduler, counters, random states) and `best.safetensors` (the best
weights so far) live in the serialization folder, each written atomically: an interruption mid-write
leaves the previous file intact.

Writing happens on a background thread, so the next epoch starts while the last one is saved: the
state is first copied (a fast memory copy), then serialised and flushed to disk behind the training.
`wait()` blocks until every write has landed and re-raises a write that failed.

A checkpoint holds tensors and plain Python data only (numbers, strings, lists, tuples, dicts), so it loads
with `torch.load(weights_only=True)`: a planted `checkpoint.pt` that would run code when unpickled is refused.
Temporary files that a killed writer left in the folder are removed when a Checkpointer opens it.
"""

from __future__ import annotations

import pickle
import re
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import torch
from swapnlp.common.atomic import atomic_path, remove_stale_temporaries
from swapnlp.common.errors import ConfigurationError
from swapnlp.nn.weights import save_weights, snapshot

CHECKPOINT_NAME = "checkpoint.pt"
BEST_WEIGHTS_NAME = "best.safetensors"


class Checkpointer:
    def __init__(self, serialization_dir: Path, background: bool = True) -> None:
        from swapnlp.training import distributed  # the workers of a run share the folder: rank 0 tidies it

        self.directory = Path(serialization_dir)
        if distributed.is_primary():
            remove_stale_temporaries(self.directory)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint") if background else None
        self._pending: List[Future] = []

    def _write(self, function: Callable[..., None], *args: Any) -> None:
        if self._writer is None:
            function(*args)
        else:
            self._pending.append(self._writer.submit(function, *args))

    def wait(self) -> None:
        """Block until all writes are on disk; raise the error of a write that failed."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def save_checkpoint(self, state: Dict[str, Any]) -> None:
        self._write(_save_torch, plain_data(snapshot(state)), self.directory / CHECKPOINT_NAME)

    def load_checkpoint(self) -> Optional[Dict[str, Any]]:
        self.wait()
        path = self.directory / CHECKPOINT_NAME
        return load_checkpoint_file(path) if path.exists() else None

    def save_best_weights(self, state_dict: Dict[str, torch.Tensor]) -> None:
        self._write(save_weights, snapshot(state_dict), self.directory / BEST_WEIGHTS_NAME)

    def best_weights_path(self) -> Path:
        self.wait()
        return self.directory / BEST_WEIGHTS_NAME


def plain_data(state: Any, where: str = "checkpoint") -> Any:
    """`state` as tensors and plain Python data, which `torch.load(weights_only=True)` accepts: numpy
    numbers and arrays become Python numbers and tensors, paths become strings; anything else is an error."""
    if state is None or isinstance(state, (bool, int, float, str, bytes, torch.Tensor, torch.Size)):
        return state
    if isinstance(state, dict):  # an OrderedDict (a state_dict) stays one, with its _metadata
        plain = type(state)((key, plain_data(value, f"{where}[{key!r}]")) for key, value in state.items())
        if hasattr(state, "_metadata"):
            plain._metadata = state._metadata  # type: ignore[attr-defined]
        return plain
    if isinstance(state, (list, tuple, set)):
        return type(state)(plain_data(value, f"{where}[{index}]") for index, value in enumerate(state))
    if type(state).__module__ == "numpy":
        return state.item() if getattr(state, "ndim", 1) == 0 else torch.from_numpy(state.copy())
    if isinstance(state, Path):
        return str(state)
    raise TypeError(f"{where} holds a {type(state).__module__}.{type(state).__qualname__}: a checkpoint keeps "
                    f"tensors and plain data only (numbers, strings, lists, tuples, dicts); convert it in state_dict().")


def load_checkpoint_file(path: Path) -> Dict[str, Any]:
    """A checkpoint's state, unpickled with weights_only=True: a file that holds anything but tensors and plain
    data (and so could run code when loaded) is refused with one line, never executed."""
    try:
        with warnings.catch_warnings():  # torch warns about odd pickle protocols before refusing them
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        found = re.search(r"GLOBAL ([\w.]+)", str(error))
        what = f"code ({found.group(1)})" if found else "objects other than tensors and plain data"
        raise ConfigurationError(f"{path} is not a swapnlp checkpoint: it refers to {what}, and unpickling it "
                                 f"could run code, so it is not loaded. Delete it and train again with "
                                 f"--force.") from None
    except (RuntimeError, EOFError, OSError, ValueError) as error:
        reason = str(error).strip().split(". ")[0].splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigurationError(f"{path} is not a readable checkpoint ({reason}): it may be truncated or "
                                 f"corrupted. Delete it and train again with --force.") from None
    if not isinstance(state, dict):
        raise ConfigurationError(f"{path} holds a {type(state).__name__}, not a training checkpoint (a dict).")
    return state


def _save_torch(state: Dict[str, Any], path: Path) -> None:
    with atomic_path(path) as temporary:
        torch.save(state, temporary)
