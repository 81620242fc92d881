"""The search space: which `std.extVar` variables of a config to tune, and over what values.

A small JSON file, one entry per variable:

    {
      "lr":            {"type": "loguniform", "low": 0.0003, "high": 0.03},
      "embedding_dim": {"type": "int", "low": 16, "high": 128, "step": 16},
      "dropout":       {"type": "uniform", "low": 0.0, "high": 0.5},
      "min_count":     {"type": "choice", "choices": [1, 2, 3]}
    }

types: "choice" (one of `choices`: numbers, strings, booleans, null), "int" (low..high inclusive, optional
"step", or "log": true), "uniform" (a float in [low, high]), "loguniform" (a float, uniform in log-space:
for learning rates). Each trial passes every variable to the config as JSON text, so the config reads a
number with `std.parseJson(std.extVar("lr"))` (see configs/bag_of_embeddings_tunable.jsonnet).
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Any, Dict, Mapping, Union

from swapnlp.common.errors import ConfigurationError, did_you_mean

KEYS = {"choice": ("choices",), "int": ("low", "high", "step", "log"), "uniform": ("low", "high"),
        "loguniform": ("low", "high")}
EXAMPLE = '{"lr": {"type": "loguniform", "low": 0.0001, "high": 0.01}}'


class SearchSpace:
    """name -> spec, checked on construction. `suggest(trial)` draws one value per variable."""

    def __init__(self, variables: Mapping[str, Mapping[str, Any]], source: str = "the search space") -> None:
        if not isinstance(variables, Mapping) or not variables:
            raise ConfigurationError(f"{source} must be a JSON object with at least one variable, e.g. {EXAMPLE}.")
        self.source = source
        self.variables: Dict[str, Dict[str, Any]] = {}
        for name, spec in variables.items():
            self.variables[name] = self._checked(name, spec)

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> "SearchSpace":
        path = Path(path)
        if not path.exists():
            raise ConfigurationError(f"search space file not found: {path}")
        try:
            variables = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ConfigurationError(f"{path}:{error.lineno}: not valid JSON ({error.msg}).") from None
        return cls(variables, str(path))

    def _checked(self, name: str, spec: Any) -> Dict[str, Any]:
        where = f'{self.source}: "{name}"'
        if not isinstance(spec, Mapping) or "type" not in spec:
            raise ConfigurationError(f'{where} must be an object with a "type" ({", ".join(KEYS)}), e.g. {EXAMPLE}.')
        kind = spec["type"]
        if kind not in KEYS:
            raise ConfigurationError(f'{where}: unknown type "{kind}".{did_you_mean(kind, KEYS)} '
                                     f"Types: {', '.join(KEYS)}.")
        for key in spec:
            if key != "type" and key not in KEYS[kind]:
                raise ConfigurationError(f'{where}: unknown key "{key}" for type "{kind}".'
                                         f'{did_you_mean(key, KEYS[kind])} Keys: {", ".join(KEYS[kind])}.')
        if kind == "choice":
            choices = spec.get("choices")
            if not isinstance(choices, list) or not choices:
                raise ConfigurationError(f'{where}: "choices" must be a non-empty list, e.g. [1, 2, 3].')
            return dict(spec)
        for key in ("low", "high"):
            value = spec.get(key)
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or (
                    kind == "int" and not isinstance(value, int)):
                wanted = "an integer" if kind == "int" else "a number"
                raise ConfigurationError(f'{where}: "{key}" must be {wanted}, got {value!r}.')
        if not spec["low"] < spec["high"]:
            raise ConfigurationError(f'{where}: "low" ({spec["low"]}) must be below "high" ({spec["high"]}).')
        if (kind == "loguniform" or spec.get("log")) and spec["low"] <= 0:
            raise ConfigurationError(f'{where}: a log scale needs "low" > 0, got {spec["low"]}.')
        if kind == "int" and spec.get("log") and spec.get("step", 1) != 1:
            raise ConfigurationError(f'{where}: "step" and "log" cannot be used together.')
        return dict(spec)

    def suggest(self, trial: Any) -> Dict[str, Any]:
        """One value per variable, drawn by an Optuna trial (its sampler decides how)."""
        values: Dict[str, Any] = {}
        for name, spec in self.variables.items():
            kind = spec["type"]
            if kind == "choice":
                values[name] = trial.suggest_categorical(name, spec["choices"])
            elif kind == "int":
                values[name] = trial.suggest_int(name, spec["low"], spec["high"], step=spec.get("step", 1),
                                                 log=bool(spec.get("log", False)))
            else:
                values[name] = trial.suggest_float(name, spec["low"], spec["high"], log=kind == "loguniform")
        return values

    def defaults(self) -> Dict[str, Any]:
        """A value per variable without sampling (first choice, low bound): to check the config builds."""
        return {name: spec["choices"][0] if spec["type"] == "choice" else spec["low"]
                for name, spec in self.variables.items()}

    def __len__(self) -> int:
        return len(self.variables)


def as_ext_vars(values: Mapping[str, Any]) -> Dict[str, str]:
    """Values -> the strings Jsonnet's std.extVar sees: JSON text (0.003 -> "0.003", "cnn" -> '"cnn"')."""
    return {name: json.dumps(value) for name, value in values.items()}
