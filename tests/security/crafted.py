"""Tools for crafting hostile model archives and checkpoints from a real one (used by tests/security)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from swapnlp.common.checked_tar import MANIFEST_FORMAT, MANIFEST_NAME

Members = List[Tuple[str, Optional[bytes]]]  # (name, data), data None for a folder
KEEP, RECOMPUTE, DROP = "keep", "recompute", "drop"


class RunsCommand:
    """Pickles to a call of os.system: unpickling it (weights_only=False) would touch `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def read_members(archive: Path) -> Members:
    with tarfile.open(archive, "r:gz") as tar:
        return [(info.name, None if info.isdir() else tar.extractfile(info).read()) for info in tar.getmembers()]


def manifest_for(members: Members) -> bytes:
    listed = [{"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
              for name, data in members if data is not None and name != MANIFEST_NAME]
    return json.dumps({"format": MANIFEST_FORMAT, "members": listed}).encode()


def write_members(path: Path, members: Members) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def rewrite(source: Path, target: Path, changes: Optional[Dict[str, Optional[bytes]]] = None,
            remove: Tuple[str, ...] = (), manifest: str = RECOMPUTE) -> Path:
    """A copy of the archive `source` with members replaced or added (`changes`) or removed; its manifest
    recomputed (what a careful attacker does), kept as it was, or dropped (an archive from before manifests)."""
    changes = changes or {}
    members = [(name, changes.pop(name, data)) for name, data in read_members(source) if name not in remove]
    members += list(changes.items())
    old_manifest = dict(members).get(MANIFEST_NAME)
    members = [(name, data) for name, data in members if name != MANIFEST_NAME]
    if manifest == RECOMPUTE:
        members.append((MANIFEST_NAME, manifest_for(members)))
    elif manifest == KEEP and old_manifest is not None:
        members.append((MANIFEST_NAME, old_manifest))
    return write_members(target, members)


def with_config(source: Path, target: Path, edit) -> Path:
    """A copy whose config.json is `edit(config)` (edited in place), with a matching manifest."""
    config = json.loads(dict(read_members(source))["config.json"])
    edit(config)
    return rewrite(source, target, {"config.json": json.dumps(config).encode()})


def claimed_size_archive(path: Path, name: str, claimed: int) -> Path:
    """A tiny .tar.gz whose member `name` claims `claimed` bytes in its header (the data is not there)."""
    info = tarfile.TarInfo(name)
    info.size = claimed
    raw = io.BytesIO()
    config = tarfile.TarInfo("config.json")
    config.size = 2
    raw.write(config.tobuf(format=tarfile.GNU_FORMAT) + b"{}".ljust(512, b"\0"))
    raw.write(info.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 4096)
    path.write_bytes(gzip.compress(raw.getvalue()))
    return path


def flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x55]) + data[offset + 1:]


def python_module(folder: Path, name: str, source: str) -> Path:
    """Write `name`.py into `folder` (put on sys.path by the caller)."""
    path = folder / f"{name}.py"
    path.write_text(source)
    return path


def single_error_line(stderr: Union[str, bytes]) -> str:
    """The one error line a command printed last (asserting there is exactly one and no traceback; notices
    such as "precision: ..." may come before it)."""
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    lines = [line for line in text.splitlines() if line.strip()]
    assert "Traceback" not in text, text
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], text
    return errors[0]
