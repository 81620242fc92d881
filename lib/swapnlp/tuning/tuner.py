"""`tune`: an Optuna study over a config's external variables, one training run per trial, then a report.

    report = tune("configs/bag_of_embeddings_tunable.jsonnet", "configs/bag_of_embeddings_search.json",
                  trials=6, serialization_dir="runs/tune_boe")

The study lives in an Optuna storage: by default DIR/study.db (SQLite), so running the command again adds
trials to the same study. Give several processes or machines the same `storage` (e.g. a shared
sqlite:///... file or a postgresql://... database) and the same study name, and they share one search:
each asks the study for its next trial, trial numbers (and so trial folders) never clash.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

from swapnlp.common.atomic import atomic_write_text
from swapnlp.common.errors import ConfigurationError, LossNotFiniteError
from swapnlp.tuning.objective import TrialObjective, load_trial_config, validation_metric
from swapnlp.tuning.report import format_report, plot_expected_best, summarize
from swapnlp.tuning.search_space import SearchSpace

REPORT_NAME = "tuning_report.json"
PLOT_NAME = "expected_validation_performance.png"


def default_storage(serialization_dir: Union[str, Path]) -> str:
    return f"sqlite:///{(Path(serialization_dir) / 'study.db').resolve()}"


def tune(config_file: Union[str, Path], search: Union[str, Path, SearchSpace, Mapping[str, Any]], trials: int,
         serialization_dir: Union[str, Path], storage: Optional[str] = None, study_name: Optional[str] = None,
         overrides: Union[str, Mapping[str, Any], None] = None, sampler: str = "tpe", seed: Optional[int] = None,
         prune: bool = True, pruner_startup_trials: int = 3, pruner_warmup_epochs: int = 2,
         quiet: bool = False) -> Dict[str, Any]:
    """Run `trials` more trials of the study, then write DIR/tuning_report.json and DIR/<plot>.png.

    search: a search-space file, dict or SearchSpace. sampler: "tpe" (Optuna's default: random for its first
    10 trials, then guided) or "random". Pruning: MedianPruner, which stops a trial whose validation metric
    after an epoch is worse than the median of earlier trials at that epoch, once `pruner_startup_trials`
    trials have finished; the first `pruner_warmup_epochs` epochs of a trial are never pruned.
    Returns the report (see report.summarize).
    """
    import optuna

    if trials < 1:
        raise ConfigurationError(f"--trials must be at least 1, got {trials}.")
    space = search if isinstance(search, SearchSpace) else (
        SearchSpace(search) if isinstance(search, Mapping) else SearchSpace.from_file(search))
    metric = validation_metric(load_trial_config(config_file, space.defaults(), overrides))  # fails fast
    serialization_dir = Path(serialization_dir)
    serialization_dir.mkdir(parents=True, exist_ok=True)
    samplers = {"tpe": lambda: optuna.samplers.TPESampler(seed=seed),
                "random": lambda: optuna.samplers.RandomSampler(seed=seed)}
    if sampler not in samplers:
        raise ConfigurationError(f'--sampler must be one of {", ".join(samplers)}, got "{sampler}".')
    # steps are epoch numbers (1, 2, ...); Optuna prunes from step n_warmup_steps on
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=pruner_startup_trials,
                                          n_warmup_steps=pruner_warmup_epochs + 1) if prune
              else optuna.pruners.NopPruner())
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # one line per trial is ours (below), no tracebacks
    study = _open_study(storage or default_storage(serialization_dir),
                        study_name or Path(config_file).name.split(".")[0],
                        "maximize" if metric.startswith("+") else "minimize", samplers[sampler](), pruner)
    wanted = "maximize" if metric.startswith("+") else "minimize"
    if study.direction.name.lower() != wanted:
        raise ConfigurationError(f'the study "{study.study_name}" in {storage or default_storage(serialization_dir)} '
                                 f"was made to {study.direction.name.lower()}, but trainer.validation_metric "
                                 f'"{metric}" asks to {wanted}: use another --study-name or -s folder.')
    objective = TrialObjective(config_file, space, serialization_dir, overrides, prune=prune, quiet=quiet)
    study.optimize(objective, n_trials=trials, catch=(LossNotFiniteError,), callbacks=[_print_trial(metric)])
    report = summarize(study, metric)
    atomic_write_text(serialization_dir / REPORT_NAME, json.dumps(report, indent=2) + "\n")
    if "best" in report:
        report["plot"] = str(plot_expected_best(report, serialization_dir / PLOT_NAME))
    return report


def _open_study(storage: str, name: str, direction: str, sampler: Any, pruner: Any, attempts: int = 6) -> Any:
    """Create the study, or load it when it exists. Processes started together on a new database race to
    create its tables; the loser retries after a short, random wait."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(attempts):
        try:
            return optuna.create_study(storage=storage, study_name=name, direction=direction, sampler=sampler,
                                       pruner=pruner, load_if_exists=True)
        except SQLAlchemyError as error:
            if attempt == attempts - 1:
                raise ConfigurationError(f"cannot open the Optuna storage {storage}: {error}") from None
            time.sleep(random.uniform(0.2, 1.0))
        except ValueError as error:
            raise ConfigurationError(f"cannot use the study {name}: {error}") from None
    raise AssertionError("unreachable")


def _print_trial(metric: str) -> Any:
    """An Optuna callback: one line per finished trial."""
    from optuna.trial import TrialState

    def show(study: Any, trial: Any) -> None:
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items())
        if trial.state == TrialState.COMPLETE:
            best = " (best so far)" if study.best_trial.number == trial.number else ""
            print(f"trial {trial.number}: validation {metric[1:]} {trial.value:.4f}{best}  [{params}]", flush=True)
        elif trial.state == TrialState.PRUNED:
            print(f"trial {trial.number}: pruned after epoch {trial.user_attrs.get('epochs')}  [{params}]", flush=True)
        else:
            error = trial.user_attrs.get("error", "")
            print(f"trial {trial.number}: {trial.state.name.lower()} {error} [{params}]", flush=True)
    return show


__all__ = ["tune", "format_report", "REPORT_NAME", "PLOT_NAME"]
