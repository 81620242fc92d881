"""index.ipynb, the course's front page, generated from the syllabus (course/index.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from course import syllabus
from course.index import PROGRESS_CODE, build_index, index_text

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_index_is_a_fresh_build() -> None:
    assert (ROOT / "index.ipynb").read_text(encoding="utf-8") == index_text(ROOT), \
        "index.ipynb is out of date with course/syllabus.py: run `python -m course build-index`"


def test_building_twice_gives_the_same_bytes() -> None:
    assert index_text(ROOT) == index_text(ROOT)


def test_every_chapter_and_exercise_is_listed_with_its_link_and_minutes() -> None:
    markdown = "\n".join(cell.source for cell in build_index(ROOT).cells if cell.cell_type == "markdown")
    for chapter in syllabus.CHAPTERS:
        assert f"[{chapter.id} · {chapter.title}]({chapter.notebook})" in markdown
        assert f"About {chapter.minutes} minutes" in markdown
        assert chapter.summary in markdown
    for exercise in syllabus.EXERCISES:
        assert f"[Exercise {exercise.id} · {exercise.title}]({exercise.workspace_copy})" in markdown


def test_only_markdown_comes_before_the_one_short_progress_cell() -> None:
    cells = build_index(ROOT).cells
    code = [index for index, cell in enumerate(cells) if cell.cell_type == "code"]
    assert len(code) == 1
    assert all(cell.cell_type == "markdown" for cell in cells[:code[0]])
    source = cells[code[0]].source
    assert source == PROGRESS_CODE and len(source.splitlines()) <= 3
    assert "sys.path" not in source


def test_the_stored_progress_is_a_learner_who_has_not_started(tmp_path: Path) -> None:
    cell = next(cell for cell in build_index(ROOT).cells if cell.cell_type == "code")
    text = cell.outputs[0]["data"]["text/plain"]
    for exercise in syllabus.EXERCISES:
        assert any(line.strip().startswith(exercise.id) and line.rstrip().endswith("not started")
                   for line in text.splitlines()), exercise.id


def test_build_index_check_says_when_it_is_out_of_date(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    (folder / "course").mkdir(parents=True)
    stale = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# old")])
    nbformat.write(stale, str(folder / "index.ipynb"))
    from course.index import write_index

    assert write_index(folder, check_only=True) is True
    assert (folder / "index.ipynb").read_text().count("# old") == 1  # --check changes nothing
    assert write_index(folder) is True and write_index(folder, check_only=True) is False
    result = subprocess.run([sys.executable, "-m", "course", "build-index", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
