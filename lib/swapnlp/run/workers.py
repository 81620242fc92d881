"""The workers of a distributed run: spawned by `swapnlp train` (one per device), or started by torchrun.

Each worker reads the data and keeps its shard, gets the vocabulary built once (by the parent, or by rank 0
over the process group) and trains its copy of the model; rank 0 writes checkpoints, the archive and the
test-set metrics (training/distributed.py has the process-group machinery).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence

import torch

from swapnlp.common import plugins
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import Vocabulary
from swapnlp.models import Model
from swapnlp.run.config import ConfigData, TrainingConfig, seed_everything
from swapnlp.run.fit import evaluate_on_test, fit, no_trainer_device
from swapnlp.run.folder import VOCABULARY_DIR, prepare_serialization_dir
from swapnlp.training import distributed
from swapnlp.training.trainer import EpochCallback


def check_picklable(epoch_callbacks: Sequence[EpochCallback]) -> None:
    """Spawned workers get the epoch callbacks by pickling: closures and lambdas cannot travel."""
    import pickle

    try:
        pickle.dumps(list(epoch_callbacks))
    except Exception as error:  # pickle raises several types
        raise ConfigurationError(f"epoch_callbacks must be functions defined in a module for a distributed run "
                                 f"(each worker process imports them): {error}") from None


def shard(data: ConfigData, rank: int, world_size: int) -> None:
    """Keep this worker's share: training shards of equal size, validation split exactly once."""
    data.train_loader.shard(rank, world_size, even=True)
    if data.validation_loader is not None:
        data.validation_loader.shard(rank, world_size, even=False)


def train_worker(rank: int, raw: Dict[str, Any], serialization_dir: Path, recover: bool,
                 plugin_modules: List[str], epoch_callbacks: Sequence[EpochCallback] = ()) -> None:
    """One spawned worker of a distributed run (already in the process group): it reads the data and keeps
    its shard, loads the vocabulary the parent built, and trains its copy of the model."""
    plugins.import_plugins(plugin_modules)  # the learner's registered components, in this new process too
    config = TrainingConfig.from_params(Params(raw))
    seed_everything(config.random_seed)  # the same initial weights everywhere (DDP also copies rank 0's)
    data = config.build_data()
    shard(data, rank, distributed.world_size())
    vocab = Vocabulary.from_files(serialization_dir / VOCABULARY_DIR)
    fit(config, data, vocab, serialization_dir, recover, epoch_callbacks, config.distributed.cuda_devices[rank])


def train_under_torchrun(config: TrainingConfig, raw: Dict[str, Any], serialization_dir: Path, force: bool,
                         recover: bool, env: Dict[str, int], epoch_callbacks: Sequence[EpochCallback]) -> Model:
    """`torchrun ... swapnlp train ...` started this process as worker env["rank"] (on any machine): rank 0
    checks the folder and builds the vocabulary, which every worker receives over the process group."""
    local = env["local_world_size"]
    plan = config.distributed or distributed.DistributedPlan(
        list(range(local)) if torch.cuda.is_available() else [-1] * local)
    if len(plan.cuda_devices) != local:
        raise ConfigurationError(f"distributed.cuda_devices lists {len(plan.cuda_devices)} device(s), but torchrun "
                                 f"started {local} process(es) on this machine: give --nproc-per-node "
                                 f"{len(plan.cuda_devices)}, or list one device per process.")
    config.distributed = plan
    device = plan.cuda_devices[env["local_rank"]]
    distributed.init_worker(env["rank"], env["world_size"], device, "env://", plan.timeout_s, local)
    try:
        primary = distributed.is_primary()
        problem = None
        if primary:
            try:
                prepare_serialization_dir(serialization_dir, raw, force, recover)
            except ConfigurationError as error:
                problem = str(error)
        problem = distributed.broadcast_object(problem)  # every worker stops with rank 0's error
        if problem:
            raise ConfigurationError(problem)
        serialization_dir.mkdir(parents=True, exist_ok=True)
        no_trainer_device(config)
        seed_everything(config.random_seed)
        data = config.build_data()
        vocab = distributed.broadcast_object(config.build_vocabulary(data) if primary else None)  # once, by rank 0
        if primary:
            vocab.save_to_files(serialization_dir / VOCABULARY_DIR)
        shard(data, env["rank"], env["world_size"])
        model, metrics, progress_bar = fit(config, data, vocab, serialization_dir, recover, epoch_callbacks, device)
        if primary:
            evaluate_on_test(config, model, data, serialization_dir, metrics, progress_bar)
        distributed.barrier()  # the others wait for rank 0's test run and archive before anyone leaves
        return model
    finally:
        distributed.destroy()
