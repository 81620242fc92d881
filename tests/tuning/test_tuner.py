"""tune and TrialObjective on the tiny data: trial folders, pruning, the report, errors, continuing a study."""

from __future__ import annotations

import json

import optuna
import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.tuning.objective import TrialObjective
from swapnlp.tuning.search_space import SearchSpace
from swapnlp.tuning.tuner import PLOT_NAME, REPORT_NAME, tune

LR_SPACE = {"lr": {"type": "loguniform", "low": 0.005, "high": 0.2}}


@pytest.fixture
def tunable(tiny_config, tmp_path):
    """The tiny config as Jsonnet, its learning rate read from std.extVar("lr")."""
    (tmp_path / "base.json").write_text(json.dumps(tiny_config))
    config = tmp_path / "tunable.jsonnet"
    config.write_text('local base = import "base.json";\n'
                      'base + {"trainer"+: {"optimizer"+: {"lr": std.parseJson(std.extVar("lr"))}}}\n')
    return config


def test_tune_trains_each_trial_in_its_folder_and_reports(tunable, tmp_path, capsys):
    report = tune(tunable, LR_SPACE, trials=3, serialization_dir=tmp_path / "tune", seed=0, quiet=True)
    folder = tmp_path / "tune"
    assert report["trials"]["complete"] + report["trials"]["pruned"] == 3
    values = {}
    for trial in report["trial_results"]:
        run = folder / f"trial_{trial['number']:03d}"
        assert trial["serialization_dir"] == str(run)
        config = json.loads((run / "config.json").read_text())
        assert config["trainer"]["optimizer"]["lr"] == trial["params"]["lr"]  # the drawn value reached the config
        assert config["evaluate_on_test"] is False  # trials choose on dev, never look at test
        if trial["state"] == "complete":
            metrics = json.loads((run / "metrics.json").read_text())
            assert trial["value"] == metrics["best_validation_accuracy"] and "test_accuracy" not in metrics
            values[trial["number"]] = trial["value"]
    assert report["best"]["value"] == max(values.values())
    assert json.loads((folder / REPORT_NAME).read_text())["best"] == report["best"]
    assert (folder / PLOT_NAME).read_bytes()[:4] == b"\x89PNG"
    out = capsys.readouterr().out
    assert out.count("trial ") >= 3 and "epoch 1/3" not in out  # quiet: one line per trial, no epoch lines


def test_running_again_continues_the_same_study(tunable, tmp_path):
    tune(tunable, LR_SPACE, trials=1, serialization_dir=tmp_path / "tune", quiet=True)
    report = tune(tunable, LR_SPACE, trials=1, serialization_dir=tmp_path / "tune", quiet=True)
    assert [t["number"] for t in report["trial_results"]] == [0, 1]
    assert (tmp_path / "tune" / "trial_001" / "config.json").exists()


def test_each_epoch_is_reported_to_the_trial(tunable, tmp_path):
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    study.optimize(TrialObjective(tunable, SearchSpace(LR_SPACE), tmp_path / "tune", quiet=True), n_trials=1)
    trial = study.trials[0]
    history = [json.loads((tmp_path / "tune" / "trial_000" / f"metrics_epoch_{e}.json").read_text())
               for e in range(3)]
    assert trial.intermediate_values == {e + 1: h["validation_accuracy"] for e, h in enumerate(history)}
    assert trial.value == max(h["validation_accuracy"] for h in history)


class AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_a_pruned_trial_stops_after_the_epoch_it_was_pruned_at(tunable, tmp_path):
    study = optuna.create_study(direction="maximize", pruner=AlwaysPrune())
    study.optimize(TrialObjective(tunable, SearchSpace(LR_SPACE), tmp_path / "tune", quiet=True), n_trials=1)
    assert study.trials[0].state == optuna.trial.TrialState.PRUNED
    assert study.trials[0].user_attrs["epochs"] == 1
    run = tmp_path / "tune" / "trial_000"
    assert (run / "metrics_epoch_0.json").exists() and not (run / "metrics_epoch_1.json").exists()
    assert not (run / "model.tar.gz").exists()


def test_without_pruning_every_trial_completes(tunable, tmp_path):
    report = tune(tunable, LR_SPACE, trials=3, serialization_dir=tmp_path / "tune", prune=False,
                  pruner_startup_trials=0, pruner_warmup_epochs=0, quiet=True)
    assert report["trials"]["complete"] == 3


def test_a_diverging_trial_fails_and_the_search_goes_on(tunable, tmp_path, capsys):
    space = {"lr": {"type": "choice", "choices": [1e30, 0.05]}}
    report = tune(tunable, space, trials=2, serialization_dir=tmp_path / "tune", sampler="random", seed=0,
                  quiet=True)
    states = {t["params"]["lr"]: t["state"] for t in report["trial_results"]}
    assert states == {1e30: "fail", 0.05: "complete"}, states
    assert "the loss is" in capsys.readouterr().out  # the failing trial says why


def test_a_config_variable_missing_from_the_space_is_named(tunable, tmp_path):
    with pytest.raises(ConfigurationError, match=r'std.extVar\("lr"\).*declare the variable in the search space'):
        tune(tunable, {"dropout": {"type": "uniform", "low": 0, "high": 0.5}}, trials=1,
             serialization_dir=tmp_path / "tune")
    assert not (tmp_path / "tune").exists()  # failed before any trial


def test_tuning_needs_validation_data(tunable, tmp_path):
    with pytest.raises(ConfigurationError, match="tuning needs validation data"):
        tune(tunable, LR_SPACE, trials=1, serialization_dir=tmp_path / "tune",
             overrides={"validation_data_path": None})


def test_a_study_cannot_change_direction(tunable, tmp_path):
    tune(tunable, LR_SPACE, trials=1, serialization_dir=tmp_path / "tune", quiet=True)
    with pytest.raises(ConfigurationError):
        tune(tunable, LR_SPACE, trials=1, serialization_dir=tmp_path / "tune", quiet=True,
             overrides={"trainer.validation_metric": "-loss"})


def test_warmup_epochs_are_never_pruned(tunable, tmp_path):
    """The tiny config trains 3 epochs: with 3 warm-up epochs, no trial can be pruned."""
    space = {"lr": {"type": "choice", "choices": [0.2, 0.0001]}}  # a good and a hopeless learning rate
    report = tune(tunable, space, trials=4, serialization_dir=tmp_path / "tune", sampler="random", seed=0,
                  pruner_startup_trials=1, pruner_warmup_epochs=3, quiet=True)
    assert report["trials"]["complete"] == 4
