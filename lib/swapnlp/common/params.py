"""Params: a config tree that remembers where each value came from (`model.encoder.type`).

`Params.from_file("configs/cnn.jsonnet", overrides='{"trainer": {"num_epochs": 2}}')` evaluates the
Jsonnet (with `std.extVar` reading environment variables), merges the overrides, and returns a Params.
Taking values out with `pop` lets us report leftover (unknown) keys at the end.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, MutableMapping, Optional, Union

from swapnlp.common.errors import ConfigurationError, did_you_mean

_MISSING = object()


class Params(MutableMapping):
    """A dict of config values plus `history`, the dotted path that leads to it ("model.encoder.")."""

    def __init__(self, params: Mapping[str, Any], history: str = "") -> None:
        self.params: Dict[str, Any] = dict(params)
        self.history = history

    # -- reading values -------------------------------------------------------------------------
    def path(self, key: str) -> str:
        """The full dotted path of `key` inside this Params ("model.encoder.type")."""
        return f"{self.history}{key}"

    def pop(self, key: str, default: Any = _MISSING) -> Any:  # type: ignore[override]
        """Remove and return `key`; nested dicts come back as Params that know their path."""
        if key in self.params:
            return self._wrap(key, self.params.pop(key))
        if default is _MISSING:
            known = list(self.params)
            raise ConfigurationError(
                f'missing required key "{self.path(key)}".{did_you_mean(key, known)}'
                + (f" Keys present here: {', '.join(known)}." if known else "")
            )
        return default

    def get(self, key: str, default: Any = None) -> Any:
        return self._wrap(key, self.params[key]) if key in self.params else default

    def _wrap(self, key: str, value: Any) -> Any:
        if isinstance(value, Params):
            return value
        if isinstance(value, dict):
            return Params(value, history=f"{self.path(key)}.")
        return value

    def assert_empty(self, what: str, accepted: Optional[Mapping[str, str]] = None) -> None:
        """Raise if keys are left over: they were not used by anything, so they are typos or mistakes."""
        if not self.params:
            return
        lines = []
        for key in self.params:
            hint = did_you_mean(key, accepted or {})
            lines.append(f'unknown key "{self.path(key)}" for {what}.{hint}')
        if accepted is not None:
            listed = ", ".join(f"{name}: {kind}" if kind else name for name, kind in accepted.items()) or "(none)"
            lines.append(f"Accepted parameters: {listed}.")
        raise ConfigurationError(" ".join(lines))

    def as_dict(self) -> Dict[str, Any]:
        """A deep, plain-dict copy (nested Params unwrapped)."""
        return _unwrap(copy.deepcopy(self.params))

    def duplicate(self) -> "Params":
        return Params(self.as_dict(), self.history)

    # -- MutableMapping -------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key not in self.params:
            raise KeyError(key)
        return self._wrap(key, self.params[key])

    def __setitem__(self, key: str, value: Any) -> None:
        self.params[key] = value

    def __delitem__(self, key: str) -> None:
        del self.params[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __repr__(self) -> str:
        return f"Params({self.params!r}, history={self.history!r})"

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def from_file(
        cls,
        path: Union[str, Path],
        overrides: Union[str, Mapping[str, Any], None] = None,
        ext_vars: Optional[Mapping[str, str]] = None,
    ) -> "Params":
        """Evaluate a Jsonnet/JSON config file and apply `overrides` (a JSON string or a dict)."""
        config = evaluate_jsonnet(Path(path), ext_vars)
        return cls(with_overrides(config, overrides))

    def to_file(self, path: Union[str, Path]) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2) + "\n")


def _unwrap(value: Any) -> Any:
    if isinstance(value, Params):
        return _unwrap(value.params)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def evaluate_jsonnet(path: Path, ext_vars: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Run the Jsonnet evaluator on `path`; `std.extVar("X")` reads `ext_vars` (default: os.environ)."""
    if not path.exists():
        raise ConfigurationError(f"config file not found: {path}")
    try:
        import _gojsonnet as jsonnet
    except ImportError:  # the official C++ wheel has the same API
        import _jsonnet as jsonnet  # type: ignore[no-redef]
    variables = dict(os.environ if ext_vars is None else ext_vars)
    try:
        text = jsonnet.evaluate_file(str(path), ext_vars=variables)
    except RuntimeError as error:
        message = str(error).strip()
        missing = re.search(r"[Uu]ndefined external variable:?\s*(\S+)", message)
        if missing:
            name = missing.group(1).strip('"')
            raise ConfigurationError(
                f'{path} uses std.extVar("{name}") but the environment variable {name} is not set. '
                f"Set it first, e.g. `{name}=... swapnlp train {path} ...`."
            ) from None
        raise ConfigurationError(f"could not evaluate the Jsonnet config {path}:\n{message}") from None
    config = json.loads(text)
    if not isinstance(config, dict):
        raise ConfigurationError(f"{path} must evaluate to an object ({{...}}), not {type(config).__name__}.")
    return config


def with_overrides(config: Dict[str, Any], overrides: Union[str, Mapping[str, Any], None]) -> Dict[str, Any]:
    """Deep-merge `overrides` into `config`. Dotted keys ("trainer.num_epochs") address nested values."""
    if not overrides:
        return config
    if isinstance(overrides, str):
        try:
            overrides = json.loads(overrides)
        except json.JSONDecodeError as error:
            raise ConfigurationError(
                f"--overrides must be a JSON object, e.g. '{{\"trainer\": {{\"num_epochs\": 2}}}}': {error}"
            ) from None
        if not isinstance(overrides, dict):
            raise ConfigurationError("--overrides must be a JSON object ({...}).")
    return _merge(config, _unflatten(dict(overrides)))


def _unflatten(flat: Dict[str, Any]) -> Dict[str, Any]:
    nested: Dict[str, Any] = {}
    for key, value in flat.items():
        value = _unflatten(value) if isinstance(value, dict) else value
        *parents, last = key.split(".")
        target = nested
        for part in parents:
            target = target.setdefault(part, {})
        if isinstance(target.get(last), dict) and isinstance(value, dict):
            target[last] = _merge(target[last], value)
        else:
            target[last] = value
    return nested


def _merge(base: Dict[str, Any], update: Dict[str, Any]) -> Dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
