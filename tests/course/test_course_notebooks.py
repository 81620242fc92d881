"""Every exercise under real nbval, as a learner runs it (`pytest --nbval exercises/...`):

(a) the unfilled exercise fails, at its check cell and only there (a different output, not a crash);
(b) the solution notebook passes, all its stored outputs included;
(c) a different correct answer, written here, passes;
(d) a subtly wrong answer fails at the check cell.

Each notebook runs in its own pytest subprocess (its own kernel), in a temporary folder, with a temporary
progress folder. The runs are independent, so they go in parallel, all started by one fixture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from course import builder, syllabus
from course_variants import ALTERNATIVES, NBVAL_WRONG

ROOT = syllabus.ROOT
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")
KINDS = ("unfilled", "solution", "alternative", "wrong")
EXERCISE_IDS = [exercise.id for exercise in syllabus.EXERCISES]


@dataclass
class NbvalRun:
    name: str
    returncode: int
    output: str
    seconds: float
    failed_cells: List[int] = field(default_factory=list)
    passed_cells: List[int] = field(default_factory=list)


def _notebook_for(exercise: syllabus.Exercise, kind: str) -> str:
    if kind == "solution":
        return (ROOT / exercise.solution).read_text("utf-8")
    committed = builder.read_notebook(ROOT / exercise.notebook)
    if kind == "unfilled":
        return (ROOT / exercise.notebook).read_text("utf-8")
    code = ALTERNATIVES[exercise.id] if kind == "alternative" else NBVAL_WRONG[exercise.id][0]
    return builder.dumps(builder.fill_exercise(committed, exercise, code))


def _cells(junit: Path, outcome: str) -> List[int]:
    if not junit.exists():
        return []
    cells = []
    for case in ElementTree.parse(junit).iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        if (outcome == "failed" and failed) or (outcome == "passed" and not failed and not skipped):
            cells.append(int(case.get("name", "Cell -1").split()[-1]))
    return sorted(cells)


def _run(folder: Path, notebook: str, home: Path, sanitize: bool) -> NbvalRun:
    (folder / "tmp").mkdir(exist_ok=True)  # whatever a notebook leaves in its temporary folder goes too
    env = dict(os.environ, SWAPNLP_COURSE_HOME=str(home), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TMPDIR=str(folder / "tmp"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    junit = folder / "junit.xml"
    command = [sys.executable, "-m", "pytest", "--nbval", notebook, "-p", "no:cacheprovider", "-p", "no:xdist",
               "-q", "--junitxml", str(junit), "--nbval-cell-timeout", "300"]
    if sanitize:  # as CI runs solutions/; learners run exercises/ without it, and so do the tests
        command += ["--nbval-sanitize-with", str(SANITIZE_FILE)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    return NbvalRun(f"{folder.name}/{notebook}", result.returncode, result.stdout + result.stderr, seconds,
                    _cells(junit, "failed"), _cells(junit, "passed"))


def _selected_exercises(session: pytest.Session) -> List[str]:
    """The exercise ids of this module's selected tests (`-k 3.3` runs the notebooks of 3.3 only)."""
    ids = {item.callspec.params["exercise_id"] for item in session.items
           if item.module is not None and item.module.__name__ == __name__ and hasattr(item, "callspec")
           and "exercise_id" in item.callspec.params}
    return [exercise_id for exercise_id in EXERCISE_IDS if exercise_id in ids]


@pytest.fixture(scope="module")
def nbval_runs(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config,
               request: pytest.FixtureRequest) -> Dict[Tuple[str, str], NbvalRun]:
    base = tmp_path_factory.mktemp("nbval")
    jobs = {}
    selected = _selected_exercises(request.session)
    for exercise in syllabus.EXERCISES:
        if exercise.id not in selected:
            continue
        for kind in KINDS:
            folder = base / f"{exercise.id}-{kind}"
            folder.mkdir()
            name = Path(exercise.notebook).name
            (folder / name).write_text(_notebook_for(exercise, kind), "utf-8")
            jobs[(exercise.id, kind)] = (folder, name, folder / "course-home", kind == "solution")
    workers = int(os.environ.get("COURSE_NBVAL_WORKERS", max(2, min(4, os.cpu_count() or 2))))
    # the slowest notebooks first, so the pool ends together
    order = sorted(jobs, key=lambda key: (key[0] not in ("3.1", "3.3", "2.1"), key))  # 3.1 and 3.3 train MiniLM
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(_run, *jobs[key]) for key in order}
        runs = {key: future.result() for key, future in futures.items()}
    times = pytestconfig.__dict__.setdefault("_course_notebook_times", [])
    times.extend((run.name, run.seconds) for run in runs.values())
    yield runs
    shutil.rmtree(base, ignore_errors=True)


def _check_cells(exercise_id: str) -> List[int]:
    return builder.check_cell_numbers(builder.read_notebook(ROOT / syllabus.exercise(exercise_id).notebook))


@pytest.fixture
def nbval_run(nbval_runs, record_property):  # type: ignore[no-untyped-def]
    def get(exercise_id: str, kind: str) -> NbvalRun:
        run = nbval_runs[(exercise_id, kind)]
        record_property("nbval_notebook", run.name)
        record_property("nbval_seconds", round(run.seconds, 1))
        return run
    return get


def _describe(run: NbvalRun) -> str:
    return f"{run.name} (rc {run.returncode}, {run.seconds:.1f}s, failed cells {run.failed_cells}):\n{run.output[-3000:]}"


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_unfilled_exercise_fails_at_its_check_cell(nbval_run, exercise_id: str) -> None:
    run = nbval_run(exercise_id, "unfilled")
    assert run.returncode != 0, _describe(run)
    assert run.failed_cells == _check_cells(exercise_id), _describe(run)
    assert "Cell outputs differ" in run.output, _describe(run)  # a different line, not a crash
    assert f"❌ Exercise {exercise_id}: " in run.output and "NotImplementedError" in run.output, _describe(run)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_solution_passes(nbval_run, exercise_id: str) -> None:
    run = nbval_run(exercise_id, "solution")
    assert run.returncode == 0 and not run.failed_cells, _describe(run)
    assert run.passed_cells, _describe(run)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_different_correct_answer_passes(nbval_run, exercise_id: str) -> None:
    run = nbval_run(exercise_id, "alternative")
    assert run.returncode == 0 and not run.failed_cells, _describe(run)
    assert _check_cells(exercise_id)[0] in run.passed_cells, _describe(run)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_subtly_wrong_answer_fails_at_the_check_cell(nbval_run, exercise_id: str) -> None:
    run = nbval_run(exercise_id, "wrong")
    assert run.returncode != 0, _describe(run)
    assert run.failed_cells == _check_cells(exercise_id), _describe(run)
    assert "Cell outputs differ" in run.output, _describe(run)
    assert NBVAL_WRONG[exercise_id][1] in run.output, _describe(run)
