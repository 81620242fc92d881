"""The learner's workspace (course/workspace.py): their own copies of the exercises, which regeneration,
the tests and `git pull` never touch.

Every test works in a temporary copy of the course (course/, solutions/, exercises/, Makefile, .gitignore,
pyproject.toml, committed to a fresh git repository) and runs the learner's commands there, never in the real
workspace/. Real nbval runs are few (they start a kernel each): the unfilled 1.1 fails, filled 1.1 and 3.4
pass; that every other filled copy passes follows from its code being exactly its solution's code, which
test_course_notebooks.py runs under nbval. COURSE_WORKSPACE_NBVAL_ALL=1 runs all nine copies under nbval.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import nbformat
import pytest

from course import builder, status, syllabus, workspace

ROOT = syllabus.ROOT
BIN = Path(sys.executable).parent
COPIED = ("course", "lib", "solutions", "exercises", "Makefile", ".gitignore", "pyproject.toml")  # lib: course.setup() looks for it
NBVAL_ALL = os.environ.get("COURSE_WORKSPACE_NBVAL_ALL") == "1"


# -- a temporary course ----------------------------------------------------------------------------------
def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd=repo,
                            capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the course in a fresh git repository, its workspace at repo/workspace."""
    monkeypatch.delenv(workspace.ENV_VARIABLE, raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "the course")
    return repo


def _env(repo: Path) -> Dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(repo), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name in (workspace.ENV_VARIABLE, "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env


def course(repo: Path, *args: str, expect: int = 0) -> str:
    """`python -m course ARGS` in the temporary course, as the learner runs it; its output."""
    result = subprocess.run([sys.executable, "-m", "course", *args], cwd=repo, env=_env(repo), capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == expect, f"python -m course {' '.join(args)}: rc {result.returncode}\n" \
                                        f"{result.stdout}\n{result.stderr}"
    return result.stdout


def make(repo: Path, target: str) -> str:
    """`make TARGET` in the temporary course, with the real .venv (never re-created there)."""
    result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", target, f"BIN={BIN}"],
                            cwd=repo, env=_env(repo),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"make {target}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def statuses(repo: Path) -> Dict[str, dict]:
    return {item["id"]: item for item in json.loads(course(repo, "status", "--json"))}


def copy_of(repo: Path, exercise: syllabus.Exercise) -> Path:
    return repo / exercise.workspace_copy


def fill_with_solution(repo: Path, exercise: syllabus.Exercise) -> bytes:
    """What a learner does: put the answer in each marked part of their copy and save it; the bytes saved.
    Each stub line gives way to its solution region's lines as they are (the inverse of the build)."""
    notebook = builder.read_notebook(copy_of(repo, exercise))
    regions = iter(builder.solution_regions(builder.read_notebook(repo / exercise.solution)))
    for cell in notebook.cells:
        if cell.cell_type == "code" and exercise.stub in cell.source:
            cell.source = "\n".join(next(regions) if line.strip() == exercise.stub else line
                                    for line in cell.source.split("\n"))
    assert next(regions, None) is None, f"{exercise.id}: more solution regions than stubs"
    data = builder.dumps(notebook).encode("utf-8")
    copy_of(repo, exercise).write_bytes(data)
    return data


def code_cells(notebook: nbformat.NotebookNode) -> List[str]:
    return [builder.remove_markers(cell.source) for cell in notebook.cells if cell.cell_type == "code"]


def check_outputs(notebook: nbformat.NotebookNode) -> List[list]:
    return [cell.outputs for cell in notebook.cells if builder.is_check_cell(cell)]


def change_solution(repo: Path, exercise: syllabus.Exercise) -> None:
    """A course update: one more sentence in the solution's introduction."""
    path = repo / exercise.solution
    notebook = builder.read_notebook(path)
    notebook.cells[0].source += "\n\n(Updated: this exercise now says a little more.)"
    path.write_text(builder.dumps(notebook), "utf-8")


# -- the tests --------------------------------------------------------------------------------------------
def test_the_temporary_course_runs_its_own_course_package(repo: Path) -> None:
    result = subprocess.run([sys.executable, "-c", "import course; print(course.__file__)"], cwd=repo,
                            env=_env(repo), capture_output=True, text=True, check=True)
    assert Path(result.stdout.strip()).parent == repo / "course"


def test_filled_copies_pass_nbval_and_survive_every_rebuild(repo: Path) -> None:
    out = course(repo, "workspace")
    assert "Your exercises are in workspace/" in out and "pytest --nbval workspace/1.1-text-to-instance.ipynb" in out
    for exercise in syllabus.EXERCISES:
        assert copy_of(repo, exercise).read_bytes() == (repo / exercise.notebook).read_bytes()
    assert all(item["status"] == "not started" and item["exists"] and not item["course_changed"]
               for item in statuses(repo).values())

    # an unfilled copy fails its check, by the check cell's ❌ line (a real nbval run)
    out = course(repo, "check", "1.1", expect=1)
    assert "workspace/1.1-text-to-instance.ipynb" in out and "failed at cell" in out, out
    assert "❌ Exercise 1.1" in out and "NotImplementedError" in out, out

    # the learner fills every copy with the answer
    filled = {exercise.id: fill_with_solution(repo, exercise) for exercise in syllabus.EXERCISES}
    for exercise in syllabus.EXERCISES:  # each copy now runs exactly its solution's code, to the same check line
        solution = builder.read_notebook(repo / exercise.solution)
        mine = builder.read_notebook(copy_of(repo, exercise))
        assert code_cells(mine) == code_cells(solution), exercise.id
        assert check_outputs(mine) == check_outputs(solution), exercise.id

    # nothing the course does overwrites them, and git sees no change to a tracked file
    def unchanged() -> None:
        for exercise in syllabus.EXERCISES:
            assert copy_of(repo, exercise).read_bytes() == filled[exercise.id], exercise.id
    assert "exercises/ already up to date" in make(repo, "exercises")
    unchanged()
    out = course(repo, "workspace")
    assert out.count("yours, kept") == len(syllabus.EXERCISES), out
    unchanged()
    assert _git(repo, "status", "--porcelain") == ""
    assert _git(repo, "status", "--porcelain", "--ignored", "workspace").strip() == "!! workspace/"
    assert {item["status"] for item in statuses(repo).values()} == {"started"}

    # filled copies pass under real nbval; the check cell records the pass in the learner's progress
    ids = [exercise.id for exercise in syllabus.EXERCISES] if NBVAL_ALL else ["1.1", "3.4"]
    out = course(repo, "check", *ids)
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == set(ids) and all(" passed (" in line for line in lines.values()), out
    after = statuses(repo)
    assert all(after[exercise_id]["status"] == "passed" for exercise_id in ids), after
    unchanged()

    # `make solutions` re-runs solutions and rebuilds exercises/ (here for 1.1 only, to stay quick)
    course(repo, "run-solutions", "1.1")
    unchanged()


def test_a_course_change_keeps_the_learners_copy_and_reset_backs_it_up(repo: Path) -> None:
    first, second = syllabus.exercise("1.1"), syllabus.exercise("1.2")
    course(repo, "workspace")
    mine = fill_with_solution(repo, first)  # started 1.1; 1.2 left as copied
    assert statuses(repo)["1.1"]["status"] == "started"

    change_solution(repo, first)
    change_solution(repo, second)
    make(repo, "exercises")
    new_first = (repo / first.notebook).read_bytes()
    assert b"this exercise now says a little more" in new_first
    assert copy_of(repo, first).read_bytes() == mine

    now = statuses(repo)
    assert now["1.1"] == {"id": "1.1", "title": first.title, "notebook": "workspace/1.1-text-to-instance.ipynb",
                          "exists": True, "status": "started", "course_changed": True}
    assert now["1.2"]["course_changed"] and now["1.2"]["status"] == "not started"
    assert not now["2.1"]["course_changed"]
    text = course(repo, "status")
    assert "python -m course reset 1.1" in text and "the course's version changed" in text

    # `course workspace` (make lab) keeps the started copy and updates the one never touched
    out = course(repo, "workspace")
    assert copy_of(repo, first).read_bytes() == mine
    assert copy_of(repo, second).read_bytes() == (repo / second.notebook).read_bytes()
    assert "course reset 1.1" in out and "updated to the course's new version" in out, out
    now = statuses(repo)
    assert now["1.1"]["course_changed"] and not now["1.2"]["course_changed"]

    # reset: the old copy is backed up next to it, the new version takes its place
    out = course(repo, "reset", "1.1")
    backups = sorted(copy_of(repo, first).parent.glob("1.1-text-to-instance.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert backups[0].name in out
    assert copy_of(repo, first).read_bytes() == new_first
    assert statuses(repo)["1.1"] == {**now["1.1"], "status": "not started", "course_changed": False}
    assert _git(repo, "status", "--porcelain", "--untracked-files=all", "--", "workspace") == ""

    # resetting a copy that holds nothing of the learner's makes no backup
    course(repo, "reset", "1.1")
    assert len(list(copy_of(repo, first).parent.glob("1.1-*.backup-*"))) == 1


def test_copies_without_a_record_are_kept(tmp_path: Path, course_workspace: Path) -> None:
    """A lost state file: a copy identical to the course's version is adopted, any other is the learner's."""
    first, second = syllabus.EXERCISES[:2]
    course_workspace.mkdir(parents=True)
    (course_workspace / Path(first.workspace_copy).name).write_bytes((ROOT / first.notebook).read_bytes())
    (course_workspace / Path(second.workspace_copy).name).write_text("my own notes")
    actions = {action.exercise.id: action.what for action in workspace.make_workspace()}
    assert actions[first.id] == "up to date" and actions[second.id] == "kept, course changed"
    assert actions[syllabus.EXERCISES[2].id] == "made"
    assert (course_workspace / Path(second.workspace_copy).name).read_text() == "my own notes"
    by_id = {item.id: item for item in status.exercise_statuses()}
    assert not by_id[first.id].course_changed and by_id[second.id].course_changed
    assert by_id[second.id].status == "started"


def test_backups_never_overwrite_each_other(tmp_path: Path) -> None:
    path = tmp_path / "1.1-text-to-instance.ipynb"
    path.write_text("one")
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    first = workspace.back_up(path, when)
    path.write_text("two")
    second = workspace.back_up(path, when)
    assert first.name == "1.1-text-to-instance.backup-20260102-030405.ipynb"
    assert second.name == "1.1-text-to-instance.backup-20260102-030405-2.ipynb"
    assert (first.read_text(), second.read_text()) == ("one", "two")


def test_status_json_before_the_workspace_exists(course_workspace: Path) -> None:
    items = json.loads(status.status_json())
    assert [item["id"] for item in items] == [exercise.id for exercise in syllabus.EXERCISES]
    assert all(set(item) == {"id", "title", "notebook", "exists", "status", "course_changed"} for item in items)
    assert all(not item["exists"] and item["status"] == "not started" for item in items)
    assert not course_workspace.exists()  # status only reads
    assert f"0 of {len(items)} made" in status.status_text()


def test_check_with_nothing_started_says_what_to_do(repo: Path) -> None:
    course(repo, "workspace")
    assert "No exercise started yet" in course(repo, "check")


def test_make_lab_makes_the_workspace_first_and_make_check_runs_the_course_check() -> None:
    quiet = ["make", "--no-print-directory", "-n", "-o", ".venv/.installed"]  # (no "Entering directory" under make)
    lab = subprocess.run([*quiet, "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    workspace_line = next(i for i, line in enumerate(lab) if line.endswith("-m course workspace"))
    assert workspace_line < next(i for i, line in enumerate(lab) if "jupyter lab" in line)
    check = subprocess.run([*quiet, "check"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert check.strip().endswith("-m course check")


def test_make_test_never_collects_the_workspace(repo: Path) -> None:
    """`make test` runs plain pytest: testpaths (tests/) only, even with --nbval, never workspace/."""
    course(repo, "workspace")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval", "-p", "no:cacheprovider",
                             "-p", "no:xdist"], cwd=repo, env=_env(repo), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tests/test_nothing.py::test_nothing" in result.stdout and "workspace" not in result.stdout
    recipe = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "workspace" not in recipe and "--nbval" not in recipe
