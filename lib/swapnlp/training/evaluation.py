"""Evaluate a model on a data loader: the model's metrics plus the average loss."""

from __future__ import annotations

from typing import Dict, Optional

import torch
from tqdm.auto import tqdm

from swapnlp.data.data_loaders import DataLoader
from swapnlp.models.model import Model
from swapnlp.nn.precision import choose_precision
from swapnlp.nn.util import batch_size_of, move_to_device
from swapnlp.nn.devices import resolve_device
from swapnlp.metrics import Average


def evaluate(model: Model, data_loader: DataLoader, cuda_device: Optional[int] = None,
             enable_progress_bar: bool = True, autocast: Optional[str] = "auto") -> Dict[str, float]:
    """-> {"accuracy": ..., "loss": ...} over every batch of `data_loader` (indexed with the model's vocab).
    cuda_device: None keeps the model where it is; -1 = CPU; N = GPU N.
    autocast: "auto" (bf16 where the device has bf16 units, else fp32), "bf16" or "fp32" (nn/precision.py)."""
    if cuda_device is not None:
        model.to(resolve_device(cuda_device, where="--cuda-device"))
    device = model.device()
    precision = choose_precision(autocast, device, where="autocast")
    data_loader.index_with(model.vocab)
    model.eval()
    model.get_metrics(reset=True)
    loss = Average()
    with torch.inference_mode():
        for batch in tqdm(data_loader, desc="evaluating", disable=not enable_progress_bar, leave=False):
            with precision.autocast(device):
                output = model(**move_to_device(batch, device))
            if "loss" in output:
                loss(output["loss"].item(), weight=batch_size_of(batch))
    metrics = model.get_metrics(reset=True)
    if loss.count:
        metrics["loss"] = loss.get_metric()
    return metrics
