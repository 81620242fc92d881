"""Exercise 3.3: several workers, the same effective batch."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Mapping

from course.checks.core import CheckFailed, call_learner, learner_object, type_name


def _tiny_reviews(count: int, seed: int) -> str:
    """`count` made-up reviews as TSV lines: one sentiment word among filler words decides the label."""
    import random

    rng = random.Random(seed)
    lines = []
    for index in range(count):
        label = "pos" if index % 2 == 0 else "neg"
        words = [rng.choice(["the", "film", "plot", "was", "a", "cast", "story"]) for _ in range(rng.randint(1, 6))]
        words.insert(rng.randint(0, len(words)), rng.choice(["good", "great"] if label == "pos" else ["bad", "dull"]))
        lines.append(f"{' '.join(words)}\t{label}\n")
    return "".join(lines)


def _train_cli(config_file: Path, run_dir: Path, overrides: Any) -> None:
    """`swapnlp train` in a subprocess (its workers' output stays out of the notebook); a failure is a CheckFailed."""
    import os
    import subprocess
    import sys

    overrides_text = overrides if isinstance(overrides, str) else json.dumps(overrides)
    result = subprocess.run([sys.executable, "-m", "swapnlp", "train", str(config_file), "-s", str(run_dir),
                             "-o", overrides_text], capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, OMP_NUM_THREADS="1"))
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CheckFailed(f"training with your overrides failed: {last}")


def check_distributed_overrides(namespace: Mapping[str, Any]) -> str:
    import copy

    import torch

    from swapnlp.common.errors import ConfigurationError
    from swapnlp.common.params import with_overrides
    from swapnlp.training.checkpointer import load_weights

    function = learner_object(namespace, "ddp_overrides", "the ddp_overrides function")
    if not callable(function):
        raise CheckFailed("ddp_overrides must be a function of (cuda_devices, effective_batch_size)")
    base = {"dataset_reader": {"type": "classification-tsv"}, "train_data_path": "train.tsv",
            "validation_data_path": "dev.tsv",
            "model": {"type": "simple_classifier",
                      "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
                      "encoder": {"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": True}},
            "data_loader": {"batch_size": 16, "shuffle": False},
            # fp32: the weights are compared to 1e-5, closer than bf16 rounding (chosen by "auto" on some CPUs) keeps
            "trainer": {"optimizer": {"type": "adam", "lr": 0.05}, "num_epochs": 2, "validation_metric": "-loss",
                        "enable_progress_bar": False, "autocast": "fp32"},
            "random_seed": 5}
    for devices, effective in (([-1, -1], 16), ([0, 1, 2, 3], 64), ([1, 3], 48), ([-1], 8)):
        what = f"ddp_overrides({devices}, {effective})"
        overrides = call_learner(what, function, list(devices), effective)
        if not isinstance(overrides, (dict, str)):
            raise CheckFailed(f"{what} must return the overrides as a dict (like -o takes), not a "
                              f"{type_name(overrides)}")
        try:
            config = with_overrides(copy.deepcopy(base), overrides)
        except ConfigurationError as error:
            raise CheckFailed(f"{what} gives overrides that cannot be applied: {error}") from None
        got = config.get("distributed", {}).get("cuda_devices") if isinstance(config.get("distributed"), dict) else None
        if got != devices:
            raise CheckFailed(f'{what}: the top-level "distributed": {{"cuda_devices": ...}} must list the devices '
                              f"you were given, one worker each; your config has {got!r}")
        if "cuda_device" in config.get("trainer", {}) or "cuda_devices" in config.get("trainer", {}):
            raise CheckFailed(f"{what} sets a device under trainer: leave the trainer alone, the distributed list "
                              f"gives each worker its device")
        batch = config.get("data_loader", {}).get("batch_size")
        if not isinstance(batch, int) or batch * len(devices) != effective:
            raise CheckFailed(f"{what}: with {len(devices)} worker(s) and data_loader.batch_size {batch!r}, one "
                              f"optimizer step sees {batch * len(devices) if isinstance(batch, int) else '?'} "
                              f"instances, not the effective batch of {effective}: batch_size counts per worker")
        changed = sorted(key for key in set(base) | set(config)
                         if key not in ("distributed", "data_loader") and config.get(key) != base.get(key))
        loader_rest = {k: v for k, v in config["data_loader"].items() if k != "batch_size"}
        if changed or loader_rest != {k: v for k, v in base["data_loader"].items() if k != "batch_size"}:
            raise CheckFailed(f"{what} changes more than the devices and the batch size "
                              f"({', '.join(changed) or 'data_loader'}): keep the rest of the experiment as it is")

    # Really train: two CPU workers with your overrides vs one process with the whole batch.
    with tempfile.TemporaryDirectory(prefix="swapnlp-check-3.3-") as folder:
        work = Path(folder)
        (work / "train.tsv").write_text(_tiny_reviews(32, 1), "utf-8")
        (work / "dev.tsv").write_text(_tiny_reviews(16, 2), "utf-8")
        config = dict(base, train_data_path=str(work / "train.tsv"), validation_data_path=str(work / "dev.tsv"))
        config_file = work / "config.json"
        config_file.write_text(json.dumps(config), "utf-8")
        _train_cli(config_file, work / "one", {})
        _train_cli(config_file, work / "two", function([-1, -1], 16))
        one, two = load_weights(work / "one" / "best.safetensors"), load_weights(work / "two" / "best.safetensors")
        metrics = json.loads((work / "two" / "metrics.json").read_text("utf-8"))
    if metrics.get("epoch") != 2 or not all(torch.allclose(one[name], two[name], atol=1e-5) for name in one):
        raise CheckFailed("two CPU workers with your overrides did not end with the weights of one process that "
                          "sees the same 16 reviews per step: check the batch size per worker")
    return ("one worker per device, the same effective batch: two CPU workers end with exactly the weights of one "
            "process, which is what DDP promises on GPUs too.")
