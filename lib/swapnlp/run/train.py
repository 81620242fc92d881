"""From a config to a trained, archived model: what `swapnlp train` does, as a function.

    train_model_from_file("configs/bag_of_embeddings.jsonnet", "runs/boe")

Steps: read the data with the dataset reader -> build the vocabulary from the training (and
validation) instances -> build the model -> build the trainer -> train -> write model.tar.gz ->
evaluate on the test data when `evaluate_on_test` is true.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import torch

from swapnlp.common import plugins
from swapnlp.common.atomic import atomic_write_text
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import DataLoader, DatasetReader, Vocabulary
from swapnlp.models import Model
from swapnlp.training import distributed
from swapnlp.training.trainer import EpochCallback, Trainer

CONFIG_NAME = "config.json"
RUN_MARKERS = ("checkpoint.pt", "metrics.json", "model.tar.gz")  # a folder with one of these holds a run
VOCABULARY_DIR = "vocabulary"


def train_model_from_file(config_file: Union[str, Path], serialization_dir: Union[str, Path],
                          overrides: Union[str, Mapping[str, Any], None] = None, force: bool = False,
                          recover: bool = False) -> Model:
    """Evaluate the Jsonnet config (+ overrides) and train; returns the trained model (best epoch)."""
    return train_model(Params.from_file(config_file, overrides), serialization_dir, force=force, recover=recover)


def prepare_serialization_dir(serialization_dir: Path, params: Params, force: bool, recover: bool) -> None:
    """Make sure we never overwrite a run by accident, and that --recover resumes the same config."""
    if force and recover:
        raise ConfigurationError("use --force (start again, deleting the old run) or --recover (resume it), not both.")
    config_path = serialization_dir / CONFIG_NAME
    if any((serialization_dir / name).exists() for name in RUN_MARKERS):
        if force:
            shutil.rmtree(serialization_dir)
        elif recover:
            if not (serialization_dir / "checkpoint.pt").exists() or not config_path.exists():
                raise ConfigurationError(f"--recover: {serialization_dir} holds no checkpoint; nothing to resume.")
            saved = json.loads(config_path.read_text())
            if saved != params.as_dict():
                raise ConfigurationError(f"--recover: the config differs from the one saved in {config_path}; "
                                         f"resume with the same config and overrides, or use --force to restart.")
        else:
            raise ConfigurationError(f"{serialization_dir} already holds a run. Use --recover to resume it, "
                                     f"--force to delete it and start again, or another -s folder.")
    elif recover:
        raise ConfigurationError(f"--recover: {serialization_dir} holds no run to resume; drop --recover to start one.")
    serialization_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(config_path, json.dumps(params.as_dict(), indent=2) + "\n")


def normalize_legacy_keys(params: Params) -> None:
    """Accept AllenNLP's older `iterator` key as `data_loader` (with a one-line notice)."""
    if "iterator" not in params:
        return
    if "data_loader" in params:
        raise ConfigurationError('the config has both "iterator" and "data_loader": keep only "data_loader".')
    iterator = params.pop("iterator").as_dict()
    kind = iterator.pop("type", "basic")
    if kind not in ("basic", "bucket"):
        raise ConfigurationError(f'iterator.type "{kind}" has no equivalent; write a "data_loader" '
                                 f'({{"batch_size": ..., "shuffle": true, "bucket": true}}) instead.')
    iterator.pop("sorting_keys", None)  # our bucketing measures lengths itself
    loader = {"batch_size": iterator.pop("batch_size", 32), "shuffle": True, "bucket": kind == "bucket", **iterator}
    print(f'notice: "iterator" is the older name of "data_loader"; read as data_loader {json.dumps(loader)}')
    params["data_loader"] = loader


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


class ConfigData(NamedTuple):
    """The data part of a config, built: readers and loaders (instances read, not yet indexed)."""

    reader: DatasetReader
    validation_reader: DatasetReader
    train_loader: DataLoader
    validation_loader: Optional[DataLoader]
    loader_params: Params  # data_loader's config, reused for the test data
    test_path: Optional[str]
    evaluate_on_test: bool


def build_data(params: Params) -> ConfigData:
    """Pop the config's readers, data paths and data loaders and build them (the data is read here)."""
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    validation_reader_params = params.pop("validation_dataset_reader", None)
    validation_reader = DatasetReader.from_params(validation_reader_params) if validation_reader_params else reader
    loader_params = params.pop("data_loader", Params({}, "data_loader."))
    validation_loader_params = params.pop("validation_data_loader", None) or loader_params.duplicate()
    validation_loader_params.history = "validation_data_loader."
    train_loader = DataLoader.from_params(loader_params.duplicate(), reader=reader,
                                          data_path=params.pop("train_data_path"))
    validation_path = params.pop("validation_data_path", None)
    validation_loader = (DataLoader.from_params(validation_loader_params, reader=validation_reader,
                                                data_path=validation_path) if validation_path else None)
    test_path = params.pop("test_data_path", None)
    evaluate_on_test = params.pop("evaluate_on_test", test_path is not None)
    return ConfigData(reader, validation_reader, train_loader, validation_loader, loader_params, test_path,
                      evaluate_on_test)


def build_vocabulary(params: Params, data: ConfigData) -> Vocabulary:
    """Pop the config's "vocabulary" and count the training (and validation) instances into a Vocabulary."""
    vocabulary_params = params.pop("vocabulary", Params({}, "vocabulary."))
    instances = list(data.train_loader.iter_instances())
    if data.validation_loader is not None:
        instances += list(data.validation_loader.iter_instances())
    return Vocabulary.from_params(vocabulary_params, instances=instances)


def train_model(params: Params, serialization_dir: Union[str, Path], force: bool = False,
                recover: bool = False, epoch_callbacks: Sequence[EpochCallback] = ()) -> Model:
    """Train from a Params config tree; writes config.json, vocabulary/, checkpoints, metrics and model.tar.gz.
    With "distributed": {"cuda_devices": [...]} the vocabulary is built here, once, then one worker process
    per device trains (`train_worker`); under torchrun this process is one of the workers."""
    from swapnlp.archive import ARCHIVE_NAME, load_archive

    serialization_dir = Path(serialization_dir)
    normalize_legacy_keys(params)
    Params({k: v for k, v in params.items() if k not in TOP_LEVEL_KEYS}).assert_empty(
        "the top level of the config", dict.fromkeys(TOP_LEVEL_KEYS, ""))
    launched = distributed.torchrun_env()
    if launched is not None and launched["world_size"] > 1:
        return _train_under_torchrun(params, serialization_dir, force, recover, launched, epoch_callbacks)
    prepare_serialization_dir(serialization_dir, params, force, recover)
    plan = distributed.plan_from_config(params.pop("distributed").as_dict()) if "distributed" in params else None
    seed = params.pop("random_seed", 13)
    seed_everything(seed)
    autocast = params.get("trainer", {}).get("autocast", "auto")  # the test-set pass runs as training did
    worker_config = params.as_dict()  # what each distributed worker builds its own part from

    data = build_data(params)
    vocab = build_vocabulary(params, data)
    vocab.save_to_files(serialization_dir / VOCABULARY_DIR)
    if plan is not None and len(plan.cuda_devices) > 1:
        _no_trainer_device(params)
        _check_picklable(epoch_callbacks)
        distributed.spawn_workers(train_worker, (worker_config, serialization_dir, recover, seed,
                                                 list(plugins.IMPORTED), plan.cuda_devices, epoch_callbacks), plan)
        model = load_archive(serialization_dir / ARCHIVE_NAME).model  # the best epoch, as rank 0 archived it
        metrics = json.loads((serialization_dir / "metrics.json").read_text())
        progress_bar = params.get("trainer", {}).get("enable_progress_bar", True)
    else:
        if plan is not None:  # one device: an ordinary run on it
            _no_trainer_device(params)
            _set_trainer_device(params, plan.cuda_devices[0])
        model, metrics, progress_bar = _fit(params, data, vocab, serialization_dir, recover, epoch_callbacks)
    _evaluate_on_test(model, data, serialization_dir, metrics, progress_bar, autocast)
    return model


def _fit(params: Params, data: ConfigData, vocab: Vocabulary, serialization_dir: Path, recover: bool,
         epoch_callbacks: Sequence[EpochCallback]) -> Tuple[Model, Dict[str, Any], bool]:
    """Build the model and the trainer, train, archive (rank 0) -> (model, metrics, progress bar shown?)."""
    from swapnlp.archive import archive_model

    model = Model.from_params(params.pop("model"), vocab=vocab)
    data.train_loader.index_with(vocab)
    if data.validation_loader is not None:
        data.validation_loader.index_with(vocab)
    trainer = Trainer.from_params(params.pop("trainer"), model=model, serialization_dir=serialization_dir,
                                  data_loader=data.train_loader, validation_data_loader=data.validation_loader,
                                  epoch_callbacks=epoch_callbacks)
    if recover:
        trainer.restore_checkpoint()
    metrics: Dict[str, Any] = trainer.train()
    if distributed.is_primary():
        archive_model(serialization_dir)
    return model, metrics, getattr(trainer, "enable_progress_bar", True)


def _evaluate_on_test(model: Model, data: ConfigData, serialization_dir: Path, metrics: Dict[str, Any],
                      progress_bar: bool, autocast: Optional[str]) -> None:
    from swapnlp.evaluation import evaluate

    if not (data.test_path and data.evaluate_on_test):
        return
    test_metrics = evaluate(model, DataLoader.from_params(data.loader_params, reader=data.validation_reader,
                                                           data_path=data.test_path),
                            enable_progress_bar=progress_bar, autocast=autocast)
    metrics.update({f"test_{k}": v for k, v in test_metrics.items()})
    print("test: " + "  ".join(f"{k} {v:.4f}" for k, v in test_metrics.items()))
    atomic_write_text(serialization_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")


def _no_trainer_device(params: Params) -> None:
    if "cuda_device" in params.get("trainer", {}):
        raise ConfigurationError("trainer.cuda_device and distributed.cuda_devices are both set: remove "
                                 "trainer.cuda_device, the distributed list gives each worker its device.")


def _check_picklable(epoch_callbacks: Sequence[EpochCallback]) -> None:
    """Spawned workers get the epoch callbacks by pickling: closures and lambdas cannot travel."""
    import pickle

    try:
        pickle.dumps(list(epoch_callbacks))
    except Exception as error:  # pickle raises several types
        raise ConfigurationError(f"epoch_callbacks must be functions defined in a module for a distributed run "
                                 f"(each worker process imports them): {error}") from None


def _set_trainer_device(params: Params, cuda_device: int) -> None:
    params["trainer"] = {**params.get("trainer", Params({})).as_dict(), "cuda_device": cuda_device}


def _shard(data: ConfigData, rank: int, world_size: int) -> None:
    """Keep this worker's share: training shards of equal size, validation split exactly once."""
    data.train_loader.shard(rank, world_size, even=True)
    if data.validation_loader is not None:
        data.validation_loader.shard(rank, world_size, even=False)


def train_worker(rank: int, config: Dict[str, Any], serialization_dir: Path, recover: bool, seed: int,
                 plugin_modules: List[str], cuda_devices: List[int],
                 epoch_callbacks: Sequence[EpochCallback] = ()) -> None:
    """One spawned worker of a distributed run (already in the process group): it reads the data and keeps
    its shard, loads the vocabulary the parent built, and trains its copy of the model."""
    plugins.import_plugins(plugin_modules)  # the learner's registered components, in this new process too
    seed_everything(seed)  # the same initial weights everywhere (DDP also copies rank 0's at the start)
    params = Params(config)
    data = build_data(params)
    _shard(data, rank, distributed.world_size())
    params.pop("vocabulary", None)
    vocab = Vocabulary.from_files(serialization_dir / VOCABULARY_DIR)
    _set_trainer_device(params, cuda_devices[rank])
    _fit(params, data, vocab, serialization_dir, recover, epoch_callbacks)


def _train_under_torchrun(params: Params, serialization_dir: Path, force: bool, recover: bool,
                          env: Dict[str, int], epoch_callbacks: Sequence[EpochCallback]) -> Model:
    """`torchrun ... swapnlp train ...` started this process as worker env["rank"] (on any machine): rank 0
    checks the folder and builds the vocabulary, which every worker receives over the process group."""
    config = params.as_dict().get("distributed")
    local = env["local_world_size"]
    plan = (distributed.plan_from_config(config) if config is not None else
            distributed.DistributedPlan(list(range(local)) if torch.cuda.is_available() else [-1] * local))
    if len(plan.cuda_devices) != local:
        raise ConfigurationError(f"distributed.cuda_devices lists {len(plan.cuda_devices)} device(s), but torchrun "
                                 f"started {local} process(es) on this machine: give --nproc-per-node "
                                 f"{len(plan.cuda_devices)}, or list one device per process.")
    device = plan.cuda_devices[env["local_rank"]]
    distributed.init_worker(env["rank"], env["world_size"], device, "env://", plan.timeout_s, local,
                            plan.find_unused_parameters)
    try:
        primary = distributed.is_primary()
        problem = None
        if primary:
            try:
                prepare_serialization_dir(serialization_dir, params, force, recover)
            except ConfigurationError as error:
                problem = str(error)
        problem = distributed.broadcast_object(problem)  # every worker stops with rank 0's error
        if problem:
            raise ConfigurationError(problem)
        serialization_dir.mkdir(parents=True, exist_ok=True)
        params.pop("distributed", None)
        _no_trainer_device(params)
        seed_everything(params.pop("random_seed", 13))
        autocast = params.get("trainer", {}).get("autocast", "auto")
        data = build_data(params)
        vocab = build_vocabulary(params, data) if primary else params.pop("vocabulary", None)
        vocab = distributed.broadcast_object(vocab)  # built once, by rank 0
        if primary:
            vocab.save_to_files(serialization_dir / VOCABULARY_DIR)
        _shard(data, env["rank"], env["world_size"])
        _set_trainer_device(params, device)
        model, metrics, progress_bar = _fit(params, data, vocab, serialization_dir, recover, epoch_callbacks)
        if primary:
            _evaluate_on_test(model, data, serialization_dir, metrics, progress_bar, autocast)
        distributed.barrier()  # the others wait for rank 0's test run and archive before anyone leaves
        return model
    finally:
        distributed.destroy()


TOP_LEVEL_KEYS = ("dataset_reader", "validation_dataset_reader", "train_data_path", "validation_data_path",
                  "test_data_path", "evaluate_on_test", "data_loader", "validation_data_loader", "vocabulary",
                  "model", "trainer", "random_seed", "distributed")
