"""Accuracy of class predictions: the share of rows whose highest-scoring class is the gold label."""

from __future__ import annotations

from typing import List

import torch

from swapnlp.metrics.metric import Metric


@Metric.register("categorical_accuracy")
class CategoricalAccuracy(Metric):
    """predictions: (batch, num_classes) scores; gold_labels: (batch,) class ids."""

    def __init__(self) -> None:
        self.correct, self.total = 0.0, 0.0

    def __call__(self, predictions: torch.Tensor, gold_labels: torch.Tensor) -> None:
        if predictions.dim() != 2 or gold_labels.shape != predictions.shape[:1]:
            raise ValueError(f"CategoricalAccuracy expects predictions (batch, classes) and gold labels (batch,); "
                             f"got {tuple(predictions.shape)} and {tuple(gold_labels.shape)}")
        predicted = predictions.detach().argmax(dim=-1)
        self.correct += float((predicted == gold_labels).sum())
        self.total += float(gold_labels.numel())

    def get_metric(self, reset: bool = False) -> float:
        value = self.correct / self.total if self.total else 0.0
        if reset:
            self.reset()
        return value

    def reset(self) -> None:
        self.correct, self.total = 0.0, 0.0

    def counts(self) -> List[float]:
        return [self.correct, self.total]

    def set_counts(self, counts: List[float]) -> None:
        self.correct, self.total = counts
