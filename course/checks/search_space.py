"""Exercise 3.4: write a search space for a tunable config and run a small tune.

Any valid space over the config's variables passes: a learning rate drawn on a log scale ("loguniform") or
given as a grid of values spread over orders of magnitude (a log-spaced "choice"); a dropout as a "uniform" range
or a "choice"; the number of filters as an "int" range or a "choice".
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, List, Mapping

from course.checks.core import CheckFailed, exercise_dir, learner_function_result

TUNED_VARIABLES_3_4 = ("lr", "dropout", "num_filters")


def _values(spec: Mapping[str, Any]) -> List[Any]:
    """The values a variable can take, or its two ends for a range."""
    return list(spec["choices"]) if spec["type"] == "choice" else [spec["low"], spec["high"]]


def _check_lr(spec: Mapping[str, Any]) -> None:
    if spec["type"] == "uniform":
        raise CheckFailed('"lr" is a "uniform" range: a learning rate is searched over orders of magnitude, and '
                          "uniform draws would nearly all land in the top decade. Make it a \"loguniform\" (or a "
                          "choice of values such as 0.001, 0.003, 0.01, ...)")
    values = _values(spec)
    if spec["type"] == "int" or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1
                                        for v in values):
        raise CheckFailed(f'"lr" must take learning rates between 0 and 1 (floats such as 0.001), got {values}')
    if max(values) < 10 * min(values):
        raise CheckFailed(f'"lr" spans {min(values):g} to {max(values):g}: search at least one order of magnitude '
                          f"(the highest at least ten times the lowest)")


def _check_dropout(spec: Mapping[str, Any]) -> None:
    values = _values(spec)
    if spec["type"] == "loguniform" or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               and 0 <= v < 1 for v in values):
        raise CheckFailed(f'"dropout" is a probability in [0, 1) (a "uniform" range or a "choice"), got '
                          f'{spec["type"]} {values}')
    if len(set(values)) < 2:
        raise CheckFailed('"dropout" has a single value: give the search at least two to choose from')


def _check_filters(spec: Mapping[str, Any]) -> None:
    values = _values(spec)
    if spec["type"] not in ("choice", "int") or not all(isinstance(v, int) and not isinstance(v, bool) and
                                                          1 <= v <= 256 for v in values):
        raise CheckFailed('"num_filters" is a whole number of filters: a "choice" of integers or an "int" range, '
                          f"between 1 and 256 (got {spec['type']} {values})")
    if len(set(values)) < 2:
        raise CheckFailed('"num_filters" has a single value: give the search at least two to choose from')


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
    missing = [name for name in TUNED_VARIABLES_3_4 if name not in space]
    if missing:
        raise CheckFailed(f'the config reads std.extVar("{missing[0]}"), so the search space must declare '
                          f'"{missing[0]}"')
    extra = sorted(set(space) - set(TUNED_VARIABLES_3_4))
    if extra:
        raise CheckFailed(f'the config never reads "{extra[0]}": declare only {", ".join(TUNED_VARIABLES_3_4)}')
    _check_lr(checked.variables["lr"])
    _check_dropout(checked.variables["dropout"])
    _check_filters(checked.variables["num_filters"])

    # A tiny tune of our own, on a slice of the exercise's data: every trial trains with values from the space.
    with tempfile.TemporaryDirectory(prefix=".check-3.4-", dir=work_dir) as folder:
        report = tune(work_dir / "tunable.jsonnet", space, trials=2, serialization_dir=folder, seed=0, quiet=True,
                      overrides={"dataset_reader": {"max_instances": 60}, "trainer": {"num_epochs": 1}})
        trials = report["trial_results"]
        for trial in trials:
            if trial["state"] not in ("complete", "pruned"):
                raise CheckFailed(f"a trial with {trial['params']} did not finish ({trial['state']})")
            trained = json.loads((Path(trial["serialization_dir"]) / "config.json").read_text("utf-8"))
            got = (trained["trainer"]["optimizer"]["lr"], trained["model"]["dropout"],
                   trained["model"]["encoder"]["num_filters"])
            if got != tuple(trial["params"][name] for name in TUNED_VARIABLES_3_4):
                raise CheckFailed("a trial's config did not get the values drawn from your space")
    if len(trials) != 2 or "best" not in report:
        raise CheckFailed("the small tune with your search space did not complete its trials")
    learner_report = namespace.get("REPORT")
    if not isinstance(learner_report, dict) or "best" not in learner_report:
        raise CheckFailed("REPORT is not set: run the tuning cell after writing your search space")
    return "your search space is valid and sensible, and tuning with it trains one model per trial."
