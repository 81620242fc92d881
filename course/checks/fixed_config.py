"""Exercise 3.4: fix a broken config with dry-run."""

from __future__ import annotations

import contextlib
from typing import Any, Mapping

from course.checks.core import CheckFailed, exercise_dir, learner_function_result
from course.checks.encoder_swap import evaluate_config


def check_fixed_config(namespace: Mapping[str, Any]) -> str:
    from swapnlp.common import ConfigurationError, Params
    from swapnlp.training.dry_run import dry_run

    work_dir = exercise_dir(namespace)
    text = learner_function_result(namespace, "fixed_config", str, "your repaired config as Jsonnet text")
    config = evaluate_config(text, work_dir)
    broken = evaluate_config((work_dir / "broken.jsonnet").read_text("utf-8"), work_dir)
    for key in ("dataset_reader", "train_data_path", "validation_data_path", "data_loader"):
        if config.get(key) != broken.get(key):
            raise CheckFailed(f'keep "{key}" as it was: the data was not the problem')
    encoder = (config.get("model") or {}).get("encoder") or {}
    if not isinstance(encoder, dict) or encoder.get("type") != "bag_of_embeddings":
        raise CheckFailed("keep the bag_of_embeddings encoder: repair the config, do not swap the model")
    metric = (config.get("trainer") or {}).get("validation_metric")
    try:
        with contextlib.chdir(work_dir):
            report = dry_run(Params(config), num_batches=2)
    except ConfigurationError as error:
        raise CheckFailed(f"the dry run still fails: {error}") from None
    if metric != "+accuracy":
        raise CheckFailed(f'the experiment picks its best epoch by accuracy, higher is better: '
                          f'trainer.validation_metric should be "+accuracy", not {metric!r}')
    if not all(step["parameters_updated"] for step in report["batches"]):
        raise CheckFailed("the dry run's optimizer steps changed no weights: keep the learning rate as it was")
    return "your config builds, its shapes fit and its validation metric exists: the dry run passes."
