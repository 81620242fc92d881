"""Checkpoints: the whole training state after each epoch, so `--recover` can resume a run.

`checkpoint.pt` (model, optimizer, scheduler, counters, random states) and `best.safetensors` (the best
weights so far) live in the serialization folder, each written atomically: an interruption mid-write
leaves the previous file intact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import torch
from safetensors.torch import load_file, save_file

from swapnlp.common.atomic import atomic_path

CHECKPOINT_NAME = "checkpoint.pt"
BEST_WEIGHTS_NAME = "best.safetensors"


class Checkpointer:
    def __init__(self, serialization_dir: Path) -> None:
        self.directory = Path(serialization_dir)

    def save_checkpoint(self, state: Dict[str, Any]) -> None:
        with atomic_path(self.directory / CHECKPOINT_NAME) as temporary:
            torch.save(state, temporary)

    def load_checkpoint(self) -> Optional[Dict[str, Any]]:
        path = self.directory / CHECKPOINT_NAME
        return torch.load(path, map_location="cpu", weights_only=False) if path.exists() else None

    def save_best_weights(self, state_dict: Dict[str, torch.Tensor]) -> None:
        save_weights(state_dict, self.directory / BEST_WEIGHTS_NAME)

    def best_weights_path(self) -> Path:
        return self.directory / BEST_WEIGHTS_NAME


def save_weights(state_dict: Dict[str, torch.Tensor], path: Path) -> None:
    """Write a state dict as safetensors, atomically (tied/shared tensors are stored once each)."""
    tensors = {name: tensor.detach().cpu().contiguous().clone() for name, tensor in state_dict.items()}
    with atomic_path(path) as temporary:
        save_file(tensors, str(temporary))


def load_weights(path: Path) -> Dict[str, torch.Tensor]:
    return load_file(str(path))
