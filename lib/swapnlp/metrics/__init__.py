"""Metrics: values accumulated over batches (a model's accuracy, the trainer's average loss)."""

from swapnlp.metrics.metric import Average, Metric
from swapnlp.metrics.categorical_accuracy import CategoricalAccuracy

__all__ = ["Average", "Metric", "CategoricalAccuracy"]
