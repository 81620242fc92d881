"""Checkpoints: the whole training state after each epoch, so `--recover` can resume a run.

`checkpoint.pt` (model, optimizer, scheduler, counters, random states) and `best.safetensors` (the best
weights so far) live in the serialization folder, each written atomically: an interruption mid-write
leaves the previous file intact.

Writing happens on a background thread, so the next epoch starts while the last one is saved: the
state is first copied (a fast memory copy), then serialised and flushed to disk behind the training.
`wait()` blocks until every write has landed and re-raises a write that failed.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import torch
from safetensors.torch import load_file, save_file

from swapnlp.common.atomic import atomic_path

CHECKPOINT_NAME = "checkpoint.pt"
BEST_WEIGHTS_NAME = "best.safetensors"


class Checkpointer:
    def __init__(self, serialization_dir: Path, background: bool = True) -> None:
        self.directory = Path(serialization_dir)
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
        self._write(_save_torch, snapshot(state), self.directory / CHECKPOINT_NAME)

    def load_checkpoint(self) -> Optional[Dict[str, Any]]:
        self.wait()
        path = self.directory / CHECKPOINT_NAME
        return torch.load(path, map_location="cpu", weights_only=False) if path.exists() else None

    def save_best_weights(self, state_dict: Dict[str, torch.Tensor]) -> None:
        self._write(save_weights, snapshot(state_dict), self.directory / BEST_WEIGHTS_NAME)

    def best_weights_path(self) -> Path:
        self.wait()
        return self.directory / BEST_WEIGHTS_NAME


def snapshot(state: Any) -> Any:
    """A copy of `state` whose tensors (on the CPU) no longer change when training goes on."""
    if isinstance(state, torch.Tensor):
        return state.detach().to("cpu", copy=True)
    if isinstance(state, dict):
        return {key: snapshot(value) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(snapshot(value) for value in state)
    return state


def _save_torch(state: Dict[str, Any], path: Path) -> None:
    with atomic_path(path) as temporary:
        torch.save(state, temporary)


def save_weights(state_dict: Dict[str, torch.Tensor], path: Path) -> None:
    """Write a state dict as safetensors, atomically (tied/shared tensors are stored once each)."""
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in snapshot(state_dict).items()}
    with atomic_path(path) as temporary:
        save_file(tensors, str(temporary))


def load_weights(path: Path) -> Dict[str, torch.Tensor]:
    return load_file(str(path))
