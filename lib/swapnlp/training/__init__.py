"""Training: trainer, optimizers, schedulers, metrics, checkpoints, devices."""

from swapnlp.training.checkpointer import Checkpointer
from swapnlp.training.devices import resolve_device
from swapnlp.training.learning_rate_schedulers import LearningRateScheduler
from swapnlp.training.metrics import Average, CategoricalAccuracy, Metric
from swapnlp.training.optimizers import Optimizer
from swapnlp.training.trainer import GradientDescentTrainer, Trainer

__all__ = ["Checkpointer", "resolve_device", "LearningRateScheduler", "Average", "CategoricalAccuracy", "Metric",
           "Optimizer", "GradientDescentTrainer", "Trainer"]
