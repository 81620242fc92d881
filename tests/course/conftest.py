"""Fixtures of the course tests.

Every test gets its own progress folder (SWAPNLP_COURSE_HOME -> tmp_path) and its own workspace
(SWAPNLP_COURSE_WORKSPACE -> tmp_path), so no test ever reads or writes the real per-user progress file or
the learner's copies in workspace/. Notebook run times are collected here and reported at the end.
"""

from __future__ import annotations

from pathlib import Path
import pytest

TIMES_ATTRIBUTE = "_course_notebook_times"  # [(notebook, seconds)] appended by test_course_notebooks.py


@pytest.fixture(autouse=True)
def course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "course-home"
    monkeypatch.setenv("SWAPNLP_COURSE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def course_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workspace"
    monkeypatch.setenv("SWAPNLP_COURSE_WORKSPACE", str(folder))
    return folder


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Shown when the notebook tests ran in this process (under xdist, see each test's user_properties)."""
    times = getattr(config, TIMES_ATTRIBUTE, None)
    if times:
        terminalreporter.write_sep("-", "course notebooks under nbval: run time per notebook")
        for name, seconds in sorted(times):
            terminalreporter.write_line(f"{seconds:6.1f}s  {name}")
