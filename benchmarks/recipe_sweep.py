"""Fine-tuning recipes x seeds for configs/bert.jsonnet, run side by side, one `swapnlp train` each.

On a 2-core laptop one movie_review run takes ~8 minutes, so comparing recipes over several seeds takes
hours; on a GPU a run takes seconds, and several run at once. This script runs every (recipe, seed) pair
as its own process (the same code path as `swapnlp train config -o ...`), `--parallel` at a time, and
appends one JSON line per finished run to `--out`: recipe, seed, dev accuracy of the best epoch, test
accuracy, epochs, seconds, and the machine it ran on (benchmarks/machine.py, measured once at the start).
A recipe is a set of overrides of the config (RECIPES below).

    python benchmarks/recipe_sweep.py --cuda-device 0 --parallel 8 --seeds 1 2 3 4 5 --out sweep.jsonl
    python benchmarks/recipe_sweep.py --summarize sweep.jsonl       # median/mean per recipe

A GPU's numbers are not a laptop's (other kernels, other random numbers for dropout): use a sweep to
choose a recipe, then confirm the choice on the machine you report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "bert.jsonnet"


def _fold(length: int) -> Dict[str, Any]:
    """Whole reviews: no truncation; the indexer cuts wordpieces into segments of `length`, the embedder
    embeds each segment and re-joins them."""
    return {"dataset_reader": {"tokenizer": {"max_length": None},
                               "token_indexers": {"bert": {"max_length": length}}},
            "model": {"embedder": {"token_embedders": {"bert": {"max_length": length}}}}}


def _trainer(**settings: Any) -> Dict[str, Any]:
    optimizer = {key: settings.pop(key) for key in ("lr", "weight_decay") if key in settings}
    return {"trainer": {**settings, **({"optimizer": optimizer} if optimizer else {})}}


def _merge(*parts: Dict[str, Any]) -> Dict[str, Any]:
    merged: Dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge(merged[key], value)
            else:
                merged[key] = value
    return merged


RECIPES: Dict[str, Dict[str, Any]] = {
    "shipped": {},
    "epochs4": _trainer(num_epochs=4),
    "lr3e-5_epochs5": _trainer(lr=3e-5, num_epochs=5),
    "lr8e-5": _trainer(lr=8e-5),
    "batch8": {"data_loader": {"batch_size": 8}},
    "head+tail": {"dataset_reader": {"tokenizer": {"truncation": "head+tail"}}},
    "fold512": _fold(512),
    "fold512_epochs4": _merge(_fold(512), _trainer(num_epochs=4)),
    "fold256": _fold(256),
    "fold256_epochs4": _merge(_fold(256), _trainer(num_epochs=4)),
    "fold256_lr8e-5": _merge(_fold(256), _trainer(lr=8e-5)),
    "fold256_epochs4_lr8e-5": _merge(_fold(256), _trainer(num_epochs=4, lr=8e-5)),
    "fold256_epochs4_lr3e-5": _merge(_fold(256), _trainer(num_epochs=4, lr=3e-5)),
    "fold256_epochs5": _merge(_fold(256), _trainer(num_epochs=5)),
}


def run_one(recipe: str, seed: int, args: argparse.Namespace) -> Dict[str, Any]:
    """Train one (recipe, seed) in its own process -> its result line."""
    run_dir = Path(args.runs) / f"{recipe}_s{seed}"
    overrides = _merge(RECIPES[recipe], {"random_seed": seed, "trainer": {"cuda_device": args.cuda_device,
                                                                          "enable_progress_bar": False}})
    if args.model_name:
        name = args.model_name
        overrides = _merge(overrides, {
            "dataset_reader": {"tokenizer": {"model_name": name}, "token_indexers": {"bert": {"model_name": name}}},
            "model": {"embedder": {"token_embedders": {"bert": {"model_name": name}}},
                      "encoder": {"pretrained_model": name}}})
    if args.data_dir:
        overrides.update({f"{split}_data_path": str(Path(args.data_dir) / f"{file}.tsv")
                          for split, file in (("train", "train"), ("validation", "dev"), ("test", "test"))})
    command = [sys.executable, "-m", "swapnlp.commands.main", "train", str(args.config), "-s", str(run_dir),
               "--force", "-o", json.dumps(overrides)]
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO / "lib") + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OMP_NUM_THREADS": str(args.threads)}
    finished = subprocess.run(command, capture_output=True, text=True, env=env, timeout=args.run_timeout_s)
    result: Dict[str, Any] = {"recipe": recipe, "seed": seed, "seconds": round(time.perf_counter() - started, 1)}
    metrics_file = run_dir / "metrics.json"
    if finished.returncode != 0 or not metrics_file.exists():
        return {**result, "error": (finished.stderr or finished.stdout)[-2000:]}
    metrics = json.loads(metrics_file.read_text())
    return {**result, "dev": metrics.get("best_validation_accuracy"), "test": metrics.get("test_accuracy"),
            "best_epoch": metrics.get("best_epoch")}


def summarize(lines: List[Dict[str, Any]]) -> str:
    """One row per recipe: seeds run, median and mean of dev and test accuracy, median seconds."""
    rows = ["| recipe | seeds | dev median / mean | test median / mean | test per seed | median s |", "|---|---|---|---|---|---|"]
    for recipe in dict.fromkeys(line["recipe"] for line in lines):
        done = sorted((line for line in lines if line["recipe"] == recipe and "test" in line), key=lambda l: l["seed"])
        if not done:
            continue
        dev, test = [l["dev"] for l in done], [l["test"] for l in done]
        rows.append(f"| {recipe} | {len(done)} | {statistics.median(dev):.3f} / {statistics.mean(dev):.3f} | "
                    f"{statistics.median(test):.3f} / {statistics.mean(test):.3f} | "
                    f"{' '.join(f'{t:.3f}' for t in test)} | {statistics.median(l['seconds'] for l in done):.0f} |")
    return "\n".join(rows)


def machines(lines: List[Dict[str, Any]]) -> str:
    """Where the runs of a sweep ran: each recorded machine once (older sweeps did not record it)."""
    seen = dict.fromkeys(line["machine"]["summary"] if isinstance(line.get("machine"), dict) else
                         line.get("machine") or "(machine not recorded)" for line in lines)
    return "\n".join(f"runs measured on: {summary}" for summary in seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(CONFIG))
    parser.add_argument("--recipes", nargs="*", default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--cuda-device", type=int, default=-1)
    parser.add_argument("--parallel", type=int, default=1, help="runs at once")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per run")
    parser.add_argument("--model-name", help="replace the config's model_name everywhere (e.g. a folder)")
    parser.add_argument("--data-dir", help="folder with train.tsv, dev.tsv, test.tsv")
    parser.add_argument("--runs", default="runs/sweep")
    parser.add_argument("--out", default="runs/sweep.jsonl")
    parser.add_argument("--deadline-s", type=float, default=None, help="start no run after this many seconds")
    parser.add_argument("--run-timeout-s", type=float, default=3600)
    parser.add_argument("--summarize", metavar="JSONL", help="only print the table of an earlier sweep")
    args = parser.parse_args()
    if args.summarize:
        lines = [json.loads(l) for l in Path(args.summarize).read_text().splitlines() if l.strip()]
        print(machines(lines))
        print(summarize(lines))
        return
    machine = describe_machine()
    print(machine["summary"], flush=True)
    jobs = [(recipe, seed) for seed in args.seeds for recipe in args.recipes]  # every recipe's seed 1 first
    started, out = time.perf_counter(), Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def job(pair: Any) -> None:
        if args.deadline_s is not None and time.perf_counter() - started > args.deadline_s:
            return
        try:
            line = run_one(*pair, args)
        except subprocess.TimeoutExpired:
            line = {"recipe": pair[0], "seed": pair[1], "error": "timeout"}
        line["machine"] = machine
        with out.open("a") as handle:
            handle.write(json.dumps(line) + "\n")
        shown = {k: v for k, v in line.items() if k not in ("error", "machine")}
        print(json.dumps(shown | ({"error": "yes"} if "error" in line else {})), flush=True)

    with ThreadPoolExecutor(args.parallel) as pool:
        list(pool.map(job, jobs))
    print(summarize([json.loads(l) for l in out.read_text().splitlines() if l.strip()]))


if __name__ == "__main__":
    main()
