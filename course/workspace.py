"""The learner's workspace: their own copies of the exercise notebooks, which nothing in the course overwrites.

`python -m course workspace` (run by `make lab`) copies each exercise notebook from exercises/ (generated,
tracked, never edited) to workspace/ (git-ignored): the learner works in workspace/1.1-....ipynb, so
`make exercises`, `make solutions`, the tests and `git pull` never touch their work. Every exercise is
self-contained (it writes its data to a temporary WORK_DIR), so the notebook is the only file copied.

A small state file, workspace/.course-workspace.json, records for each copy the sha256 of the course's version
it was copied from:

    {"version": 1, "copies": {"1.1": {"notebook": "1.1-text-to-instance.ipynb",
                                      "course_sha256": "...", "copied_at": "2026-..."}}}

so two things can be told apart without a guess:
- the learner changed the copy: its bytes are no longer those it was copied as;
- the course's version changed since: exercises/ no longer holds those bytes.

The rules (fail safe: no learner file is ever deleted or overwritten without a backup):
- a missing copy is made from the course's current version;
- a copy the learner never changed (still byte-identical to what was copied) follows the course: running
  `workspace` again replaces it by the new version, as nothing of the learner's is in it;
- a copy the learner changed is kept as it is; `status` says when the course's version changed, and
  `reset(exercise)` saves the copy as a timestamped backup next to it before writing the current version.

SWAPNLP_COURSE_WORKSPACE moves the folder (the tests point it at a temporary one).
"""

from __future__ import annotations

import datetime as _datetime
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from swapnlp.common.atomic import atomic_path

from course import syllabus

ENV_VARIABLE = "SWAPNLP_COURSE_WORKSPACE"
STATE_FILE = ".course-workspace.json"
STATE_VERSION = 1


class WorkspaceError(Exception):
    """The workspace cannot be made or changed as asked (the message says why and what to do)."""


def workspace_dir(root: Path = syllabus.ROOT) -> Path:
    """The learner's folder: $SWAPNLP_COURSE_WORKSPACE, else ROOT/workspace."""
    override = os.environ.get(ENV_VARIABLE)
    return Path(override).expanduser() if override else root / syllabus.WORKSPACE


def copy_path(exercise: syllabus.Exercise, root: Path = syllabus.ROOT) -> Path:
    """Where the learner's copy of `exercise` lives."""
    return workspace_dir(root) / Path(exercise.workspace_copy).name


def relative(path: Path, root: Path = syllabus.ROOT) -> str:
    """`path` relative to the repository root (as the learner types it there)."""
    return Path(os.path.relpath(path, root)).as_posix()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the state file ------------------------------------------------------------------------------------
def state_path(root: Path = syllabus.ROOT) -> Path:
    return workspace_dir(root) / STATE_FILE


def load_state(root: Path = syllabus.ROOT) -> Dict[str, Any]:
    """The state file's content; an empty state when there is none (or it cannot be read)."""
    path = state_path(root)
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {"version": STATE_VERSION, "copies": {}}
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "copies": {}}  # unreadable: copies count as of unknown origin
    if not isinstance(data, dict) or not isinstance(data.get("copies"), dict):
        return {"version": STATE_VERSION, "copies": {}}
    return data


def save_state(state: Dict[str, Any], root: Path = syllabus.ROOT) -> None:
    """Write the state file atomically (a temporary file in the same folder, then os.replace)."""
    _write_atomically(state_path(root), (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def _write_aside(path: Path, data: bytes) -> Path:
    """`data` in a new hidden file next to `path` (created with the usual permissions), flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    with open(temporary, "xb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return temporary


def _write_atomically(path: Path, data: bytes) -> None:
    """`data` replaces `path` all at once (the library's atomic write: lib/swapnlp/common/atomic.py)."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def _now() -> str:
    return _datetime.datetime.now(_datetime.timezone.utc).replace(microsecond=0).isoformat()


def _record(state: Dict[str, Any], exercise: syllabus.Exercise, course_sha256: Optional[str]) -> None:
    state["copies"][exercise.id] = {"notebook": Path(exercise.workspace_copy).name,
                                    "course_sha256": course_sha256, "copied_at": _now()}


# -- one copy ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Copy:
    """What is known about the learner's copy of one exercise."""
    exercise: syllabus.Exercise
    path: Path
    exists: bool
    edited: bool          # its bytes differ from the version it was copied as (or that version is unknown)
    course_changed: bool  # the course's version differs from the one it was copied from (or that is unknown)
    known_origin: bool    # the state file records which version it was copied from

    @property
    def untouched(self) -> bool:
        return self.exists and self.known_origin and not self.edited


def inspect(exercise: syllabus.Exercise, root: Path = syllabus.ROOT,
            state: Optional[Dict[str, Any]] = None) -> Copy:
    """The state of the learner's copy of `exercise` (reads files, changes nothing)."""
    state = load_state(root) if state is None else state
    path = copy_path(exercise, root)
    recorded = state["copies"].get(exercise.id, {}).get("course_sha256")
    if not path.exists():
        return Copy(exercise, path, False, False, False, recorded is not None)
    course = root / exercise.notebook
    course_sha = sha256_of(course) if course.exists() else None
    mine = sha256_of(path)
    if recorded is None:  # made by hand, or the state file was lost: trust only an exact match
        same = mine == course_sha
        return Copy(exercise, path, True, not same, not same, False)
    return Copy(exercise, path, True, mine != recorded, course_sha != recorded, True)


def copies(root: Path = syllabus.ROOT) -> List[Copy]:
    state = load_state(root)
    return [inspect(exercise, root, state) for exercise in syllabus.EXERCISES]


def _create_exclusively(path: Path, data: bytes) -> bool:
    """Write a new file, all at once (written aside, then hard-linked into place); False, and nothing
    written, when `path` already exists."""
    temporary = _write_aside(path, data)
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            try:
                with open(path, "xb") as file:
                    file.write(data)
            except FileExistsError:
                return False
        return True
    finally:
        temporary.unlink()


def backup_path(path: Path, when: Optional[_datetime.datetime] = None) -> Path:
    """A free name next to `path` for its backup: 1.1-....backup-20260101-120000.ipynb (-2, -3... if taken)."""
    stamp = (when or _datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{number}{path.suffix}")
        number += 1
    return candidate


def back_up(path: Path, when: Optional[_datetime.datetime] = None) -> Path:
    """Copy `path` to a new timestamped file next to it and verify the copy; returns the backup's path."""
    data = path.read_bytes()
    while True:
        target = backup_path(path, when)
        if _create_exclusively(target, data):
            break
    if target.read_bytes() != data:
        raise WorkspaceError(f"the backup {target} does not match {path}: nothing was replaced")
    os.utime(target, (path.stat().st_atime, path.stat().st_mtime))
    return target


# -- the commands --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    exercise: syllabus.Exercise
    path: Path
    what: str  # "made", "updated", "up to date", "kept", "kept, course changed"


def make_workspace(root: Path = syllabus.ROOT) -> List[Action]:
    """Make the missing copies and update untouched ones; never change a copy the learner edited."""
    state = load_state(root)
    state["version"] = STATE_VERSION
    actions = []
    for exercise in syllabus.EXERCISES:
        source = root / exercise.notebook
        if not source.exists():
            raise WorkspaceError(f"{exercise.notebook} is missing: run `make exercises` first")
        data = source.read_bytes()
        current = hashlib.sha256(data).hexdigest()
        copy = inspect(exercise, root, state)
        if not copy.exists:
            if _create_exclusively(copy.path, data):
                _record(state, exercise, current)
                actions.append(Action(exercise, copy.path, "made"))
                continue
            copy = inspect(exercise, root, state)  # it appeared meanwhile: treat it as the learner's
        if copy.untouched and copy.course_changed:
            if sha256_of(copy.path) == state["copies"][exercise.id]["course_sha256"]:  # still untouched
                _write_atomically(copy.path, data)
                _record(state, exercise, current)
                actions.append(Action(exercise, copy.path, "updated"))
                continue
        if not copy.known_origin and not copy.edited:  # identical to the course's version: adopt it
            _record(state, exercise, current)
        if copy.course_changed:
            actions.append(Action(exercise, copy.path, "kept, course changed"))
        else:
            actions.append(Action(exercise, copy.path, "kept" if copy.edited else "up to date"))
    save_state(state, root)
    return actions


def reset(exercise: syllabus.Exercise, root: Path = syllabus.ROOT) -> Optional[Path]:
    """Replace the learner's copy by the course's current version; the old copy is first saved as a
    timestamped backup next to it (returned; None when there was nothing to save)."""
    source = root / exercise.notebook
    if not source.exists():
        raise WorkspaceError(f"{exercise.notebook} is missing: run `make exercises` first")
    data = source.read_bytes()
    path = copy_path(exercise, root)
    saved = None
    if path.exists() and path.read_bytes() != data:
        saved = back_up(path)
        if path.read_bytes() != saved.read_bytes():  # saved again meanwhile (say, by Jupyter)
            raise WorkspaceError(f"{relative(path, root)} changed while it was being backed up: try again")
    _write_atomically(path, data)
    state = load_state(root)
    state["version"] = STATE_VERSION
    _record(state, exercise, hashlib.sha256(data).hexdigest())
    save_state(state, root)
    return saved


def describe(actions: List[Action], root: Path = syllabus.ROOT) -> str:
    """What `python -m course workspace` prints."""
    folder = relative(workspace_dir(root), root)
    notes = {
        "made": "made from the course",
        "updated": "updated to the course's new version (you had not changed it)",
        "up to date": "not changed yet",
        "kept": "yours, kept",
        "kept, course changed": "yours, kept; the course's version changed since you copied it: "
                                "`python -m course reset {id}` saves yours as a backup and gives you the new one",
    }
    width = max(len(relative(action.path, root)) for action in actions)
    lines = [f"Your exercises are in {folder}/ (git-ignored: nothing in the course overwrites them).", ""]
    for action in actions:
        lines.append(f"  {relative(action.path, root).ljust(width)}  "
                     f"{notes[action.what].format(id=action.exercise.id)}")
    lines += ["", f"Check one: .venv/bin/pytest --nbval {syllabus.EXERCISES[0].workspace_copy}   "
                  "(all you started: make check)"]
    return "\n".join(lines)
