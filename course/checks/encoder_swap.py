"""Exercise 2.1: swap the encoder in the config."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any, Dict, Mapping

from course.checks.core import CheckFailed, exercise_dir, learner_function_result

TARGET_ACCURACY_2_1 = 0.90
EXPERIMENT_RUN = "runs/experiment"  # where the 2.1 notebook trains the learner's config, inside WORK_DIR

def evaluate_config(text: str, work_dir: Path) -> Dict[str, Any]:
    """Evaluate Jsonnet text as if it were a file in `work_dir` (so `import "baseline.jsonnet"` works)."""
    from swapnlp.common import ConfigurationError, Params

    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonnet", prefix=".check-", dir=work_dir, delete=False,
                                         encoding="utf-8")
    try:
        with handle:
            handle.write(text)
        try:
            return Params.from_file(handle.name).as_dict()
        except ConfigurationError as error:
            detail = [line.strip() for line in str(error).splitlines()[1:] if line.strip()]
            raise CheckFailed("your config is not valid Jsonnet: " + (detail[0] if detail else str(error))
                              .replace(handle.name, "config")) from None
    finally:
        Path(handle.name).unlink(missing_ok=True)


def trained_accuracy(namespace: Mapping[str, Any], config: Dict[str, Any], work_dir: Path) -> float:
    """DEV_ACCURACY, once sure it is the best dev accuracy of a finished run of exactly `config`."""
    accuracy = namespace.get("DEV_ACCURACY")
    if accuracy is None:
        raise CheckFailed("DEV_ACCURACY is not set: run the training cell after writing your config")
    run_dir = work_dir / EXPERIMENT_RUN
    try:
        trained_config = json.loads((run_dir / "config.json").read_text("utf-8"))
        metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise CheckFailed("no finished training run of your config was found: run the training cell") from None
    if trained_config != config:
        raise CheckFailed("the last training run used another config than experiment_config() returns now: "
                          "run the training cell again")
    best = metrics.get("best_validation_accuracy")
    if not isinstance(accuracy, (int, float)) or best is None or not math.isclose(float(accuracy), best,
                                                                                   abs_tol=1e-9):
        raise CheckFailed("DEV_ACCURACY must be the best dev accuracy of your training run, as the training "
                          "cell sets it")
    return float(accuracy)


def check_swapped_encoder(namespace: Mapping[str, Any]) -> str:
    work_dir = exercise_dir(namespace)
    text = learner_function_result(namespace, "experiment_config", str, "the config as Jsonnet text")
    config = evaluate_config(text, work_dir)
    baseline = evaluate_config((work_dir / "baseline.jsonnet").read_text("utf-8"), work_dir)
    for key in ("dataset_reader", "train_data_path", "validation_data_path", "data_loader", "vocabulary"):
        if config.get(key) != baseline.get(key):
            raise CheckFailed(f'keep "{key}" as in the baseline: only the model (and the trainer) may change, so '
                              f"the two dev accuracies compare the encoders")
    encoder = (config.get("model") or {}).get("encoder") or {}
    kind = encoder.get("type") if isinstance(encoder, dict) else None
    accuracy = trained_accuracy(namespace, config, work_dir)
    if accuracy < TARGET_ACCURACY_2_1:
        if kind == "bag_of_embeddings":  # the behaviour decides; the name only explains it
            raise CheckFailed(f"your encoder is still a bag_of_embeddings, which cannot see word order (dev "
                              f"accuracy {accuracy:.2f}): pick one that reads the words in order")
        raise CheckFailed(f"your {kind} encoder reached a dev accuracy of {accuracy:.2f}, below the target "
                          f"{TARGET_ACCURACY_2_1:.2f}: does it read word order? If so, train for more epochs or "
                          f"give it more capacity")
    return (f"the swapped encoder reads word order and beats the target dev accuracy of "
            f"{TARGET_ACCURACY_2_1:.2f}, with no change to the model's Python code.")
