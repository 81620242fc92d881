"""Test accuracy against the number of training examples: a bag of embeddings and a pretrained transformer trained
on the same sampled subsets, on full movie reviews and on one-sentence snippets.

    python benchmarks/learning_curve.py                      # every missing run (hours on a CPU; resumable)
    python benchmarks/learning_curve.py --data movie_review --sizes 50 200 --seeds 1
    python benchmarks/learning_curve.py --cuda-device 0      # on a GPU: minutes
    python benchmarks/learning_curve.py --summary            # the table (medians, paired differences)
    python benchmarks/learning_curve.py --plot               # benchmarks/results/learning_curve.png

Each run appends one JSON line to benchmarks/results/learning_curve.jsonl: config, data, train_size, seed,
test_accuracy, dev_accuracy, seconds, cpu, epochs, and `test_correct` (one 0/1 per test example, in file order)
so that two configs can be compared on the very same test examples. Finished rows are skipped.

What each run sees:
- the training subset: `train_size` examples drawn per seed, stratified by label, nested (the 200 of a seed contain
  its 50), written to runs/learning_curve/subsets/ and shared by both configs;
- the whole dev set (for choosing the best epoch) and the whole test set;
- the config as shipped, except that a small subset gets more epochs, so that every run takes at least
  `--min-steps` optimizer steps (the same rule for both configs; patience still stops a run early).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "lib"), str(REPO / "benchmarks")]

RESULTS = REPO / "benchmarks" / "results" / "learning_curve.jsonl"
CONFIGS = ("configs/bag_of_embeddings.jsonnet", "configs/bert_cpu.jsonnet")
SIZES = {"movie_review": (50, 200, 500, 1100), "movie_sentences": (50, 200, 1000, 10202)}
BATCH_SIZE = 16  # both configs' data_loader.batch_size: used to count optimizer steps


def read_tsv(path: Path) -> List[Tuple[str, str]]:
    """(text, label) pairs of a `text<TAB>label` file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text, label = line.rsplit("\t", 1)
            rows.append((text, label))
    return rows


def stratified_order(rows: Sequence[Tuple[str, str]], seed: int) -> List[int]:
    """An order of the row indices in which every prefix keeps the labels' proportions (as far as it can):
    each label's rows are shuffled, then dealt out in turn, the label furthest behind its share first."""
    rng = random.Random(seed)
    by_label: Dict[str, List[int]] = defaultdict(list)
    for index, (_, label) in enumerate(rows):
        by_label[label].append(index)
    for indices in by_label.values():
        rng.shuffle(indices)
    taken = {label: 0 for label in by_label}
    order = []
    for step in range(1, len(rows) + 1):
        label = max(by_label, key=lambda lab: (len(by_label[lab]) * step / len(rows) - taken[lab], lab)
                    if taken[lab] < len(by_label[lab]) else (-math.inf, lab))
        order.append(by_label[label][taken[label]])
        taken[label] += 1
    return order


def write_subset(data: str, size: int, seed: int, folder: Path) -> Path:
    """The first `size` training examples of the seed's stratified order, as a TSV file (the whole file if all)."""
    source = REPO / "data" / data / "train.tsv"
    rows = read_tsv(source)
    if size >= len(rows):
        return source
    path = folder / f"{data}-n{size}-seed{seed}.tsv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        chosen = stratified_order(rows, seed)[:size]
        path.write_text("".join(f"{rows[i][0]}\t{rows[i][1]}\n" for i in chosen), encoding="utf-8")
    return path


def epochs_for(config_epochs: int, train_size: int, min_steps: int) -> int:
    """The config's epochs, or more where a small subset would otherwise get fewer than `min_steps` steps."""
    steps_per_epoch = math.ceil(train_size / BATCH_SIZE)
    return max(config_epochs, math.ceil(min_steps / steps_per_epoch))


def test_correct(archive: Path, test_path: Path, cuda_device: int) -> List[int]:
    """1 where the trained model predicts a test example's label, else 0 (in file order)."""
    from swapnlp.predictors import Predictor

    predictor = Predictor.from_path(archive, cuda_device=cuda_device)
    rows = read_tsv(test_path)
    correct = []
    for start in range(0, len(rows), 32):
        batch = rows[start:start + 32]
        outputs = predictor.predict_batch_json([{"sentence": text} for text, _ in batch])
        correct += [int(output["label"] == label) for output, (_, label) in zip(outputs, batch)]
    return correct


def run_one(config: str, data: str, size: int, seed: int, min_steps: int, cuda_device: int,
            runs: Path) -> Dict[str, Any]:
    """Train `config` on the subset with `seed`; -> the result row (without the machine)."""
    from swapnlp.common.params import Params

    config_epochs = Params.from_file(REPO / config).as_dict()["trainer"]["num_epochs"]
    train_path = write_subset(data, size, seed, runs / "subsets")
    data_dir = REPO / "data" / data
    epochs = epochs_for(config_epochs, size, min_steps)
    overrides = {"random_seed": seed, "train_data_path": str(train_path),
                 "validation_data_path": str(data_dir / "dev.tsv"), "test_data_path": str(data_dir / "test.tsv"),
                 "trainer": {"num_epochs": epochs, "enable_progress_bar": False}}
    if cuda_device >= 0:
        overrides["trainer"]["cuda_device"] = cuda_device
    folder = runs / data / f"{Path(config).stem}-n{size}-seed{seed}"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "swapnlp", "train", config, "-s", str(folder), "--force",
                    "-o", json.dumps(overrides)], cwd=REPO, check=True)
    seconds = time.perf_counter() - start
    metrics = json.loads((folder / "metrics.json").read_text())
    correct = test_correct(folder / "model.tar.gz", data_dir / "test.tsv", cuda_device)
    for heavy in [*folder.glob("*.th"), *folder.glob("*.tar.gz"), *folder.glob("*.safetensors")]:
        heavy.unlink()  # a transformer's weights are ~90 MB a run; the numbers are what we keep
    return {"config": config, "data": data, "train_size": size, "seed": seed,
            "test_accuracy": round(sum(correct) / len(correct), 4),
            "dev_accuracy": metrics.get("best_validation_accuracy"), "seconds": round(seconds, 1),
            "epochs": epochs, "best_epoch": metrics.get("best_epoch"),
            "test_correct": "".join(map(str, correct))}


def load_rows(path: Path) -> List[Dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def bootstrap_interval(per_seed: List[List[int]], draws: int = 2000, seed: int = 0) -> Tuple[float, float]:
    """95% interval of the seeds' mean accuracy, resampling the test examples (the same draw for every seed).
    `per_seed`: one 0/1 (or -1/0/1, for differences) list per seed, all over the same test examples."""
    import numpy as np

    scores = np.asarray(per_seed, dtype=float).mean(axis=0)  # per test example, averaged over seeds
    rng = np.random.default_rng(seed)
    means = scores[rng.integers(0, len(scores), size=(draws, len(scores)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def summarize(rows: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Per data set and size: each config's median test accuracy over its seeds, and the transformer minus the
    bag of embeddings on the seeds both have: the mean difference, its 95% paired bootstrap interval over the test
    examples (how much a different test set could move it), and each seed's own difference (how much a different
    training sample and initialisation move it)."""
    import statistics

    grouped: Dict[Tuple[str, int], Dict[str, Dict[int, Dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        grouped[(row["data"], row["train_size"])][row["config"]][row["seed"]] = row
    table = []
    for (data, size), by_config in sorted(grouped.items()):
        entry: Dict[str, Any] = {"data": data, "train_size": size}
        for config, by_seed in by_config.items():
            entry[Path(config).stem] = {"median": statistics.median(r["test_accuracy"] for r in by_seed.values()),
                                        "seeds": len(by_seed)}
        boe, bert = (by_config.get(config, {}) for config in CONFIGS)
        shared = sorted(set(boe) & set(bert))
        if shared:
            diffs = [[int(b) - int(a) for a, b in zip(boe[s]["test_correct"], bert[s]["test_correct"])]
                     for s in shared]
            entry["difference"] = {"mean": sum(map(sum, diffs)) / (len(diffs) * len(diffs[0])),
                                   "interval": bootstrap_interval(diffs), "seeds": len(shared),
                                   "per_seed": [sum(diff) / len(diff) for diff in diffs]}
        table.append(entry)
    return table


def seeds(count: int) -> str:
    return f"{count} seed" if count == 1 else f"{count} seeds"


def format_summary(table: List[Dict[str, Any]]) -> str:
    """The summary as a Markdown table."""
    boe, bert = (Path(config).stem for config in CONFIGS)
    lines = [f"| data | train size | {boe} (median) | {bert} (median) | {bert} - {boe} (mean, 95% interval) "
             f"| per seed |", "|---|---|---|---|---|---|"]
    for entry in table:
        cells = [f"{entry[name]['median']:.3f} ({seeds(entry[name]['seeds'])})" if name in entry else "-"
                 for name in (boe, bert)]
        diff = entry.get("difference")
        gap = (f"{diff['mean']:+.3f} ({diff['interval'][0]:+.3f} to {diff['interval'][1]:+.3f})" if diff else "-")
        per_seed = " / ".join(f"{d:+.3f}" for d in diff["per_seed"]) if diff else "-"
        lines.append(f"| {entry['data']} | {entry['train_size']} | {cells[0]} | {cells[1]} | {gap} | {per_seed} |")
    return "\n".join(lines)


def plot(rows: List[Dict[str, Any]], path: Path | None = None):
    """One panel per data set: each run as a faint dot, each config's seed mean as a line, and its 95% bootstrap
    interval over the test examples as a band. -> the matplotlib Figure (saved to `path` if given)."""
    from matplotlib.figure import Figure  # not pyplot: no global figure that a notebook would show a second time

    datasets = [data for data in SIZES if any(row["data"] == data for row in rows)]
    figure = Figure(figsize=(5.5 * len(datasets), 4))
    axes = figure.subplots(1, len(datasets), squeeze=False)
    for axis, data in zip(axes[0], datasets):
        for config, colour in zip(CONFIGS, ("tab:blue", "tab:orange")):
            runs = [row for row in rows if row["data"] == data and row["config"] == config]
            sizes = sorted({row["train_size"] for row in runs})
            if not sizes:
                continue
            axis.scatter([r["train_size"] for r in runs], [r["test_accuracy"] for r in runs], s=12,
                         color=colour, alpha=0.35)
            means, lows, highs = [], [], []
            for size in sizes:
                correct = [[int(c) for c in r["test_correct"]] for r in runs if r["train_size"] == size]
                means.append(sum(map(sum, correct)) / (len(correct) * len(correct[0])))
                low, high = bootstrap_interval(correct)
                lows.append(low)
                highs.append(high)
            axis.plot(sizes, means, marker="o", color=colour, label=Path(config).stem)
            axis.fill_between(sizes, lows, highs, color=colour, alpha=0.15)
        test_size = len(read_tsv(REPO / "data" / data / "test.tsv"))
        axis.set(xscale="log", title=f"{data} ({test_size} test examples)", xlabel="training examples",
                 ylabel="test accuracy")
        axis.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
        axis.legend(loc="lower right")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS))
    parser.add_argument("--data", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--sizes", type=int, nargs="*", help="default: 4 sizes per data set, up to all of it")
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--min-steps", type=int, default=100)
    parser.add_argument("--cuda-device", type=int, default=-1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--runs", type=Path, default=REPO / "runs" / "learning_curve")
    parser.add_argument("--summary", action="store_true", help="print the table of --out and stop")
    parser.add_argument("--plot", type=Path, nargs="?", const=REPO / "benchmarks" / "results" / "learning_curve.png",
                        help="draw --out to this PNG and stop")
    args = parser.parse_args()
    rows = load_rows(args.out)
    if args.summary or args.plot:
        if args.summary:
            print(format_summary(summarize(rows)))
        if args.plot:
            plot(rows, args.plot)
            print(f"wrote {args.plot}")
        return
    from machine import describe_machine  # benchmarks/machine.py

    machine = describe_machine()
    print(machine["summary"], flush=True)
    done = {(r["config"], r["data"], r["train_size"], r["seed"]) for r in rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for data in args.data:
        for size in args.sizes or SIZES[data]:
            for seed in args.seeds:
                for config in args.configs:
                    if (config, data, size, seed) in done:
                        continue
                    row = {**run_one(config, data, size, seed, args.min_steps, args.cuda_device, args.runs),
                           "cpu": machine["summary"]}
                    print(json.dumps({k: v for k, v in row.items() if k != "test_correct"}), flush=True)
                    with open(args.out, "a", encoding="utf-8") as out:
                        out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
