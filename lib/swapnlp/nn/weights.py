"""Weights on disk: a state dict as safetensors (no pickle), and a snapshot that training no longer changes.

    save_weights(model.state_dict(), path)     # atomically
    model.load_state_dict(load_weights(path))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from swapnlp.common.atomic import atomic_path
from swapnlp.common.errors import ConfigurationError


def snapshot(state: Any) -> Any:
    """A copy of `state` whose tensors (on the CPU) no longer change when training goes on."""
    if isinstance(state, torch.Tensor):
        return state.detach().to("cpu", copy=True)
    if isinstance(state, dict):
        return {key: snapshot(value) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(snapshot(value) for value in state)
    return state


def save_weights(state_dict: Dict[str, torch.Tensor], path: Path) -> None:
    """Write a state dict as safetensors, atomically (tied/shared tensors are stored once each)."""
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in snapshot(state_dict).items()}
    with atomic_path(path) as temporary:
        save_file(tensors, str(temporary))


def load_weights(path: Path) -> Dict[str, torch.Tensor]:
    """A safetensors file's tensors; a file that is not one is a one-line ConfigurationError."""
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as error:
        raise ConfigurationError(f"{path} is not a readable safetensors weights file ({error}).") from None
