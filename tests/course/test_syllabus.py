"""The syllabus's numbering: exercise ids follow their chapters, and every chapter but the conclusion has one."""

from __future__ import annotations

import re

from course import syllabus


def test_exercise_ids_follow_their_chapters() -> None:
    for chapter in syllabus.CHAPTERS:
        ids = [exercise.id for exercise in syllabus.exercises_of(chapter.id)]
        number = chapter.id.lstrip("0")  # "03.1" -> "3.1", "01" -> "1"
        if "." in number:  # chapter 03.1: 3.1, 3.1b, 3.1c
            expected = [number] + [f"{number}{letter}" for letter in "bcdefgh"]
        else:  # chapter 01: 1.1, 1.2, 1.3
            expected = [f"{number}.{n}" for n in range(1, 9)]
        assert ids == expected[: len(ids)], f"chapter {chapter.id}: exercises {ids}, expected {expected[:len(ids)]}"
    for exercise in syllabus.EXERCISES:
        assert re.fullmatch(r"\d+(\.\d+)?[b-h]?", exercise.id), exercise.id


def test_every_chapter_but_the_conclusion_has_an_exercise() -> None:
    without = [c.id for c in syllabus.CHAPTERS if not syllabus.exercises_of(c.id)]
    assert without == [syllabus.CHAPTERS[-1].id], without


def test_measured_run_times_belong_to_exercises_and_fit_their_minutes() -> None:
    for exercise_id, seconds in syllabus.REFERENCE_RUN_SECONDS.items():
        assert seconds > 0 and seconds / 60 < syllabus.exercise(exercise_id).minutes
