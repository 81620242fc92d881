"""Tensor helpers: masks from padded ids, masked pooling, moving nested batches between devices."""

from __future__ import annotations

from typing import Any, Dict

import torch


def get_text_field_mask(text: Dict[str, Dict[str, torch.Tensor]]) -> torch.Tensor:
    """TextFieldTensors -> BoolTensor (batch, num_tokens): True where there is a real token.

    Uses an indexer's explicit "mask" when it gives one, else treats id 0 (padding) as masked.
    """
    for tensors in text.values():
        if "mask" in tensors:
            return tensors["mask"].bool()
    for tensors in text.values():
        for ids in tensors.values():
            if ids.dim() == 2:
                return ids != 0
    raise ValueError(f"cannot find token ids in the text field tensors (keys: {list(text)})")


def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int = 1) -> torch.Tensor:
    """Mean of `values` (batch, num_tokens, dim) over the positions where `mask` (batch, num_tokens)
    is True -> (batch, dim). An all-padding row gives zeros, not NaN."""
    weights = mask.unsqueeze(-1).to(values.dtype)
    total = (values * weights).sum(dim)
    count = weights.sum(dim).clamp(min=1)
    return total / count


def move_to_device(batch: Any, device: torch.device) -> Any:
    """Move every tensor inside nested dicts/lists to `device` (other values untouched)."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {key: move_to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to_device(value, device) for value in batch)
    return batch


def batch_size_of(batch: Any) -> int:
    """The number of instances in a (nested) TensorDict: the first dimension of its first tensor."""
    if isinstance(batch, torch.Tensor):
        return batch.shape[0] if batch.dim() else 1
    if isinstance(batch, dict):
        for value in batch.values():
            return batch_size_of(value)
    return 1
