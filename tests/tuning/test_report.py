"""Expected validation performance (Dodge et al. 2019) and the study report."""

from __future__ import annotations

import itertools
import statistics

import optuna
import pytest

from swapnlp.tuning.report import expected_best, format_report, plot_expected_best, summarize


def brute_force_expected_max(values, k):
    """The mean of max over every ordered draw of k values with replacement."""
    draws = list(itertools.product(values, repeat=k))
    return sum(max(draw) for draw in draws) / len(draws)


def test_expected_best_matches_brute_force():
    values = [0.71, 0.80, 0.65, 0.80, 0.90]
    curve = expected_best(values)
    assert [point["k"] for point in curve] == [1, 2, 3, 4, 5]
    for point in curve:
        assert point["mean"] == pytest.approx(brute_force_expected_max(values, point["k"]))
    assert curve[0]["mean"] == pytest.approx(statistics.fmean(values))  # one trial: the mean
    assert curve[0]["std"] == pytest.approx(statistics.pstdev(values))
    means = [point["mean"] for point in curve]
    assert means == sorted(means) and means[-1] < max(values)  # rises towards, never above, the best


def test_lower_is_better_gives_the_expected_minimum():
    values = [0.5, 0.3, 0.9]
    curve = expected_best(values, higher_is_better=False)
    draws = list(itertools.product(values, repeat=2))
    assert curve[1]["mean"] == pytest.approx(sum(min(d) for d in draws) / len(draws))
    assert curve[-1]["mean"] < curve[0]["mean"]


def test_identical_results_have_no_spread():
    assert all(p["mean"] == pytest.approx(0.8) and p["std"] == pytest.approx(0.0, abs=1e-7)
               for p in expected_best([0.8] * 4))


def make_study():
    study = optuna.create_study(direction="maximize", study_name="demo")
    for number, value in enumerate([0.70, 0.85, 0.80]):
        trial = study.ask()
        trial.suggest_float("lr", 0.001, 0.1, log=True)
        trial.set_user_attr("serialization_dir", f"runs/trial_{number:03d}")
        study.tell(trial, value)
    trial = study.ask()
    trial.suggest_float("lr", 0.001, 0.1, log=True)
    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    return study


def test_summarize_a_study(tmp_path):
    report = summarize(make_study(), "+accuracy")
    assert report["trials"] == {"complete": 3, "pruned": 1, "fail": 0, "running": 0}
    assert report["best"]["number"] == 1 and report["best"]["value"] == 0.85
    assert report["best"]["serialization_dir"] == "runs/trial_001"
    assert report["mean"] == pytest.approx(0.7833333) and report["median"] == 0.80
    assert report["std"] == pytest.approx(statistics.stdev([0.70, 0.85, 0.80]))
    assert len(report["expected_best"]) == 3  # from the complete trials only
    text = format_report(report)
    assert "best validation accuracy: 0.8500 (trial 1: lr=" in text
    assert "mean 0.7833 ± 0.0764 (std), median 0.8000" in text and "runs/trial_001" in text
    plot = plot_expected_best(report, tmp_path / "plot.png")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 5000


def test_a_study_without_complete_trials_says_so():
    study = optuna.create_study()
    report = summarize(study, "-loss")
    assert "best" not in report and "no trial completed" in format_report(report)
    assert report["trial_results"] == []
