"""From a config to a trained, archived model: what `swapnlp train` does, as a function.

    train_model_from_file("configs/bag_of_embeddings.jsonnet", "runs/boe")

Steps: build the typed top-level config (run/config.py) -> read the data with the dataset reader -> build the
vocabulary from the training (and validation) instances -> build the model -> build the trainer -> train ->
write model.tar.gz -> the test-set pass when `evaluate_on_test` is true. With "distributed" the vocabulary is
built here, once, then one worker process per device trains (run/workers.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from swapnlp.archive import ARCHIVE_NAME, load_archive
from swapnlp.common import plugins
from swapnlp.common.params import Params
from swapnlp.models import Model
from swapnlp.run import workers
from swapnlp.run.config import TrainingConfig, normalize_legacy_keys, seed_everything
from swapnlp.run.fit import evaluate_on_test, fit, no_trainer_device
from swapnlp.run.folder import VOCABULARY_DIR, prepare_serialization_dir
from swapnlp.training import distributed
from swapnlp.training.trainer import EpochCallback


def train_model_from_file(config_file: Union[str, Path], serialization_dir: Union[str, Path],
                          overrides: Union[str, Mapping[str, Any], None] = None, force: bool = False,
                          recover: bool = False) -> Model:
    """Evaluate the Jsonnet config (+ overrides) and train; returns the trained model (best epoch)."""
    return train_model(Params.from_file(config_file, overrides), serialization_dir, force=force, recover=recover)


def train_model(params: Params, serialization_dir: Union[str, Path], force: bool = False,
                recover: bool = False, epoch_callbacks: Sequence[EpochCallback] = ()) -> Model:
    """Train from a Params config tree; writes config.json, vocabulary/, checkpoints, metrics and model.tar.gz.
    A config that does not build is refused before anything is written."""
    serialization_dir = Path(serialization_dir)
    normalize_legacy_keys(params)
    raw = params.as_dict()  # config.json, and what each distributed worker builds its own part from
    config = TrainingConfig.from_params(params)
    launched = distributed.torchrun_env()
    if launched is not None and launched["world_size"] > 1:
        return workers.train_under_torchrun(config, raw, serialization_dir, force, recover, launched,
                                            epoch_callbacks)
    prepare_serialization_dir(serialization_dir, raw, force, recover)
    plan = config.distributed
    if plan is not None:
        no_trainer_device(config)
    seed_everything(config.random_seed)
    data = config.build_data()
    vocab = config.build_vocabulary(data)
    vocab.save_to_files(serialization_dir / VOCABULARY_DIR)
    if plan is not None and len(plan.cuda_devices) > 1:
        workers.check_picklable(epoch_callbacks)
        distributed.spawn_workers(workers.train_worker, (raw, serialization_dir, recover, list(plugins.IMPORTED),
                                                         epoch_callbacks), plan)
        model = load_archive(serialization_dir / ARCHIVE_NAME).model  # the best epoch, as rank 0 archived it
        metrics = json.loads((serialization_dir / "metrics.json").read_text())
        progress_bar = config.trainer_setting("enable_progress_bar", True)
    else:  # one process (with "distributed" listing one device: an ordinary run on it)
        device = plan.cuda_devices[0] if plan is not None else None
        model, metrics, progress_bar = fit(config, data, vocab, serialization_dir, recover, epoch_callbacks, device)
    evaluate_on_test(config, model, data, serialization_dir, metrics, progress_bar)
    return model
