"""Errors a learner sees, written to say what is wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from typing import Iterable


class ConfigurationError(Exception):
    """A config (or a command-line value) is wrong. The message names the key path and the fix."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' Did you mean "x"?' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


class LossNotFiniteError(ConfigurationError):
    """Training diverged: the loss became NaN or infinite. The message names the epoch, the step and the
    usual causes (a learning rate too high, no gradient clipping)."""


class InputError(ValueError):
    """A prediction request is wrong (missing field, wrong type, empty text). `field` names the culprit."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class WorkerError(RuntimeError):
    """A worker process of a distributed run failed or died; the message says which one and why."""
