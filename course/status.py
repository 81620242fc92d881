"""`python -m course status [--json]`: where the learner stands in each exercise, from their progress file
(course/progress.py) and their copies in the workspace (course/workspace.py).

`--json` prints one object per exercise:

    {"id": "1.1", "title": "...", "notebook": "workspace/1.1-text-to-instance.ipynb", "exists": true,
     "status": "started", "course_changed": false}

`status` is "not started", "started" or "passed" (progress.stage); `notebook` is the learner's copy,
relative to the repository root; `course_changed` says the course's version of the exercise changed since
the copy was made (`python -m course reset ID` then saves the copy as a backup and gives the new one).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List

from course import progress, syllabus, workspace


@dataclass(frozen=True)
class ExerciseStatus:
    id: str
    title: str
    notebook: str          # the learner's copy, relative to the repository root
    exists: bool           # the copy has been made (`python -m course workspace`, `make lab`)
    status: str            # "not started", "started" or "passed"
    course_changed: bool   # the course's version changed since the copy was made

    def as_json(self) -> Dict[str, Any]:
        return asdict(self)


def exercise_statuses(root: Path = syllabus.ROOT) -> List[ExerciseStatus]:
    entries = progress.load()["exercises"]
    statuses = []
    for copy in workspace.copies(root):
        exercise = copy.exercise
        statuses.append(ExerciseStatus(
            exercise.id, exercise.title, workspace.relative(copy.path, root), copy.exists,
            progress.stage(entries.get(exercise.id, {}), copy.exists and copy.edited),
            copy.exists and copy.course_changed))
    return statuses


def started(root: Path = syllabus.ROOT) -> List[ExerciseStatus]:
    """The exercises the learner started or passed, whose copy exists (what `make check` runs)."""
    return [item for item in exercise_statuses(root) if item.exists and item.status != "not started"]


def status_json(root: Path = syllabus.ROOT) -> str:
    return json.dumps([item.as_json() for item in exercise_statuses(root)], indent=1)


def status_text(root: Path = syllabus.ROOT) -> str:
    """The readable table, then where the copies are and what changed in the course."""
    lines = [str(progress.progress_table(root=root)), ""]
    statuses = exercise_statuses(root)
    folder = workspace.relative(workspace.workspace_dir(root), root)
    made = sum(item.exists for item in statuses)
    if made < len(statuses):
        lines.append(f"Your copies of the exercises: {folder}/ ({made} of {len(statuses)} made; "
                     "`make lab` or `python -m course workspace` makes them).")
    else:
        lines.append(f"Your copies of the exercises: {folder}/. Check those you started: make check")
    for item in statuses:
        if item.course_changed:
            lines.append(f"  {item.id}: the course's version changed since {item.notebook} was copied: "
                         f"`python -m course reset {item.id}` saves yours as a backup and gives you the new one.")
    lines.append(f"(progress file: {progress.progress_path()})")
    return "\n".join(lines)
