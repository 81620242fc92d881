"""Trainer overhead: swapnlp's trainer vs a plain hand-written PyTorch loop doing the same work.

Same model (built from configs/bag_of_embeddings.jsonnet), same data (data/movie_review), same batches
(the plain loop gets the very batches the data loader yields for that epoch, already as tensors, so
it pays nothing for batching). Both run one epoch of training plus one pass over the dev set, from the
same initial weights, interleaved (trainer, plain, trainer, plain, ...) so both see the same machine.
The trainer's epoch includes everything it does for a learner: progress bar, metrics, checkpoint.

    python benchmarks/trainer_overhead.py [--repeats 5]
Prints a Markdown row; the ratio is median(trainer) / median(plain). One untimed warm-up step first.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

import torch

from swapnlp.common.params import Params
from swapnlp.data import DataLoader, DatasetReader, Vocabulary
from swapnlp.models import Model
from swapnlp.training import GradientDescentTrainer
from swapnlp.training.optimizers import AdamOptimizer

ROOT = Path(__file__).resolve().parents[1]


def build(config: Params):
    reader = DatasetReader.from_params(config.pop("dataset_reader"))
    loader_params = config.pop("data_loader")
    train = DataLoader.from_params(loader_params.duplicate(), reader=reader, data_path=ROOT / config["train_data_path"])
    dev = DataLoader.from_params(loader_params, reader=reader, data_path=ROOT / config["validation_data_path"])
    vocab = Vocabulary.from_params(config.pop("vocabulary"), instances=list(train.iter_instances()) + list(dev.iter_instances()))
    train.index_with(vocab)
    dev.index_with(vocab)
    model = Model.from_params(config.pop("model"), vocab=vocab)
    return model, train, dev


def run_trainer(model, train, dev, initial, lr, epoch) -> float:
    """One epoch (number `epoch`, so the loader yields that epoch's batches) of the real trainer."""
    model.load_state_dict(initial)
    with tempfile.TemporaryDirectory() as folder:
        trainer = GradientDescentTrainer(model, train, dev, serialization_dir=folder,
                                         optimizer=AdamOptimizer(list(model.named_parameters()), lr=lr),
                                         num_epochs=epoch + 1, validation_metric="+accuracy")
        trainer.epoch = epoch  # as if resumed after `epoch` epochs: train() runs exactly one
        start = time.perf_counter()
        trainer.train()
        return time.perf_counter() - start


def run_plain(model, train_batches, dev_batches, initial, lr) -> float:
    model.load_state_dict(initial)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    model.train()
    for batch in train_batches:
        loss = model(**batch)["loss"]
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    model.get_metrics(reset=True)
    model.eval()
    with torch.inference_mode():
        for batch in dev_batches:
            model(**batch)
    model.get_metrics(reset=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    config = Params.from_file(ROOT / "configs/bag_of_embeddings.jsonnet")
    lr = config["trainer"]["optimizer"]["lr"]
    model, train, dev = build(config)
    initial = copy.deepcopy(model.state_dict())
    # Warm-up, untimed: torch's first optimizer builds import torch._dynamo (seconds, once per process).
    run_plain(model, list(train)[:2], [], initial, lr)
    trainer_times, plain_times = [], []
    for repeat in range(args.repeats):
        train.set_epoch(repeat)
        train_batches, dev_batches = list(train), list(dev)  # the batches of this epoch, as tensors
        trainer_times.append(run_trainer(model, train, dev, initial, lr, repeat))
        plain_times.append(run_plain(model, train_batches, dev_batches, initial, lr))
    trainer, plain = statistics.median(trainer_times), statistics.median(plain_times)
    print(f"trainer epochs (s): {[round(t, 3) for t in trainer_times]}")
    print(f"plain epochs (s):   {[round(t, 3) for t in plain_times]}")
    print(f"| bag_of_embeddings, movie_review train+dev | {trainer:.3f} | {plain:.3f} | {trainer / plain:.3f} |")


if __name__ == "__main__":
    main()
