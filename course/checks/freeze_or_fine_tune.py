"""Exercise 3.3: freeze the transformer or fine-tune it, and compare the two runs.

Judged by what the two finished runs did to the transformer's weights: the frozen run's weights equal the
pretrained ones, tensor by tensor; the fine-tuned run changed some of them. How the learner freezes (the
embedder's train_parameters) and how much they fine-tune (every layer, the top ones with train_layers, with or
without cached frozen layers), the optimizer and the epochs are theirs; the data stays as in transformer.jsonnet.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from course.checks.core import CheckFailed, learner_object
from course.checks.transformer_swap import learner_experiment_configs

KINDS_3_3 = ("frozen", "fine_tuned")
FREE_PARTS = ("model.embedder", "model.encoder", "trainer")
TRANSFORMER = ".transformer."  # PretrainedTransformerEmbedder keeps the model as self.transformer


def _embedder_model(config: Mapping[str, Any], kind: str) -> str:
    embedders = ((config.get("model") or {}).get("embedder") or {}).get("token_embedders") or {}
    names = [e.get("model_name") for e in embedders.values()
             if isinstance(e, dict) and e.get("type") == "pretrained_transformer"]
    if len(names) != 1 or not isinstance(names[0], str):
        raise CheckFailed(f"your {kind} config must keep the one pretrained_transformer token embedder of "
                          f"transformer.jsonnet")
    return names[0]


def _run_result(namespace: Mapping[str, Any], kind: str, config: Mapping[str, Any], run_dir: Path) -> Dict[str, Any]:
    """The run's weights, once sure it is a finished run of exactly `config` whose accuracy RESULTS reports."""
    from swapnlp.nn.weights import load_weights

    try:
        trained = json.loads((run_dir / "config.json").read_text("utf-8"))
        metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
        weights = load_weights(run_dir / "best.safetensors")
    except Exception:
        raise CheckFailed(f"no finished training run of your {kind} config was found: run the training cell") from None
    if trained != config:
        raise CheckFailed(f"the last {kind} run used another config than experiment_configs() returns now: run the "
                          f"training cell again")
    results = learner_object(namespace, "RESULTS", "RESULTS (the training cell)")
    reported = results.get(kind) if isinstance(results, dict) else None
    best = metrics.get("best_validation_accuracy")
    if not isinstance(reported, (int, float)) or best is None or not math.isclose(float(reported), best,
                                                                                    abs_tol=1e-9):
        raise CheckFailed(f'RESULTS["{kind}"] must be the best dev accuracy of your {kind} run, as the training '
                          f"cell sets it")
    return weights


def moved_tensors(weights: Mapping[str, Any], model_name: str) -> Tuple[List[str], int]:
    """(names of the transformer's tensors that differ from the pretrained ones, how many were compared)."""
    import torch

    from swapnlp.pretrained.loading import load_model

    pretrained = load_model(model_name).state_dict()
    moved, compared = [], 0
    for key, tensor in weights.items():
        if TRANSFORMER not in key:
            continue
        name = key.split(TRANSFORMER, 1)[1]
        if name in pretrained and pretrained[name].shape == tensor.shape:
            compared += 1
            if not torch.equal(pretrained[name].float(), tensor.float()):
                moved.append(name)
    return moved, compared


def check_freeze_or_fine_tune(namespace: Mapping[str, Any]) -> str:
    why = "keep the data and the reader as in transformer.jsonnet, so the two runs compare freezing with fine-tuning"
    work_dir, base, configs = learner_experiment_configs(namespace, KINDS_3_3, FREE_PARTS, why)
    base_model = _embedder_model(base, "transformer.jsonnet")
    for kind in KINDS_3_3:
        config = configs[kind]
        if _embedder_model(config, kind) != base_model:
            raise CheckFailed(f"your {kind} config names another pretrained model: keep {base_model!r} so both "
                              f"runs start from the same weights")
        weights = _run_result(namespace, kind, config, work_dir / "runs" / kind)
        moved, compared = moved_tensors(weights, base_model)
        if not compared:
            raise CheckFailed(f"the {kind} run's weights hold no transformer weights to compare")
        if kind == "frozen" and moved:
            layers = "only some layers" if len(moved) < compared else "every layer"
            raise CheckFailed(f"your frozen run changed {len(moved)} of the transformer's {compared} weight tensors "
                              f"({layers}, e.g. {moved[-1]}): a frozen transformer keeps every pretrained weight; "
                              f"train_layers still trains the top layers, train_parameters: false freezes them all")
        if kind == "fine_tuned" and not moved:
            raise CheckFailed("your fine_tuned run left every transformer weight as it was: fine-tuning lets the "
                              "transformer's weights (or its top layers) learn, so leave train_parameters true and "
                              "the learning rate above 0")
    return ("the frozen run kept every pretrained weight and trained only the layers on top; the fine-tuned run "
            "moved the transformer's own weights: two runs, compared by accuracy and time.")
