"""One trial of a search: draw values, evaluate the config with them, train in DIR/trial_NNN, report each
epoch's validation metric to Optuna (which may prune the trial), return the best validation metric.

    objective = TrialObjective("configs/bag_of_embeddings_tunable.jsonnet", space, "runs/tune_boe")
    study.optimize(objective, n_trials=6)
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

from swapnlp.common.errors import ConfigurationError, LossNotFiniteError
from swapnlp.common.params import Params, with_overrides
from swapnlp.tuning.search_space import SearchSpace, as_ext_vars

TRIAL_ATTRIBUTE = "serialization_dir"  # each trial remembers its folder (a user attribute in the study)


def trial_folder(serialization_dir: Union[str, Path], number: int) -> Path:
    """DIR/trial_000, DIR/trial_001, ...: trial numbers come from the study, so they are unique even when
    several processes (or machines) share one study."""
    return Path(serialization_dir) / f"trial_{number:03d}"


def load_trial_config(config_file: Union[str, Path], values: Mapping[str, Any],
                      overrides: Union[str, Mapping[str, Any], None] = None) -> Params:
    """The config with the search-space values as external variables (the environment's too)."""
    ext_vars = {**os.environ, **as_ext_vars(values)}
    try:
        return Params.from_file(config_file, overrides, ext_vars=ext_vars)
    except ConfigurationError as error:
        if "uses std.extVar" in str(error):
            raise ConfigurationError(f"{error} Or declare the variable in the search space (--search): every "
                                     f"variable there is passed to the config.") from None
        raise


def validation_metric(params: Params) -> str:
    """The config's trainer.validation_metric ("+accuracy"), which the search optimises."""
    if not params.get("validation_data_path"):
        raise ConfigurationError("tuning needs validation data: the config has no validation_data_path, and "
                                 "choosing hyperparameters on the training data would pick the most overfitted.")
    trainer = params.get("trainer") or {}
    return trainer.get("validation_metric", "-loss") if isinstance(trainer, Mapping) else "-loss"


class TrialObjective:
    """Callable by Optuna: trial -> the trial's best validation metric (its `metric` without the sign).

    config_file, overrides: the config (with `std.parseJson(std.extVar(name))` for each variable of `space`).
    serialization_dir: the trials' parent folder. prune: report epochs to the trial and stop it when its
    pruner says so. quiet: hide the epoch lines of each run. Trials never evaluate on the test data: pick
    on dev, then evaluate the chosen model on test once (`swapnlp evaluate`).
    """

    def __init__(self, config_file: Union[str, Path], space: SearchSpace, serialization_dir: Union[str, Path],
                 overrides: Union[str, Mapping[str, Any], None] = None, prune: bool = True,
                 quiet: bool = False) -> None:
        self.config_file, self.space, self.serialization_dir = config_file, space, Path(serialization_dir)
        self.overrides = with_overrides({}, overrides) if overrides else {}
        self.prune, self.quiet = prune, quiet

    def __call__(self, trial: Any) -> float:
        from swapnlp.run.train import train_model

        values = self.space.suggest(trial)
        params = load_trial_config(self.config_file, values, {**self.overrides, "evaluate_on_test": False})
        metric = validation_metric(params)
        folder = trial_folder(self.serialization_dir, trial.number)
        trial.set_user_attr(TRIAL_ATTRIBUTE, str(folder))
        output = contextlib.redirect_stdout(io.StringIO()) if self.quiet else contextlib.nullcontext()
        try:
            with output:
                train_model(params, folder, epoch_callbacks=[self._report(trial, metric[1:])])
        except LossNotFiniteError as error:  # a diverging run (NaN loss): the trial fails, the search goes on
            trial.set_user_attr("error", str(error))
            raise
        return self.best_value(folder, metric[1:])

    def _report(self, trial: Any, name: str) -> Any:
        def report(trainer: Any, metrics: Dict[str, float]) -> None:
            import optuna

            value = metrics[f"validation_{name}"]
            trial.report(value, step=trainer.epoch)
            trial.set_user_attr("epochs", trainer.epoch)
            if self.prune and trial.should_prune():
                raise optuna.TrialPruned(f"validation {name} {value:.4f} after epoch {trainer.epoch} is below "
                                         f"the median of earlier trials at that epoch")
        return report

    @staticmethod
    def best_value(folder: Path, name: str) -> float:
        import json

        metrics = json.loads((folder / "metrics.json").read_text())
        value: Optional[float] = metrics.get(f"best_validation_{name}")
        if value is None:
            raise ConfigurationError(f"{folder}/metrics.json has no best_validation_{name}: was there validation data?")
        return float(value)
