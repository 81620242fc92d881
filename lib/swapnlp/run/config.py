"""The top level of a training config, as one typed constructor: its signature is the config's schema.

    config = TrainingConfig.from_params(Params.from_file("configs/bag_of_embeddings.jsonnet"))
    data = config.build_data()                 # readers and loaders (the data is read here)
    vocab = config.build_vocabulary(data)      # counted from the training (and validation) instances
    model = config.model.construct(vocab=vocab)

Built by the library's own from_params like every component, so a misspelt top-level key, a missing one or
a value of the wrong type is the same one-line error as anywhere else, and `swapnlp describe`, the wizard and
dry-run read the same signature. The components are `Lazy`: nothing is built (and no random number is drawn)
until the run has seeded the generators, in the order train has always used.
"""

from __future__ import annotations

import json
import random
from typing import Any, ClassVar, NamedTuple, Optional

import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Lazy
from swapnlp.common.params import Params
from swapnlp.data import DataLoader, DatasetReader, Vocabulary
from swapnlp.models import Model
from swapnlp.training.distributed import DistributedPlan
from swapnlp.training.trainer import Trainer


class ConfigData(NamedTuple):
    """The data part of a config, built: readers and loaders (instances read, not yet indexed)."""

    reader: DatasetReader
    validation_reader: DatasetReader
    train_loader: DataLoader
    validation_loader: Optional[DataLoader]
    test_loader: Optional[Lazy[DataLoader]]  # built after training, when the test-set pass runs
    test_path: Optional[str]


class TrainingConfig:
    """The top level of a training config, as `swapnlp train` reads it: the data files, how to read them, the
    model, how to batch, how to train.
    train_data_path, validation_data_path, test_data_path: text<TAB>label files (validation and test optional).
    dataset_reader: reads them; validation_dataset_reader: another reader for validation and test data.
    data_loader: batches (default: batch_size 32); validation_data_loader: another one for validation and test.
    vocabulary: which tokens to keep (e.g. min_count). model: what is trained. trainer: how.
    evaluate_on_test: the test-set pass after training (default: when test_data_path is set).
    random_seed: seeds Python and torch for a repeatable run.
    distributed: {"cuda_devices": [...]}: one worker process per device (training/distributed.py)."""

    config_title: ClassVar[str] = "the top level of the config"  # how from_params' errors name it

    def __init__(self, *, train_data_path: str, validation_data_path: Optional[str] = None,
                 test_data_path: Optional[str] = None, dataset_reader: Lazy[DatasetReader],
                 validation_dataset_reader: Optional[Lazy[DatasetReader]] = None,
                 data_loader: Optional[Lazy[DataLoader]] = None,
                 validation_data_loader: Optional[Lazy[DataLoader]] = None,
                 vocabulary: Optional[Lazy[Vocabulary]] = None, model: Lazy[Model], trainer: Lazy[Trainer],
                 evaluate_on_test: Optional[bool] = None, random_seed: int = 13,
                 distributed: Optional[DistributedPlan] = None) -> None:
        self.train_data_path, self.validation_data_path = train_data_path, validation_data_path
        self.test_data_path = test_data_path
        self.dataset_reader, self.validation_dataset_reader = dataset_reader, validation_dataset_reader
        self.data_loader = data_loader or _empty(DataLoader, "data_loader")
        self.validation_data_loader = validation_data_loader
        self.vocabulary = vocabulary or _empty(Vocabulary, "vocabulary")
        self.model, self.trainer = model, trainer
        self.evaluate_on_test = test_data_path is not None if evaluate_on_test is None else evaluate_on_test
        self.random_seed, self.distributed = random_seed, distributed

    @classmethod
    def from_params(cls, params: Params) -> "TrainingConfig":
        """Build from a config tree (the older `iterator` key is accepted as `data_loader`, with a notice)."""
        from swapnlp.common.from_params import construct

        normalize_legacy_keys(params)
        return construct(cls, params)

    def trainer_setting(self, key: str, default: Any = None) -> Any:
        """A value the trainer's config sets (its default when it does not): e.g. "autocast", so that the
        test-set pass runs at the precision training did."""
        params = self.trainer.params
        return params.get(key, default) if isinstance(params, Params) else default

    def build_data(self) -> ConfigData:
        """Build the readers and loaders (the training and validation data are read here)."""
        reader = self.dataset_reader.construct()
        validation_reader = self.validation_dataset_reader.construct() if self.validation_dataset_reader else reader
        validation_loader_config = self.validation_data_loader or self.data_loader
        train_loader = self.data_loader.construct(reader=reader, data_path=self.train_data_path)
        validation_loader = (validation_loader_config.construct(reader=validation_reader,
                                                                data_path=self.validation_data_path)
                             if self.validation_data_path else None)
        test_loader = validation_loader_config if self.test_data_path and self.evaluate_on_test else None
        return ConfigData(reader, validation_reader, train_loader, validation_loader, test_loader,
                          self.test_data_path)

    def build_vocabulary(self, data: ConfigData) -> Vocabulary:
        """Count the training (and validation) instances into the configured Vocabulary."""
        instances = list(data.train_loader.iter_instances())
        if data.validation_loader is not None:
            instances += list(data.validation_loader.iter_instances())
        return self.vocabulary.construct(instances=instances)

    def build_model(self, vocab: Vocabulary, data: ConfigData) -> Model:
        """The model, and the loaders indexed with `vocab`."""
        model = self.model.construct(vocab=vocab)
        data.train_loader.index_with(vocab)
        if data.validation_loader is not None:
            data.validation_loader.index_with(vocab)
        return model


def _empty(cls: type, key: str) -> Lazy:
    """A component left out of the config: its defaults."""
    return Lazy(cls, Params({}, f"{key}."), {}, key)


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
