from swapnlp.training.metrics.metric import Average, Metric, metric_values
from swapnlp.training.metrics.categorical_accuracy import CategoricalAccuracy

__all__ = ["Average", "Metric", "metric_values", "CategoricalAccuracy"]
