"""Shared fixtures: a tiny, learnable text-classification dataset and a tiny config that trains on it.

The dataset is written into a temporary folder by each test that asks for it (never the real data/):
every text holds one sentiment word ("good"/"great"/"fine" for pos, "bad"/"awful"/"dull" for neg)
among a few neutral filler words, so a bag of embeddings learns it in a couple of epochs.
"""

from __future__ import annotations

import copy
import importlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

POSITIVE_WORDS = ["good", "great", "fine"]
NEGATIVE_WORDS = ["bad", "awful", "dull"]
FILLER_WORDS = ["the", "film", "plot", "was", "a", "story", "acting", "movie", "really", "quite", "this", "cast"]
SPLIT_SIZES = {"train": 48, "dev": 16, "test": 16}


def make_examples(count: int, seed: int) -> List[Tuple[str, str]]:
    """`count` (text, label) pairs, half pos and half neg, texts of 2 to 9 tokens."""
    rng = random.Random(seed)
    examples = []
    for index in range(count):
        label = "pos" if index % 2 == 0 else "neg"
        signal = rng.choice(POSITIVE_WORDS if label == "pos" else NEGATIVE_WORDS)
        words = [rng.choice(FILLER_WORDS) for _ in range(rng.randint(1, 8))] + [signal]
        rng.shuffle(words)
        examples.append((" ".join(words), label))
    return examples


def write_tsv(path: Path, examples: List[Tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{text}\t{label}\n" for text, label in examples), encoding="utf-8")
    return path


@dataclass
class TinyDataset:
    folder: Path
    train: Path
    dev: Path
    test: Path


def write_tiny_dataset(folder: Path) -> TinyDataset:
    paths = {split: write_tsv(folder / f"{split}.tsv", make_examples(size, seed))
             for seed, (split, size) in enumerate(SPLIT_SIZES.items())}
    return TinyDataset(folder, paths["train"], paths["dev"], paths["test"])


def make_tiny_config(dataset: TinyDataset) -> Dict[str, Any]:
    """A complete, small training config: embedding_dim 8, bag of embeddings, batch_size 4, 3 epochs."""
    return {
        "dataset_reader": {
            "type": "classification-tsv",
            "tokenizer": {"type": "whitespace"},
            "token_indexers": {"tokens": {"type": "single_id"}},
        },
        "train_data_path": str(dataset.train),
        "validation_data_path": str(dataset.dev),
        "test_data_path": str(dataset.test),
        "model": {
            "type": "simple_classifier",
            "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
            "encoder": {"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": True},
        },
        "data_loader": {"batch_size": 4, "shuffle": True},
        "trainer": {
            "optimizer": {"type": "adam", "lr": 0.05},
            "num_epochs": 3,
            "validation_metric": "+accuracy",
            "enable_progress_bar": False,
        },
        "random_seed": 7,
    }


def write_config(path: Path, config: Dict[str, Any]) -> Path:
    """Write a config as JSON (valid Jsonnet too) and return its path."""
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Tiny models run fastest on one thread; several threads per test process (with pytest-xdist, on a
    shared 2-core machine) spend far more time waiting for each other than computing."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> TinyDataset:
    """train/dev/test TSVs (48/16/16 lines) in tmp_path/tiny."""
    return write_tiny_dataset(tmp_path / "tiny")


@pytest.fixture
def tiny_config(tiny_dataset: TinyDataset) -> Dict[str, Any]:
    """A fresh config dict (safe to modify) pointing at `tiny_dataset`."""
    return make_tiny_config(tiny_dataset)


@dataclass
class TrainedRun:
    serialization_dir: Path
    archive: Path
    model: Any  # the in-memory model train_model returned (best epoch's weights)
    config: Dict[str, Any]
    dataset: TinyDataset


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    """One tiny model trained once per test process (2 epochs). Treat its folder as read-only."""
    from swapnlp.common.params import Params
    from swapnlp.run.train import train_model

    root = tmp_path_factory.mktemp("trained_run")
    dataset = write_tiny_dataset(root / "tiny")
    config = make_tiny_config(dataset)
    config["trainer"]["num_epochs"] = 2
    serialization_dir = root / "run"
    model = train_model(Params(copy.deepcopy(config)), serialization_dir)
    model.eval()
    return TrainedRun(serialization_dir, serialization_dir / "model.tar.gz", model, config, dataset)


@pytest.fixture(scope="session")
def tiny_transformers(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    """Folders of tiny random bert / roberta / distilbert models with their tokenizers (no download)."""
    from swapnlp.pretrained.tiny import ARCHITECTURES, write_tiny_transformer

    root = tmp_path_factory.mktemp("tiny-transformers")
    return {name: write_tiny_transformer(name, root / f"tiny-{name}") for name in ARCHITECTURES}


@pytest.fixture(scope="session")
def tiny_bert(tiny_transformers: Dict[str, Path]) -> str:
    return str(tiny_transformers["bert"])


@dataclass
class LearnerModule:
    """A learner's own module `name`.py in `folder`, the current folder (as when they run `swapnlp` there).
    `registered`: {the registrable base class: the name the module registers under it}."""

    folder: Path
    name: str
    registered: Dict[type, str]

    def forget(self) -> None:
        """As in a new process: the module is not imported and its names are not registered."""
        from swapnlp.common.registry import _REGISTRY

        sys.modules.pop(self.name, None)
        for base, name in self.registered.items():
            _REGISTRY.get(base, {}).pop(name, None)
        importlib.invalidate_caches()


@pytest.fixture
def learner_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LearnerModule]]:
    """write(name, source, registered) -> the LearnerModule written to tmp_path/work, not imported yet. The
    current folder, sys.path (which --include-package extends) and the registry are restored afterwards."""
    written: List[LearnerModule] = []

    def write(name: str, source: str, registered: Dict[type, str]) -> LearnerModule:
        folder = tmp_path / "work"
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.py").write_text(source)
        monkeypatch.chdir(folder)
        monkeypatch.setattr(sys, "path", list(sys.path))
        module = LearnerModule(folder, name, registered)
        module.forget()
        written.append(module)
        return module

    yield write
    for module in written:
        module.forget()
