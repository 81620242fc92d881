"""Metric: accumulates over batches; `get_metric(reset)` reads the value (and starts over if reset).

Metrics keep raw counts (not averages) so that several processes can add their counts together.
"""

from __future__ import annotations

from typing import List

import torch

from swapnlp.common.registry import Registrable


class Metric(Registrable):
    def __call__(self, predictions: torch.Tensor, gold_labels: torch.Tensor) -> None:
        raise NotImplementedError

    def get_metric(self, reset: bool = False) -> float:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def counts(self) -> List[float]:
        """The raw sums behind the metric (what distributed training adds across processes)."""
        raise NotImplementedError

    def set_counts(self, counts: List[float]) -> None:
        raise NotImplementedError


class Average(Metric):
    """The mean of the values it is called with (e.g. the loss of each batch, weighted by batch size)."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0.0

    def __call__(self, value: float, weight: float = 1.0) -> None:  # type: ignore[override]
        self.total += float(value) * weight
        self.count += weight

    def get_metric(self, reset: bool = False) -> float:
        value = self.total / self.count if self.count else 0.0
        if reset:
            self.reset()
        return value

    def reset(self) -> None:
        self.total, self.count = 0.0, 0.0

    def counts(self) -> List[float]:
        return [self.total, self.count]

    def set_counts(self, counts: List[float]) -> None:
        self.total, self.count = counts

