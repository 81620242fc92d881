"""Distributed training on the CPU: 2 worker processes (gloo) vs 1 process, bag-of-embeddings epochs.

Each run is a real `swapnlp train configs/bag_of_embeddings.jsonnet` (no early stopping, no test
evaluation, no progress bar) for a few epochs; the trainer's own epoch times (training + validation,
metrics_epoch_N.json, the first epoch left out as warm-up) and the wall time of the whole command (start-up,
reading the data, spawning the workers) are collected. Three variants, interleaved so that all of them see
the same machine:

- 1 process, batch_size 16 (the config as it is; torch uses every core),
- 1 process, batch_size 32 (the same effective batch, so the same number of optimizer steps, as 2 workers),
- 2 processes x batch_size 16 (each worker gets cores / 2 threads and half of the training data).

    python benchmarks/distributed.py [--repeats 3] [--epochs 3]
Prints the machine (benchmarks/machine.py), then Markdown rows: medians, and ratios against the 1-process run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "bag_of_embeddings.jsonnet"
VARIANTS: Dict[str, dict] = {
    "1 process, batch 16": {},
    "1 process, batch 32": {"data_loader": {"batch_size": 32}},
    "2 processes x batch 16 (gloo)": {"distributed": {"cuda_devices": [-1, -1]}},
}


def run(overrides: dict, epochs: int) -> Tuple[List[float], float, float]:
    """-> (epoch times after the first, wall time of the command, best dev accuracy)."""
    base = {"trainer": {"num_epochs": epochs, "patience": None, "enable_progress_bar": False},
            "evaluate_on_test": False}
    merged = {**base, **overrides}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "swapnlp.commands.main", "train", str(CONFIG), "-s", folder,
                        "-o", json.dumps(merged)], cwd=ROOT, check=True, capture_output=True, env=os.environ)
        wall = time.perf_counter() - start
        epochs_s = [json.loads((Path(folder) / f"metrics_epoch_{n}.json").read_text())["epoch_duration_s"]
                    for n in range(1, epochs)]
        best = json.loads((Path(folder) / "metrics.json").read_text())["best_validation_accuracy"]
    return epochs_s, wall, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    print(describe_machine()["summary"], flush=True)
    epoch_times: Dict[str, List[float]] = {name: [] for name in VARIANTS}
    walls: Dict[str, List[float]] = {name: [] for name in VARIANTS}
    accuracies: Dict[str, List[float]] = {name: [] for name in VARIANTS}
    for repeat in range(args.repeats):
        for name, overrides in VARIANTS.items():
            times, wall, best = run(overrides, args.epochs)
            epoch_times[name] += times
            walls[name].append(wall)
            accuracies[name].append(best)
            print(f"# repeat {repeat + 1}: {name}: epochs {[round(t, 2) for t in times]} s, wall {wall:.1f} s",
                  file=sys.stderr)
    baseline = statistics.median(epoch_times["1 process, batch 16"])
    baseline_wall = statistics.median(walls["1 process, batch 16"])
    print(f"| variant | epoch median (s) | vs 1 process | whole command median (s) | vs 1 process | "
          f"best dev accuracy after {args.epochs} epochs (median) |")
    print("|---|---|---|---|---|---|")
    for name in VARIANTS:
        epoch, wall = statistics.median(epoch_times[name]), statistics.median(walls[name])
        print(f"| {name} | {epoch:.2f} | {epoch / baseline:.2f} | {wall:.1f} | {wall / baseline_wall:.2f} | "
              f"{statistics.median(accuracies[name]):.3f} |")


if __name__ == "__main__":
    main()
