"""The one evaluation loop: a model's metrics and average loss over batches, without gradients.

    evaluate(model, test_loader)             # `swapnlp evaluate`, the test-set pass of a run
    evaluation_pass(model, batches, ...)     # the loop itself: also the trainer's validation and dry-run's batch
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

import torch
from tqdm.auto import tqdm

from swapnlp.data.batch import TensorDict
from swapnlp.data.data_loaders import DataLoader
from swapnlp.metrics import Average
from swapnlp.models.model import Model
from swapnlp.nn.devices import resolve_device
from swapnlp.nn.precision import Precision, choose_precision
from swapnlp.nn.util import batch_size_of, move_to_device
from swapnlp.training import distributed


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
    metrics = evaluation_pass(model, data_loader, device, precision, enable_progress_bar=enable_progress_bar)
    loss = metrics.pop("loss", None)
    return metrics if loss is None else {**metrics, "loss": loss}


def evaluation_pass(model: Model, batches: Iterable[TensorDict], device: torch.device, precision: Precision,
                    description: str = "evaluating", enable_progress_bar: bool = True,
                    total: Optional[Any] = None, across_workers: bool = False) -> Dict[str, float]:
    """Every batch through `model` in eval mode, under inference_mode and `precision` -> {"loss": the average
    loss (weighted by batch size; absent when the model reports none), **model.get_metrics()}.
    across_workers: each worker of a distributed run passed its shard; the counts are added over the workers
    first, so every worker reads the global values (every worker must call it, as the trainer's validation does)."""
    model.eval()
    model.get_metrics(reset=True)
    loss = Average()
    progress = tqdm(batches, total=total, desc=description, disable=not enable_progress_bar, leave=False,
                    mininterval=0.5, dynamic_ncols=True)
    with torch.inference_mode():
        for batch in progress:
            with precision.autocast(device):
                output = model(**move_to_device(batch, device))
            if "loss" in output:
                loss(output["loss"].item(), weight=batch_size_of(batch))
    progress.close()
    if across_workers:
        distributed.all_reduce_metrics([loss, *distributed.find_metrics(model)], device)
    metrics = model.get_metrics(reset=True)
    return {"loss": loss.get_metric(), **metrics} if loss.count else metrics
