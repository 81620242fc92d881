"""`make check` (`python -m course check [IDS]`): `pytest --nbval` over the learner's copies, one table.

Each copy the learner started (course/status.py) runs exactly as the README tells them to check one by hand,
from the repository root:

    .venv/bin/pytest --nbval workspace/1.1-text-to-instance.ipynb

each in its own pytest process and kernel, one after the other, and the results come back as a table:

    exercise  notebook                             result
    1.1       workspace/1.1-text-to-instance.ipynb  passed (12.3s)
    1.2       workspace/1.2-classifier-forward.ipynb failed at cell 5: ❌ Exercise 1.2: ...
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from course import status, syllabus, workspace
from course.checks.core import FAIL_MARK

CELL_TIMEOUT_S = 900  # 3.1 fine-tunes a small transformer


@dataclass(frozen=True)
class Result:
    id: str
    notebook: str   # relative to the repository root
    passed: bool
    detail: str     # "passed (12.3s)", "failed at cell 5: ❌ ...", "no copy: ..."


def nbval_command(notebook: str) -> List[str]:
    """The learner's check of one notebook (run from the repository root)."""
    return [sys.executable, "-m", "pytest", "--nbval", notebook, "-p", "no:cacheprovider", "-q",
            "--nbval-cell-timeout", str(CELL_TIMEOUT_S)]


def _failed_cells(junit: Path) -> List[str]:
    if not junit.exists():
        return []
    cells = []
    for case in ElementTree.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            cells.append(case.get("name", "?").split()[-1])
    return cells


def _failure_line(output: str) -> str:
    """The ❌ line the check cell printed (nbval shows the cell's new output), if any."""
    found = re.findall(rf"{FAIL_MARK} Exercise [^\n]*", output)
    return found[-1].strip() if found else ""


def check_notebook(exercise: syllabus.Exercise, notebook: Path, root: Path = syllabus.ROOT) -> Result:
    """Run `pytest --nbval` on one notebook and say how it went."""
    name = workspace.relative(notebook, root)
    with tempfile.TemporaryDirectory(prefix="swapnlp-course-check-") as folder:
        junit = Path(folder) / "junit.xml"
        start = time.perf_counter()
        result = subprocess.run(nbval_command(name) + ["--junitxml", str(junit)], cwd=root,
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
        cells = _failed_cells(junit)
    if result.returncode == 0:
        return Result(exercise.id, name, True, f"passed ({seconds:.1f}s)")
    output = result.stdout + result.stderr
    where = f"failed at cell {', '.join(cells)}" if cells else f"failed (pytest exit code {result.returncode})"
    line = _failure_line(output)
    if not line and not cells:
        tail = [text for text in output.strip().splitlines() if text.strip()][-1:]
        line = tail[0] if tail else ""
    return Result(exercise.id, name, False, f"{where}: {line}" if line else where)


def check_workspace(ids: Optional[Sequence[str]] = None, root: Path = syllabus.ROOT,
                    report: Optional[Callable[[str], None]] = None) -> List[Result]:
    """Check the given exercises' copies, or every exercise the learner started."""
    if ids:
        chosen = [syllabus.exercise(exercise_id) for exercise_id in ids]
    else:
        chosen = [syllabus.exercise(item.id) for item in status.started(root)]
    results = []
    for exercise in chosen:
        path = workspace.copy_path(exercise, root)
        if not path.exists():
            results.append(Result(exercise.id, workspace.relative(path, root), False,
                                  "no copy yet: run `make lab` or `python -m course workspace`"))
            continue
        if report:
            report(f"checking {exercise.id}: pytest --nbval {workspace.relative(path, root)} ...")
        results.append(check_notebook(exercise, path, root))
    return results


def results_table(results: List[Result]) -> str:
    header = ("exercise", "notebook", "result")
    rows = [(result.id, result.notebook, result.detail) for result in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    def line(row: "tuple[str, str, str]") -> str:
        return f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}".rstrip()
    return "\n".join([line(header), *(line(row) for row in rows)])
