"""Atomic writes: a file is either its old self or completely new, never half written.

We write to a temporary file `.{name}.XXXXXXXX.tmp` in the same folder, flush it to disk, give it the
permissions an ordinary new file gets (0666 less the umask: mkstemp makes it private), then `os.replace` it
over the target (atomic on POSIX and Windows). Checkpoints, archives, vocabularies and metrics all go through
here. A writer killed mid-write leaves its temporary file behind: `remove_stale_temporaries` clears them
when a run folder is opened again.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Iterator, List, Union

# mkstemp's names: our prefix ".{name}.", 8 characters from its alphabet, our suffix ".tmp"
TEMPORARY_PATTERN = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the OS allows (Linux: /proc/self/status)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore it (briefly process-wide, hence the lock)
        umask = os.umask(0o022)
        os.umask(umask)
    return umask


def apply_umask(path: Union[str, Path]) -> None:
    """Give `path` the mode a freshly created ordinary file would have (0666 less the umask)."""
    os.chmod(path, 0o666 & ~current_umask())


@contextlib.contextmanager
def atomic_path(path: Union[str, Path]) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces `path`, on error it is deleted."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        apply_umask(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def atomic_write_text(path: Union[str, Path], text: str) -> None:
    """Write `text` as UTF-8 with "\n" line ends (on every OS), atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(text.encode("utf-8"))


def is_stale_temporary(path: Path) -> bool:
    """Is `path` a temporary file of `atomic_path` (and nothing else: only our own name pattern matches)?"""
    return bool(TEMPORARY_PATTERN.match(path.name)) and path.is_file() and not path.is_symlink()


def remove_stale_temporaries(folder: Union[str, Path]) -> List[Path]:
    """Delete the temporary files a killed writer left in `folder` (not in its subfolders); returns them.

    Call it only when nothing is writing into `folder`, e.g. when a run starts or resumes in it.
    """
    folder = Path(folder)
    removed = []
    if folder.is_dir():
        for path in folder.iterdir():
            if is_stale_temporary(path):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
