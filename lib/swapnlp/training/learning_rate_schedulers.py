"""Learning-rate schedulers by name. `step()` is called after every optimizer step (per batch)."""

from __future__ import annotations

from typing import Optional

import torch

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.common.from_params import Supplied


class LearningRateScheduler(Registrable):
    """The base of the registry; registered schedulers are torch `LambdaLR`s stepped once per batch."""


@LearningRateScheduler.register("linear_with_warmup")
class LinearWithWarmup(LearningRateScheduler, torch.optim.lr_scheduler.LambdaLR):
    """Rises linearly from 0 to the optimizer's lr over the warm-up steps, then falls linearly to 0.

    warmup_steps or warmup_proportion (of all steps) sets the warm-up; num_epochs and
    num_steps_per_epoch are supplied by the trainer.
    """

    def __init__(self, optimizer: Supplied[torch.optim.Optimizer], num_epochs: Supplied[int],
                 num_steps_per_epoch: Supplied[int],
                 warmup_steps: Optional[int] = None, warmup_proportion: Optional[float] = None) -> None:
        check_range("warmup_steps", warmup_steps, at_least=0)
        check_range("warmup_proportion", warmup_proportion, at_least=0, at_most=1,
                    hint="It is the share of all steps spent warming up, e.g. 0.1.")
        total = max(1, num_epochs * num_steps_per_epoch)
        if warmup_steps is not None and warmup_proportion is not None:
            raise ConfigurationError("trainer.learning_rate_scheduler: give warmup_steps or warmup_proportion, "
                                     "not both.")
        warmup = warmup_steps if warmup_steps is not None else int(total * (0.1 if warmup_proportion is None else warmup_proportion))

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / (warmup + 1)
            return max(0.0, (total - step) / max(1, total - warmup))

        super().__init__(optimizer, factor)


@LearningRateScheduler.register("constant")
class Constant(LearningRateScheduler, torch.optim.lr_scheduler.LambdaLR):
    """Keeps the optimizer's learning rate (the same as having no scheduler)."""

    def __init__(self, optimizer: Supplied[torch.optim.Optimizer]) -> None:
        super().__init__(optimizer, lambda step: 1.0)
