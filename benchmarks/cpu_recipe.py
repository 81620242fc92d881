"""The transformer recipe for CPUs without bf16 units (configs/bert_cpu.jsonnet): wall time, accuracy, and the
physical limit (the recipe's FLOPs over this CPU's measured fp32 matrix-multiply peak).

    python benchmarks/cpu_recipe.py --seeds 1 2 3            # one full `swapnlp train` per seed, one after another
    python benchmarks/cpu_recipe.py --flops-only              # just the FLOP accounting and the limit
    python benchmarks/cpu_recipe.py --config configs/bert.jsonnet --seeds 1   # the same for the full fine-tuning

Each run appends one JSON line to benchmarks/results/cpu_recipe.jsonl: config, seed, seconds (wall),
cpu_seconds (user + system of the run), test_accuracy, dev_accuracy (best epoch), and the machine.
To see on a bf16 CPU what an AVX2-only laptop does, restrict the kernels to AVX2 (fp32 ~141 GFLOP/s and
bf16 ~1.5 GFLOP/s on a Xeon, as on a Zen 3 laptop):
    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 python benchmarks/cpu_recipe.py ...
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "lib"), str(REPO / "benchmarks")]

from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)


def segment_lengths(config: Dict[str, Any], path: str) -> List[int]:
    """The length of every segment the model runs on for the texts of `path` (folded as the config says)."""
    from swapnlp.common.params import Params
    from swapnlp.data import DatasetReader

    reader_config = json.loads(json.dumps(config["dataset_reader"]))
    indexer = reader_config["token_indexers"]["bert"]
    segment = indexer.get("max_length") or 512
    reader = DatasetReader.from_params(Params(reader_config, "dataset_reader."))
    lengths = []
    for instance in reader.read(path):
        content = len(instance["text"].tokens) - 2  # without [CLS] and [SEP]
        pieces = max(1, math.ceil(content / (segment - 2)))
        lengths += [segment] * (pieces - 1) + [content - (pieces - 1) * (segment - 2) + 2]
    return lengths


def forward_flops_per_layer(lengths: List[int], hidden: int, intermediate: int) -> float:
    """One transformer layer's forward FLOPs over segments of these lengths: the linear maps (query, key,
    value, output, two feed-forward) for every position, and attention (scores and weighted sum) per segment."""
    linear = 2 * (4 * hidden * hidden + 2 * hidden * intermediate) * sum(lengths)
    attention = sum(2 * 2 * length * length * hidden for length in lengths)
    return float(linear + attention)


def recipe_flops(config: Dict[str, Any]) -> Dict[str, float]:
    """FLOPs of one full run: the frozen layers once over every split (when cached), then each epoch the trained
    layers forward and backward (3x forward) over train and forward over dev, then forward over test."""
    from transformers import AutoConfig

    from swapnlp.pretrained import resolve_model_path

    embedder = config["model"]["embedder"]["token_embedders"]["bert"]
    model = AutoConfig.from_pretrained(resolve_model_path(embedder["model_name"]))
    layers = model.num_hidden_layers
    trained = embedder.get("train_layers") or layers
    cached = bool(embedder.get("cache_frozen_layers"))
    per_layer = {split: forward_flops_per_layer(segment_lengths(config, config[f"{split}_data_path"]),
                                                model.hidden_size, model.intermediate_size)
                 for split in ("train", "validation", "test")}
    epochs = config["trainer"]["num_epochs"]
    frozen = layers - trained
    if cached:
        frozen_flops = frozen * sum(per_layer.values())
    else:  # the frozen layers run forward every time a text is seen
        frozen_flops = frozen * (epochs * (per_layer["train"] + per_layer["validation"]) + per_layer["test"])
    trained_flops = trained * (epochs * (3 * per_layer["train"] + per_layer["validation"]) + per_layer["test"])
    return {"frozen_layers": frozen_flops, "trained_layers": trained_flops, "total": frozen_flops + trained_flops,
            "tokens_per_epoch": per_layer["train"]}


def run_seed(config_file: str, seed: int, folder: Path) -> Dict[str, Any]:
    """One `swapnlp train` run; -> wall and CPU seconds and the accuracies from its metrics.json."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "swapnlp", "train", config_file, "-s", str(folder), "--force",
                    "-o", json.dumps({"random_seed": seed, "trainer": {"enable_progress_bar": False}})],
                   cwd=REPO, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    metrics = json.loads((folder / "metrics.json").read_text())
    return {"seconds": round(seconds, 1),
            "cpu_seconds": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
            "test_accuracy": metrics.get("test_accuracy"), "dev_accuracy": metrics.get("best_validation_accuracy"),
            "best_epoch": metrics.get("best_epoch")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/bert_cpu.jsonnet")
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "cpu_recipe.jsonl"))
    parser.add_argument("--flops-only", action="store_true")
    parser.add_argument("--fp32-gflops", type=float, help="the fp32 peak for the limit (default: measured now; on a "
                                                          "busy machine take it from a quiet `python benchmarks/machine.py`)")
    args = parser.parse_args()
    from swapnlp.common.params import Params

    machine = describe_machine()
    print(machine["summary"])
    config = Params.from_file(REPO / args.config).as_dict()
    flops = recipe_flops(config)
    peak = (args.fp32_gflops or machine["fp32_gflops"]) * 1e9
    print(f"{args.config}: {flops['total'] / 1e12:.1f} TFLOP in a full run (frozen layers "
          f"{flops['frozen_layers'] / 1e12:.1f}, trained layers {flops['trained_layers'] / 1e12:.1f}); at this CPU's "
          f"fp32 peak ({peak / 1e9:.0f} GFLOP/s) that is {flops['total'] / peak / 60:.1f} "
          f"minutes at the very least")
    if args.flops_only:
        return
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        result = run_seed(args.config, seed, REPO / "runs" / "cpu_recipe" / f"{Path(args.config).stem}-seed{seed}")
        row = {"config": args.config, "seed": seed, **result, "limit_seconds": round(flops["total"] / peak, 1),
               "machine": machine["summary"]}
        print(json.dumps(row), flush=True)
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
