"""The learner's progress: one small JSON file in their data folder.

Where: `$SWAPNLP_COURSE_HOME/progress.json` when that variable is set (tests point it at a temporary
folder), else the per-user data folder, like platformdirs' `user_data_dir("swapnlp-course")`:
`$XDG_DATA_HOME/swapnlp-course` or `~/.local/share/swapnlp-course` on Linux,
`~/Library/Application Support/swapnlp-course` on macOS, `%APPDATA%\\swapnlp-course` on Windows.

    {"version": 1, "exercises": {"1.1": {"passed": true, "first_passed_at": "...", "last_checked_at": "...",
                                         "checks": 3, "hints_shown": 1}}}

Every update is a read-modify-write under a lock file, and the new file replaces the old one atomically
(the library's `atomic_write_text`, lib/swapnlp/common/atomic.py): a crash or two notebooks
checking at once never leave a half-written or lost file.
"""

from __future__ import annotations

import contextlib
import datetime as _datetime
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional

from swapnlp.common.atomic import atomic_write_text

from course import syllabus

if TYPE_CHECKING:
    from course import workspace

ENV_VARIABLE = "SWAPNLP_COURSE_HOME"
APP_NAME = "swapnlp-course"
FILE_NAME = "progress.json"
VERSION = 1


def data_dir() -> Path:
    """The folder that holds the progress file (not created here)."""
    override = os.environ.get(ENV_VARIABLE)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / APP_NAME
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / APP_NAME


def progress_path() -> Path:
    return data_dir() / FILE_NAME


def _empty() -> Dict[str, Any]:
    return {"version": VERSION, "exercises": {}}


def load() -> Dict[str, Any]:
    """The progress so far (an empty record when there is no file yet or it cannot be read)."""
    path = progress_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty()
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        return _empty()
    return data


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`.lock (POSIX); elsewhere updates are only atomic, not serialised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def update(change: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
    """Apply `change` to the progress record and save it (locked read-modify-write, atomic replace)."""
    path = progress_path()
    with _locked(path):
        data = load()
        change(data)
        data["version"] = VERSION
        atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


def _now() -> str:
    return _datetime.datetime.now(_datetime.timezone.utc).replace(microsecond=0).isoformat()


def _entry(data: Dict[str, Any], exercise_id: str) -> Dict[str, Any]:
    entry = data["exercises"].setdefault(exercise_id, {})
    entry.setdefault("passed", False)
    entry.setdefault("checks", 0)
    entry.setdefault("hints_shown", 0)
    return entry


def record_check(exercise_id: str, passed: bool) -> None:
    """A check ran. Passing once is enough: a later failing check does not take the pass away."""
    def change(data: Dict[str, Any]) -> None:
        entry = _entry(data, exercise_id)
        entry["checks"] += 1
        entry["last_checked_at"] = _now()
        entry["last_result"] = "passed" if passed else "failed"
        if passed and not entry["passed"]:
            entry["passed"] = True
            entry["first_passed_at"] = entry["last_checked_at"]
    update(change)


def hints_shown(exercise_id: str) -> int:
    return int(load()["exercises"].get(exercise_id, {}).get("hints_shown", 0))


def record_hint(exercise_id: str, shown: int) -> None:
    def change(data: Dict[str, Any]) -> None:
        entry = _entry(data, exercise_id)
        entry["hints_shown"] = max(int(entry["hints_shown"]), shown)
    update(change)


def reset(exercise_id: Optional[str] = None) -> None:
    """Forget one exercise's progress, or everything."""
    def change(data: Dict[str, Any]) -> None:
        if exercise_id is None:
            data["exercises"] = {}
        else:
            data["exercises"].pop(exercise_id, None)
    update(change)


# -- the table -------------------------------------------------------------------------------------
@dataclass
class Row:
    kind: str        # "chapter" or "exercise"
    id: str
    title: str
    minutes: int
    notebook: str
    status: str


def stage(entry: Dict[str, Any], copy_edited: bool = False) -> str:
    """The learner's stage in one exercise: "passed" (a check passed once), "started" (a check ran, a hint
    was shown or they changed their copy in the workspace) or "not started"."""
    if entry.get("passed"):
        return "passed"
    if entry.get("checks") or entry.get("hints_shown") or copy_edited:
        return "started"
    return "not started"


def _exercise_status(entry: Dict[str, Any], copy: Optional["workspace.Copy"] = None) -> str:
    hints = int(entry.get("hints_shown", 0))
    hint_note = f", {hints} hint{'s' if hints != 1 else ''}" if hints else ""
    if entry.get("passed"):
        text = f"passed{hint_note}"
    elif entry.get("checks"):
        text = f"in progress ({entry['checks']} check{'s' if entry['checks'] != 1 else ''}{hint_note})"
    elif hints:
        text = f"in progress ({hints} hint{'s' if hints != 1 else ''})"
    elif copy is not None and copy.exists and copy.edited:
        text = "in progress (not checked yet)"
    else:
        text = "not started"
    if copy is not None and copy.exists and copy.course_changed:
        text += "; the course's version changed"
    return text


class ProgressTable:
    """Chapters and their exercises with the learner's status. `str()` is a text table (the
    `python -m course status` output); in a notebook it shows as an HTML table with links."""

    def __init__(self, rows: List[Row], path: Path, link_base: str = "") -> None:
        self.rows, self.path, self.link_base = rows, path, link_base

    def __str__(self) -> str:
        header = ("", "title", "minutes", "status")
        lines = [(("  " if row.kind == "exercise" else "") + row.id, row.title, str(row.minutes), row.status)
                 for row in self.rows]
        widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(4)]
        def fmt(cells) -> str:  # type: ignore[no-untyped-def]
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()
        rule = "  ".join("-" * width for width in widths)
        return "\n".join([fmt(header), rule, *(fmt(cells) for cells in lines)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        cells = []
        for row in self.rows:
            style = ' style="padding-left:2em"' if row.kind == "exercise" else ' style="font-weight:bold"'
            mark = "✅ " if row.status.startswith("passed") or row.status.startswith("done") else ""
            cells.append(f"<tr><td{style}>{escape(row.id)}</td>"
                         f'<td><a href="{escape(self.link_base + row.notebook)}">{escape(row.title)}</a></td>'
                         f"<td>{row.minutes}</td><td>{mark}{escape(row.status)}</td></tr>")
        return ("<table><thead><tr><th></th><th>title</th><th>minutes</th><th>status</th></tr></thead>"
                f"<tbody>{''.join(cells)}</tbody></table>")


def progress_table(link_base: str = "", root: Path = syllabus.ROOT) -> ProgressTable:
    """The syllabus with the learner's status, for `python -m course status` and the index notebook.
    Exercises link to the learner's copies in the workspace. `link_base` is put before the notebook paths
    of the HTML links ("../" from a notebook one folder down; "" from the repository root)."""
    from course import workspace

    data = load()["exercises"]
    copies = {copy.exercise.id: copy for copy in workspace.copies(root)}
    rows: List[Row] = []
    for chapter in syllabus.CHAPTERS:
        exercises = syllabus.exercises_of(chapter.id)
        passed = sum(1 for e in exercises if data.get(e.id, {}).get("passed"))
        if not exercises:
            status = "reading only (no exercise)"
        elif passed == len(exercises):
            status = f"done ({passed}/{len(exercises)} exercises passed)"
        else:
            status = f"{passed}/{len(exercises)} exercises passed"
        rows.append(Row("chapter", chapter.id, chapter.title, chapter.minutes, chapter.notebook, status))
        for exercise in exercises:
            rows.append(Row("exercise", exercise.id, exercise.title, exercise.minutes, exercise.workspace_copy,
                            _exercise_status(data.get(exercise.id, {}), copies.get(exercise.id))))
    return ProgressTable(rows, progress_path(), link_base)
