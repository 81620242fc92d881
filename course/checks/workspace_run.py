"""Running code in the exercise's folder in a fresh Python process, as the learner's terminal does.

Checks that import the learner's own module (--include-package) run it in a new process: the notebook's
kernel is left as it was (nothing registered twice), and the module is found exactly as `swapnlp` finds it,
in the current folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from course.checks.core import CheckFailed

TIMEOUT_S = 300


def run_swapnlp(folder: Path, *args: str) -> "tuple[int, str, str]":
    """(exit status, stdout, stderr) of `swapnlp ARGS` run in `folder`."""
    result = subprocess.run([sys.executable, "-m", "swapnlp", *args], cwd=folder, capture_output=True, text=True,
                            timeout=TIMEOUT_S, env=dict(os.environ, TQDM_DISABLE="1"))
    return result.returncode, result.stdout, result.stderr


def run_probe(folder: Path, script: str, argument: Any) -> Any:
    """Run a probe script in `folder` (it reads json.loads(sys.argv[1]) and prints one JSON line last)."""
    result = subprocess.run([sys.executable, "-c", script, json.dumps(argument)], cwd=folder, capture_output=True,
                            text=True, timeout=TIMEOUT_S, env=dict(os.environ, TQDM_DISABLE="1",
                                                                   OMP_NUM_THREADS="1"))
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        error = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise CheckFailed(f"your module could not be used: {error[-1] if error else 'no output'}")
    return json.loads(lines[-1])


def last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def arguments(*parts: Sequence[str]) -> list:
    return [item for part in parts for item in part]
