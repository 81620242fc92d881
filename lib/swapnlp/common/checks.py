"""Range checks for numeric settings, made where each setting is declared (in the constructor).

    check_range("lr", lr, above=0)                   # "lr must be > 0, got -0.1."
    check_range("dropout", dropout, at_least=0, below=1)

The error is a `SettingError` naming only the parameter; when the object is built from a config,
`from_params` adds the key path, so the learner reads "trainer.optimizer.lr must be > 0, got -0.1."
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, TypeVar

from swapnlp.common.errors import ConfigurationError

N = TypeVar("N", int, float, None)


class SettingError(ConfigurationError):
    """A setting's value is out of range. `key` is its name ("lr", "betas[0]"); `located` becomes True once
    the config path has been added in front of it ("trainer.optimizer.lr")."""

    def __init__(self, key: str, problem: str, located: bool = False) -> None:
        super().__init__(f"{key} {problem}")
        self.key, self.problem, self.located = key, problem, located

    def at(self, prefix: str) -> "SettingError":
        """The same error, with the config path `prefix` ("trainer.optimizer.") in front of the key."""
        return SettingError(f"{prefix}{self.key}", self.problem, located=True)


def check_range(key: str, value: N, *, above: Optional[float] = None, at_least: Optional[float] = None,
                below: Optional[float] = None, at_most: Optional[float] = None, hint: str = "") -> N:
    """Return `value` if it is a finite number within the bounds given (None is left alone: an unset
    optional setting), else raise a SettingError such as "dropout must be >= 0 and < 1, got 2."."""
    if value is None:
        return value
    wrong = (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
             or (above is not None and not value > above) or (at_least is not None and not value >= at_least)
             or (below is not None and not value < below) or (at_most is not None and not value <= at_most))
    if wrong:
        raise SettingError(key, f"must be {_describe(above, at_least, below, at_most)}, got {_got(value)}."
                                + (f" {hint}" if hint else ""))
    return value


def _describe(above: Optional[float], at_least: Optional[float], below: Optional[float],
              at_most: Optional[float]) -> str:
    """The bounds in words: "> 0", "at least 1", ">= 0 and < 1"."""
    if at_least is not None and above is None and below is None and at_most is None:
        return f"at least {_show(at_least)}"
    bounds = [(">", above), (">=", at_least), ("<", below), ("<=", at_most)]
    return " and ".join(f"{sign} {_show(bound)}" for sign, bound in bounds if bound is not None) or "a finite number"


def check_each(key: str, values: Optional[Sequence[float]], **bounds: Optional[float]) -> None:
    """`check_range` on each item of a list or tuple; the key names the item ("betas[1]")."""
    for index, value in enumerate(values or ()):
        check_range(f"{key}[{index}]", value, **bounds)  # type: ignore[arg-type]


def check_dropout(key: str, value: Optional[float]) -> Optional[float]:
    """A dropout probability: 0 <= p < 1 (1 would drop everything)."""
    return check_range(key, value, at_least=0, below=1, hint="It is the probability of zeroing a value, e.g. 0.1.")


def _got(value: object) -> str:
    """The offending value, shortened (a 5,000-digit integer cannot even be turned into text)."""
    try:
        shown = repr(value)
    except ValueError:
        return "a number too large to show"
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)
