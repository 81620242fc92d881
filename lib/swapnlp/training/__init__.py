"""Training: the trainer, its evaluation loop, optimizers, schedulers, checkpoints, distributed workers."""

from swapnlp.training.checkpointer import Checkpointer
from swapnlp.training.learning_rate_schedulers import LearningRateScheduler
from swapnlp.training.optimizers import Optimizer
from swapnlp.training.trainer import GradientDescentTrainer, Trainer

__all__ = ["Checkpointer", "LearningRateScheduler", "Optimizer", "GradientDescentTrainer", "Trainer"]
