"""Trainer overhead: swapnlp's trainer vs a plain hand-written PyTorch loop doing the same work.

Same model (built from configs/bag_of_embeddings.jsonnet), same data (data/movie_review), same batches:
the plain loop iterates the same DataLoader at the same epoch (so both pay the same for batching); a
second plain variant gets those batches ready-made as tensors, which also charges batching to the trainer. Both run one epoch of training plus one pass over the dev set, from the
same initial weights, interleaved (trainer, plain, trainer, plain, ...) so both see the same machine.
The trainer's epoch includes everything it does for a learner: progress bar, metrics, checkpoint.

    python benchmarks/trainer_overhead.py [--repeats 5]
Prints the machine (benchmarks/machine.py), then Markdown rows; each ratio is median(trainer) / median(plain).
One untimed warm-up step first.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from swapnlp.common.params import Params
from swapnlp.data import DataLoader, DatasetReader, Vocabulary
from swapnlp.models import Model
from swapnlp.training import GradientDescentTrainer
from swapnlp.training.optimizers import AdamOptimizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

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


def run_trainer(model, train, dev, initial, lr) -> float:
    """The first epoch of a fresh run of the real trainer."""
    model.load_state_dict(initial)
    with tempfile.TemporaryDirectory() as folder:
        trainer = GradientDescentTrainer(model, train, dev, serialization_dir=folder,
                                         optimizer=AdamOptimizer(list(model.named_parameters()), lr=lr),
                                         num_epochs=1, validation_metric="+accuracy")
        start = time.perf_counter()
        trainer.train()
        return time.perf_counter() - start


def run_plain(model, train_batches, dev_batches, initial, lr) -> float:
    """The same epoch by hand: forward, backward, step over the given batches, then the dev batches."""
    model.load_state_dict(initial)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    model.train()
    for batch in train_batches:
        loss = model(**batch)["loss"]
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)  # as the trainer does: reuse gradient buffers
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
    print(describe_machine()["summary"], flush=True)
    torch.manual_seed(0)
    config = Params.from_file(ROOT / "configs/bag_of_embeddings.jsonnet")
    lr = config["trainer"]["optimizer"]["lr"]
    model, train, dev = build(config)
    initial = copy.deepcopy(model.state_dict())
    # Warm-up, untimed: torch's first optimizer builds import torch._dynamo (seconds, once per process).
    run_plain(model, list(train)[:2], [], initial, lr)
    trainer_times, plain_times = [], []
    train.set_epoch(0)  # the trainer's first epoch uses epoch 0's batches: so does the plain loop
    train_batches, dev_batches = list(train), list(dev)
    loader_times = []
    for _ in range(args.repeats):
        trainer_times.append(run_trainer(model, train, dev, initial, lr))
        plain_times.append(run_plain(model, train, dev, initial, lr))  # iterates the same data loaders
        loader_times.append(run_plain(model, train_batches, dev_batches, initial, lr))  # batches made beforehand
    trainer = statistics.median(trainer_times)
    for name, times in (("plain loop over the same DataLoader", plain_times),
                        ("plain loop over ready-made tensor batches", loader_times)):
        print(f"{name} (s): {[round(t, 3) for t in times]}")
        plain = statistics.median(times)
        print(f"| trainer vs {name} | {trainer:.3f} | {plain:.3f} | {trainer / plain:.3f} |")
    print(f"trainer epochs (s): {[round(t, 3) for t in trainer_times]}")


if __name__ == "__main__":
    main()
