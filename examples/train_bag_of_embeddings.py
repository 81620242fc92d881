"""The bag-of-embeddings model of configs/bag_of_embeddings.jsonnet, built and trained in plain Python.

No config, no registry: each part is constructed by hand from the same classes a config names, in the same
order `swapnlp train` builds them, so with the same seed it starts from the same weights, sees the same
batches and reaches the same dev accuracy as

    swapnlp train configs/bag_of_embeddings.jsonnet -s runs/boe

Run it from the repository root (after `swapnlp data fetch movie_review`):

    python examples/train_bag_of_embeddings.py -s runs/boe_script [--epochs 20] [--seed 13]

Chapter 03.6 ("Writing your own script") walks through it.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Optional, Union

import torch

from swapnlp.data import (ClassificationTsvReader, SimpleDataLoader, SingleIdTokenIndexer, Vocabulary,
                          WhitespaceTokenizer)
from swapnlp.models import SimpleClassifier
from swapnlp.modules import BagOfEmbeddingsEncoder, BasicTextFieldEmbedder, Embedding
from swapnlp.training import GradientDescentTrainer
from swapnlp.training.optimizers import AdamOptimizer

PathLike = Union[str, Path]


def build_trainer(train_path: PathLike, validation_path: PathLike, serialization_dir: Optional[PathLike] = None,
                  embedding_dim: int = 64, min_count: int = 2, batch_size: int = 16, lr: float = 0.003,
                  num_epochs: int = 20, patience: Optional[int] = 4, seed: int = 13,
                  enable_progress_bar: bool = True) -> GradientDescentTrainer:
    """Reader -> data loaders -> vocabulary -> model -> trainer, with the config's values as defaults."""
    random.seed(seed)        # what the config's "random_seed" does: the loaders' shuffling seeds come
    torch.manual_seed(seed)  # from `random`, the initial weights from torch

    # "dataset_reader": classification-tsv, a whitespace tokenizer, one single_id indexer named "tokens"
    reader = ClassificationTsvReader(tokenizer=WhitespaceTokenizer(),
                                     token_indexers={"tokens": SingleIdTokenIndexer()})
    # "data_loader": {"batch_size": 16, "shuffle": true, "bucket": true}, for train and validation data
    train_loader = SimpleDataLoader(reader.read(train_path), batch_size=batch_size, shuffle=True, bucket=True)
    validation_loader = SimpleDataLoader(reader.read(validation_path), batch_size=batch_size, shuffle=True,
                                         bucket=True)
    # "vocabulary": {"min_count": {"tokens": 2}}, counted over the training and validation instances
    instances = list(train_loader.iter_instances()) + list(validation_loader.iter_instances())
    vocab = Vocabulary.from_instances(instances, min_count={"tokens": min_count})

    # "model": simple_classifier = embedder + encoder (+ the linear layer SimpleClassifier adds itself)
    embedding = Embedding(embedding_dim=embedding_dim, vocab=vocab)  # one row per word of vocab's "tokens"
    embedder = BasicTextFieldEmbedder({"tokens": embedding})
    encoder = BagOfEmbeddingsEncoder(embedding_dim=embedding_dim, averaged=True)
    model = SimpleClassifier(vocab, embedder, encoder)

    train_loader.index_with(vocab)  # words -> ids, once
    validation_loader.index_with(vocab)
    # "trainer": adam, num_epochs, patience, validation_metric, autocast "auto" (bf16 only where the hardware has it)
    optimizer = AdamOptimizer(list(model.named_parameters()), lr=lr)
    return GradientDescentTrainer(model, train_loader, validation_data_loader=validation_loader,
                                  serialization_dir=serialization_dir, optimizer=optimizer, num_epochs=num_epochs,
                                  patience=patience, validation_metric="+accuracy", autocast="auto",
                                  enable_progress_bar=enable_progress_bar)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default="data/movie_review", help="folder with train.tsv and dev.tsv")
    parser.add_argument("-s", "--serialization-dir", default=None, help="checkpoints and metrics (optional)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    data = Path(args.data_dir)
    trainer = build_trainer(data / "train.tsv", data / "dev.tsv", args.serialization_dir, num_epochs=args.epochs,
                            seed=args.seed)
    metrics = trainer.train()
    print(f"best dev accuracy {metrics['best_validation_accuracy']:.4f} (epoch {metrics['best_epoch']})")


if __name__ == "__main__":
    main()
