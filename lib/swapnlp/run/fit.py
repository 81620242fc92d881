"""One process's share of a run: build the model and the trainer, train, archive; the test-set pass.

Both a single-process run (train.py) and each worker of a distributed run (workers.py) call these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple

from swapnlp.archive import archive_model
from swapnlp.common.atomic import atomic_write_text
from swapnlp.common.errors import ConfigurationError
from swapnlp.data import Vocabulary
from swapnlp.models import Model
from swapnlp.run.config import ConfigData, TrainingConfig
from swapnlp.training import distributed
from swapnlp.training.evaluation import evaluate
from swapnlp.training.trainer import EpochCallback


def fit(config: TrainingConfig, data: ConfigData, vocab: Vocabulary, serialization_dir: Path, recover: bool,
        epoch_callbacks: Sequence[EpochCallback], cuda_device: Optional[int] = None
        ) -> Tuple[Model, Dict[str, Any], bool]:
    """Build the model and the trainer, train, archive (rank 0) -> (model, metrics, progress bar shown?)."""
    model = config.build_model(vocab, data)
    device = {} if cuda_device is None else {"cuda_device": cuda_device}
    plan = config.distributed
    trainer = config.trainer.construct(model=model, serialization_dir=serialization_dir,
                                       data_loader=data.train_loader, validation_data_loader=data.validation_loader,
                                       epoch_callbacks=epoch_callbacks, **device,
                                       find_unused_parameters=plan is not None and plan.find_unused_parameters)
    if recover:
        trainer.restore_checkpoint()
    metrics: Dict[str, Any] = trainer.train()
    if distributed.is_primary():
        archive_model(serialization_dir)
    return model, metrics, getattr(trainer, "enable_progress_bar", True)


def evaluate_on_test(config: TrainingConfig, model: Model, data: ConfigData, serialization_dir: Path,
                     metrics: Dict[str, Any], progress_bar: bool) -> None:
    """The test-set pass: the model's metrics on test_data_path, added to metrics.json as test_*."""
    if data.test_loader is None:
        return
    loader = data.test_loader.construct(reader=data.validation_reader, data_path=data.test_path)
    test_metrics = evaluate(model, loader, enable_progress_bar=progress_bar, autocast=config.trainer_setting("autocast", "auto"))
    metrics.update({f"test_{k}": v for k, v in test_metrics.items()})
    print("test: " + "  ".join(f"{k} {v:.4f}" for k, v in test_metrics.items()))
    atomic_write_text(serialization_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")


def no_trainer_device(config: TrainingConfig) -> None:
    """With "distributed", each worker's device comes from its list: trainer.cuda_device must not be set."""
    if config.trainer_setting("cuda_device") is not None:
        raise ConfigurationError("trainer.cuda_device and distributed.cuda_devices are both set: remove "
                                 "trainer.cuda_device, the distributed list gives each worker its device.")
