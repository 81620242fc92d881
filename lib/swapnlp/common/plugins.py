"""--include-package: import a learner's own modules so their @register calls run."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Iterable, List

from swapnlp.common.errors import ConfigurationError

IMPORTED: List[str] = []  # what --include-package imported: distributed workers import the same modules


def import_plugins(package_names: Iterable[str]) -> None:
    """Import each named module (the current folder is searchable, like `python -m`)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for name in package_names:
        try:
            importlib.import_module(name)
            if name not in IMPORTED:
                IMPORTED.append(name)
        except ModuleNotFoundError as error:
            if error.name and name.startswith(error.name):
                raise ConfigurationError(f'--include-package {name}: no module named "{error.name}" (looked in the '
                                         f"current folder and the installed packages).") from None
            raise
