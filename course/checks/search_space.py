"""Exercise 3.5: write a search space and run a small tune."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Mapping

from course.checks.core import CheckFailed, exercise_dir, learner_function_result


TUNED_VARIABLES_3_5 = ("lr", "embedding_dim")


def check_search_space(namespace: Mapping[str, Any]) -> str:
    from swapnlp.common import ConfigurationError
    from swapnlp.tuning.search_space import SearchSpace
    from swapnlp.tuning.tuner import tune

    work_dir = exercise_dir(namespace)
    space = learner_function_result(namespace, "search_space", dict, "your search space, the JSON a --search "
                                    "file holds")
    try:
        checked = SearchSpace(space)
    except ConfigurationError as error:
        raise CheckFailed(str(error)) from None
    missing = [name for name in TUNED_VARIABLES_3_5 if name not in space]
    if missing:
        raise CheckFailed(f'the config reads std.extVar("{missing[0]}"), so the search space must declare "{missing[0]}"')
    extra = sorted(set(space) - set(TUNED_VARIABLES_3_5))
    if extra:
        raise CheckFailed(f'the config never reads "{extra[0]}": declare only lr and embedding_dim')
    lr = checked.variables["lr"]
    if lr["type"] != "loguniform":
        raise CheckFailed(f'a learning rate is searched over orders of magnitude: make "lr" a "loguniform", not a '
                          f'"{lr["type"]}" (uniform draws would nearly all land in the top decade)')
    if not (1e-5 <= lr["low"] and lr["high"] <= 1.0 and lr["high"] >= 10 * lr["low"]):
        raise CheckFailed(f'"lr" from {lr["low"]} to {lr["high"]}: search at least one order of magnitude, within '
                          f"0.00001 to 1")
    dim = checked.variables["embedding_dim"]
    values = dim["choices"] if dim["type"] == "choice" else [dim["low"], dim["high"]]
    if dim["type"] not in ("choice", "int") or not all(isinstance(v, int) and not isinstance(v, bool) and
                                                       2 <= v <= 256 for v in values):
        raise CheckFailed("embedding_dim is a whole number of dimensions: a \"choice\" of integers or an \"int\" "
                          "range, between 2 and 256")
    if len(set(values)) < 2:
        raise CheckFailed("embedding_dim has a single value: give the search at least two to choose from")

    # A tiny tune of our own, on a slice of the exercise's data: every trial trains with values from the space.
    with tempfile.TemporaryDirectory(prefix=".check-3.5-", dir=work_dir) as folder:
        report = tune(work_dir / "tunable.jsonnet", space, trials=2, serialization_dir=folder, seed=0, quiet=True,
                      overrides={"dataset_reader": {"max_instances": 60}, "trainer": {"num_epochs": 2}})
        trials = report["trial_results"]
        for trial in trials:
            if trial["state"] not in ("complete", "pruned"):
                raise CheckFailed(f"a trial with {trial['params']} did not finish ({trial['state']})")
            trained = json.loads((Path(trial["serialization_dir"]) / "config.json").read_text("utf-8"))
            embedder = trained["model"]["embedder"]["token_embedders"]["tokens"]
            if (trained["trainer"]["optimizer"]["lr"], embedder["embedding_dim"]) != (
                    trial["params"]["lr"], trial["params"]["embedding_dim"]):
                raise CheckFailed("a trial's config did not get the values drawn from your space")
    if len(trials) != 2 or "best" not in report:
        raise CheckFailed("the small tune with your search space did not complete its trials")
    learner_report = namespace.get("REPORT")
    if not isinstance(learner_report, dict) or "best" not in learner_report:
        raise CheckFailed("REPORT is not set: run the tuning cell after writing your search space")
    return "your search space is valid and sensible, and tuning with it trains one model per trial."
