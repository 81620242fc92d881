"""The exercise builder: solution regions become stubs, check outputs stay, the build is reproducible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course import builder, syllabus
from course.builder import BEGIN, END, BuildError

ROOT = syllabus.ROOT
EXERCISE = syllabus.Exercise("9.1", "A test exercise", "01", "test", 1, "Test.")


def solution_notebook(check_text: str = "✅ Exercise 9.1 passed: fine.\n") -> nbformat.NotebookNode:
    intro = new_markdown_cell("# A test", id="intro")
    setup = new_code_cell("x = 1\nprint(x)", id="setup", execution_count=7,
                          outputs=[new_output("stream", name="stdout", text="1\n")])
    setup.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00"}
    answer = new_code_cell(
        "def f(x):\n    y = x\n    " + BEGIN + "\n    y = y + 1\n    return y\n    " + END + "\n\n" + BEGIN
        + "\nz = f(1)\n" + END + "\nprint('done')",
        id="answer", execution_count=8,
        outputs=[new_output("execute_result", data={"text/plain": "2"}, execution_count=8)])
    check = new_code_cell("passed = check('9.1')", id="check", execution_count=9,
                          outputs=[new_output("stream", name="stdout", text=check_text)])
    check.metadata["tags"] = ["check"]
    notebook = new_notebook(cells=[intro, setup, answer, check],
                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                      "widgets": {"state": {}}})
    return notebook


def test_regions_become_stubs_at_the_markers_indentation() -> None:
    exercise = builder.build_exercise(solution_notebook(), EXERCISE)
    answer = exercise.cells[2].source.split("\n")
    assert answer == [
        "def f(x):",
        "    y = x",
        "    " + EXERCISE.stub,
        "",
        EXERCISE.stub,
        "print('done')",
    ]
    assert EXERCISE.stub == 'raise NotImplementedError("Exercise 9.1: write this part. Stuck? Run course.hint(\\"9.1\\")")'


def test_check_outputs_are_kept_and_the_rest_cleared() -> None:
    exercise = builder.build_exercise(solution_notebook(), EXERCISE)
    setup, answer, check = exercise.cells[1:]
    assert setup.outputs == [] and setup.execution_count is None
    assert answer.outputs == [] and answer.execution_count is None
    assert check.outputs[0]["text"] == "✅ Exercise 9.1 passed: fine.\n"
    assert check.execution_count == 3  # nbval compares only cells with an execution count
    assert "execution" not in setup.metadata
    assert "widgets" not in exercise.metadata
    assert exercise.metadata["swapnlp_course"]["generated_from"] == "solutions/9.1-test.ipynb"
    assert (exercise.nbformat, exercise.nbformat_minor) == (4, 5)


def test_the_build_is_deterministic_and_ends_with_a_newline() -> None:
    first = builder.dumps(builder.build_exercise(solution_notebook(), EXERCISE))
    second = builder.dumps(builder.build_exercise(solution_notebook(), EXERCISE))
    assert first == second and first.endswith("}\n")
    assert first.index('"cell_type"') < first.index('"id"') < first.index('"metadata"')  # sorted keys


@pytest.mark.parametrize("source, problem", [
    (f"{BEGIN}\nx = 1", "never closed"),
    (f"x = 1\n{END}", "without a"),
    (f"{BEGIN}\n{BEGIN}\n{END}", "inside the region"),
])
def test_unbalanced_markers_are_errors(source: str, problem: str) -> None:
    with pytest.raises(BuildError, match=problem):
        builder.strip_solution_regions(source, "stub")


def test_a_solution_must_pass_its_own_check_and_have_a_region() -> None:
    with pytest.raises(BuildError, match="run `make solutions`"):
        builder.build_exercise(solution_notebook("❌ Exercise 9.1: wrong\n"), EXERCISE)
    no_region = solution_notebook()
    no_region.cells[2].source = "z = 2"
    with pytest.raises(BuildError, match="nothing for the learner to write"):
        builder.build_exercise(no_region, EXERCISE)
    no_check = solution_notebook()
    no_check.cells[3].metadata["tags"] = []
    with pytest.raises(BuildError, match="nothing would check"):
        builder.build_exercise(no_check, EXERCISE)


def test_fill_exercise_puts_code_at_the_stub() -> None:
    exercise = builder.build_exercise(solution_notebook(), EXERCISE)
    filled = builder.fill_exercise(exercise, EXERCISE, "y = y * 2\nreturn y")
    assert filled.cells[2].source.split("\n")[2:4] == ["    y = y * 2", "    return y"]
    assert EXERCISE.stub in filled.cells[2].source  # the second stub is still there
    filled = builder.fill_exercise(filled, EXERCISE, "z = 5", region=0)
    assert EXERCISE.stub not in filled.cells[2].source


# --- the committed notebooks ----------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", syllabus.EXERCISES, ids=lambda e: e.id)
def test_committed_exercises_are_byte_identical_to_a_fresh_build(exercise: syllabus.Exercise) -> None:
    committed = (ROOT / exercise.notebook).read_bytes()
    assert builder.exercise_text(exercise).encode("utf-8") == committed, \
        f"{exercise.notebook} is out of date: run `make exercises`"


@pytest.mark.parametrize("exercise", syllabus.EXERCISES, ids=lambda e: e.id)
def test_committed_exercises_hold_stubs_not_solutions(exercise: syllabus.Exercise) -> None:
    solution = builder.read_notebook(ROOT / exercise.solution)
    notebook = builder.read_notebook(ROOT / exercise.notebook)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert exercise.stub in text
    assert BEGIN not in text and END not in text
    for region in builder.solution_regions(solution):
        assert region.strip() and region not in text
        first_line = region.strip().split("\n")[0]
        assert first_line not in text
    for cell in notebook.cells:
        if cell.cell_type == "code" and not builder.is_check_cell(cell):
            assert cell.outputs == [] and cell.execution_count is None
    assert builder.check_cell_numbers(notebook) == [sum(c.cell_type == "code" for c in notebook.cells) - 1], \
        "the check cell is the last code cell"


def test_solutions_are_stored_executed_and_in_the_fixed_format() -> None:
    for exercise in syllabus.EXERCISES:
        path = ROOT / exercise.solution
        notebook = builder.read_notebook(path)
        counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), f"{exercise.solution}: run `make solutions`"
        assert path.read_text("utf-8") == builder.dumps(notebook)


def test_build_exercises_command_check_mode(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "course", "build-exercises", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    # a stale copy is reported
    for exercise in syllabus.EXERCISES:
        for path in (exercise.solution, exercise.notebook):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_bytes((ROOT / path).read_bytes())
    stale = tmp_path / syllabus.EXERCISES[0].notebook
    stale.write_text(stale.read_text().replace("Exercise 1.1", "Exercise 1.1 (edited)"))
    assert builder.build_exercises(root=tmp_path, check_only=True) == [syllabus.EXERCISES[0].notebook]
    assert builder.build_exercises(root=tmp_path) == [syllabus.EXERCISES[0].notebook]
    assert builder.build_exercises(root=tmp_path) == []
    assert stale.read_bytes() == (ROOT / syllabus.EXERCISES[0].notebook).read_bytes()
