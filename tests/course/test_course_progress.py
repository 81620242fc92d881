"""Progress file (per-user folder, atomic, locked) and graded hints."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

import course
from course import hints, progress, syllabus

ROOT = syllabus.ROOT


def test_the_progress_file_lives_in_the_folder_the_variable_names(course_home: Path) -> None:
    assert progress.progress_path() == course_home / "progress.json"
    progress.record_check("1.1", True)
    assert json.loads((course_home / "progress.json").read_text())["exercises"]["1.1"]["passed"] is True


def test_without_the_variable_it_is_the_per_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SWAPNLP_COURSE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert progress.data_dir() == tmp_path / "home" / ".local" / "share" / "swapnlp-course"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert progress.data_dir() == tmp_path / "xdg" / "swapnlp-course"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert progress.data_dir() == tmp_path / "home" / "Library" / "Application Support" / "swapnlp-course"


def test_no_progress_yet_and_a_damaged_file_read_as_empty(course_home: Path) -> None:
    assert progress.load() == {"version": 1, "exercises": {}}
    course_home.mkdir(parents=True)
    (course_home / "progress.json").write_text("{not json")
    assert progress.load()["exercises"] == {}
    progress.record_hint("1.2", 1)  # and the next write repairs it
    assert progress.load()["exercises"]["1.2"]["hints_shown"] == 1


def test_writes_are_atomic(course_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    progress.record_check("1.1", True)
    before = (course_home / "progress.json").read_bytes()

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(progress.os, "replace", crash)
    with pytest.raises(OSError):
        progress.record_check("1.2", True)
    assert (course_home / "progress.json").read_bytes() == before  # the old file, whole
    assert sorted(p.name for p in course_home.iterdir()) == ["progress.json", "progress.json.lock"]  # no temp left


def _record_many(home: str, exercise_id: str, count: int) -> None:
    os.environ["SWAPNLP_COURSE_HOME"] = home
    for _ in range(count):
        progress.record_check(exercise_id, False)


def test_concurrent_updates_lose_nothing(course_home: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(course_home), exercise_id, 15))
               for exercise_id in ("1.1", "1.1", "1.2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    data = progress.load()["exercises"]
    assert data["1.1"]["checks"] == 30 and data["1.2"]["checks"] == 15


def test_hints_are_revealed_one_at_a_time(capsys: pytest.CaptureFixture) -> None:
    total = len(hints.HINTS["1.2"])
    for number in range(1, total + 1):
        course.hint("1.2")
        out = capsys.readouterr().out
        assert out.startswith(f"Hint {number}/{total}: ")
        assert progress.hints_shown("1.2") == number
    course.hint("1.2")  # past the last one: the last hint again, and where the solution is
    out = capsys.readouterr().out
    assert out.startswith(f"Hint {total}/{total}: ") and "solutions/1.2-classifier-forward.ipynb" in out
    course.hint("1.2", 1)
    assert capsys.readouterr().out.startswith(f"Hint 1/{total}: ")
    course.hint("1.1", "all")
    assert capsys.readouterr().out.count("Hint ") == len(hints.HINTS["1.1"])
    with pytest.raises(KeyError):
        course.hint("7.7")


def test_every_exercise_has_graded_hints() -> None:
    for exercise in syllabus.EXERCISES:
        assert len(hints.HINTS[exercise.id]) >= 2, exercise.id


def test_the_progress_table(capsys: pytest.CaptureFixture) -> None:
    progress.record_check("1.1", True)
    progress.record_hint("1.1", 2)
    progress.record_check("1.2", False)
    table = course.progress_table()
    status = {row.id: row.status for row in table.rows}
    expected = {"01": "1/2 exercises passed", "1.1": "passed, 2 hints", "1.2": "in progress (1 check)",
                "02": "0/1 exercises passed", "2.1": "not started", "04": "reading only (no exercise)"}
    assert {key: status.get(key) for key in expected} == expected
    others = {key: value for key, value in status.items() if key not in expected}  # the later chapters
    assert all(value == "not started" or value.startswith("0/") for value in others.values()), others
    text = str(table)
    assert "Write the reader's text_to_instance" in text and "passed, 2 hints" in text
    html = table._repr_html_()
    assert 'href="workspace/1.1-text-to-instance.ipynb"' in html and "✅" in html
    assert 'href="../chapters/01-your-first-model.ipynb"' in course.progress_table("../")._repr_html_()


def test_status_command(course_home: Path) -> None:
    progress.record_check("2.1", True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "course", "status"], capture_output=True, text=True, env=env,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:1] == ["2.1"] and line.rstrip().endswith("passed") for line in lines), result.stdout
    assert any(line.startswith("02") and "done (1/1 exercises passed)" in line for line in lines)
    assert str(course_home / "progress.json") in result.stdout


def test_importing_the_course_is_cheap() -> None:
    code = "import sys, course; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.stdout.strip() == "False", result.stderr


def test_the_syllabus_is_consistent() -> None:
    chapter_ids = [chapter.id for chapter in syllabus.CHAPTERS]
    assert chapter_ids == sorted(set(chapter_ids))
    for index, chapter in enumerate(syllabus.CHAPTERS):
        assert set(chapter.prerequisites) <= set(chapter_ids[:index])
        assert chapter.notebook.startswith(f"chapters/{chapter.id}-")
    exercise_ids = [exercise.id for exercise in syllabus.EXERCISES]
    assert len(exercise_ids) == len(set(exercise_ids)) >= 3
    for exercise in syllabus.EXERCISES:
        assert exercise.chapter in chapter_ids
        assert exercise.id.split(".")[0] == exercise.chapter.split(".")[0].lstrip("0")  # 3.2 in chapter 03.2
        assert (ROOT / exercise.solution).exists() and (ROOT / exercise.notebook).exists()
        assert Path(exercise.solution).name == Path(exercise.notebook).name
        assert exercise.id in course.checks.CHECKS
