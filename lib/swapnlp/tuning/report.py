"""What a search found: the best trial, the spread of results, and expected validation performance.

Expected validation performance (Dodge et al., 2019, "Show your work"): if you had run only k trials,
drawn at random from the ones run, what best dev score would you expect? With the N results sorted
v_1 <= ... <= v_N, the best of k draws (with replacement) is v_i with probability (i/N)^k - ((i-1)/N)^k:

    E[max of k] = sum_i v_i * ((i/N)^k - ((i-1)/N)^k)

The curve over k = 1..N shows how much of a result is owed to search budget rather than to the model.
For a lower-is-better metric (-loss) it is the expected minimum.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any, Dict, List, Sequence, Union

from swapnlp.tuning.objective import TRIAL_ATTRIBUTE


def expected_best(values: Sequence[float], higher_is_better: bool = True) -> List[Dict[str, float]]:
    """[{"k": 1, "mean": ..., "std": ...}, ...] for k = 1..N: the expected best of k random trials, and the
    standard deviation of that best."""
    sign = 1.0 if higher_is_better else -1.0
    ordered = sorted(sign * v for v in values)
    n = len(ordered)
    curve = []
    for k in range(1, n + 1):
        weights = [(i / n) ** k - ((i - 1) / n) ** k for i in range(1, n + 1)]
        mean = sum(w * v for w, v in zip(weights, ordered))
        variance = max(0.0, sum(w * v * v for w, v in zip(weights, ordered)) - mean * mean)
        curve.append({"k": k, "mean": sign * mean, "std": math.sqrt(variance)})
    return curve


def summarize(study: Any, metric: str) -> Dict[str, Any]:
    """A JSON-ready report of an Optuna study whose value is trainer.validation_metric `metric` ("+accuracy")."""
    from optuna.trial import TrialState

    trials = []
    for trial in study.trials:
        trials.append({"number": trial.number, "state": trial.state.name.lower(), "value": trial.value,
                       "params": trial.params, "epochs": trial.user_attrs.get("epochs"),
                       TRIAL_ATTRIBUTE: trial.user_attrs.get(TRIAL_ATTRIBUTE)})
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    counts = {state.name.lower(): sum(t.state == state for t in study.trials) for state in
              (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)}
    report: Dict[str, Any] = {"study_name": study.study_name, "metric": metric, "direction":
                              study.direction.name.lower(), "trials": counts, "trial_results": trials}
    if not complete:
        return report
    values = [t.value for t in complete]
    best = study.best_trial
    report["best"] = {"number": best.number, "value": best.value, "params": best.params,
                      TRIAL_ATTRIBUTE: best.user_attrs.get(TRIAL_ATTRIBUTE)}
    report.update({"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                   "median": statistics.median(values), "min": min(values), "max": max(values),
                   "expected_best": expected_best(values, metric.startswith("+"))})
    return report


def format_report(report: Dict[str, Any]) -> str:
    """The report as the lines `swapnlp tune` prints at the end."""
    name = report["metric"][1:]
    counts = ", ".join(f"{count} {state}" for state, count in report["trials"].items() if count)
    lines = [f"study {report['study_name']}: {counts or 'no trials'}"]
    if "best" not in report:
        return "\n".join(lines + ["no trial completed."])
    best = report["best"]
    params = ", ".join(f"{k}={_short(v)}" for k, v in best["params"].items())
    lines += [f"best validation {name}: {best['value']:.4f} (trial {best['number']}: {params})",
              f"validation {name} over {report['trials']['complete']} complete trials: mean {report['mean']:.4f} "
              f"± {report['std']:.4f} (std), median {report['median']:.4f}, min {report['min']:.4f}, "
              f"max {report['max']:.4f}",
              "expected best of k trials: " + "  ".join(f"k={p['k']} {p['mean']:.4f}" for p in report["expected_best"]),
              f"best trial's run: {best[TRIAL_ATTRIBUTE]}  (evaluate it on test once: swapnlp evaluate "
              f"{best[TRIAL_ATTRIBUTE]}/model.tar.gz TEST_FILE)"]
    return "\n".join(lines)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def plot_expected_best(report: Dict[str, Any], path: Union[str, Path]) -> Path:
    """Save the expected-best curve (mean ± std over k = 1..N) as a PNG; returns the path."""
    from matplotlib.figure import Figure  # no pyplot: no display or backend needed, nothing global changed

    curve = report["expected_best"]
    ks = [p["k"] for p in curve]
    means = [p["mean"] for p in curve]
    stds = [p["std"] for p in curve]
    name = report["metric"][1:]
    figure = Figure(figsize=(6, 4), dpi=100)
    axes = figure.subplots()
    axes.plot(ks, means, marker="o", label=f"expected best validation {name}")
    axes.fill_between(ks, [m - s for m, s in zip(means, stds)], [m + s for m, s in zip(means, stds)], alpha=0.2,
                      label="± one standard deviation")
    axes.axhline(report["best"]["value"], linestyle="--", color="grey", linewidth=1,
                 label=f"best trial ({report['best']['value']:.4f})")
    axes.set_xlabel("number of hyperparameter trials (k)")
    axes.set_ylabel(f"validation {name}")
    axes.set_xticks(ks)
    axes.set_title(f"Expected validation performance, study {report['study_name']}\n"
                   f"({len(ks)} complete trials; Dodge et al. 2019)", fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path
