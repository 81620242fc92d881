"""A .tar.gz that vouches for itself: written with `manifest.json` (each member's path, size and sha256), read
back with everything checked, and nothing left behind when a check fails.

Reading (`extract_checked`) is one pass over the compressed stream: each tar header is checked as it arrives
(a safe relative path, a regular file or folder, the size caps) before any of its data is read or written;
each file is hashed as it is written; the gzip stream is read to its very end, so its CRC and length are
checked too (one changed byte anywhere is found); then the manifest is compared. On any failure whatever was
written is removed again.

Whatever is wrong comes out as one ConfigurationError line naming the archive (and the member).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from swapnlp.common.errors import ConfigurationError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "swapnlp-archive-manifest/1"
GIB = 1 << 30
DEFAULT_MAX_BYTES = 2 * GIB  # all members together, and the largest a "large" member (the weights) may be
MAX_SMALL_MEMBER_BYTES = 64 << 20  # every other member: configs, vocabulary files, the manifest
MAX_MEMBERS = 10_000
MAX_BYTES_ENV = "SWAPNLP_ARCHIVE_MAX_BYTES"
_CHUNK = 1 << 20
_HEADER_ALLOWANCE = 1024 + 512  # per member: its tar header(s) and the padding of its data


def default_max_bytes() -> int:
    """DEFAULT_MAX_BYTES, or the number of bytes in $SWAPNLP_ARCHIVE_MAX_BYTES."""
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{MAX_BYTES_ENV}={value!r}: expected a whole number of bytes, "
                                 f"e.g. {4 * GIB} for 4 GiB.") from None


@dataclass(frozen=True)
class Limits:
    """Caps on what an archive may unpack to, checked against the tar headers before any data is read."""

    max_bytes: int = field(default_factory=default_max_bytes)
    large_members: FrozenSet[str] = frozenset()  # these may be up to max_bytes; the others MAX_SMALL_MEMBER_BYTES
    max_small_member_bytes: int = MAX_SMALL_MEMBER_BYTES
    max_members: int = MAX_MEMBERS


@dataclass(frozen=True)
class Member:
    name: str  # normalised relative POSIX path
    is_dir: bool
    size: int
    sha256: str = ""


# -- writing -------------------------------------------------------------------------------------------
class _HashingReader:
    """A file object that hashes (and counts) what is read through it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.hash, self.count = file, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.hash.update(data)
        self.count += len(data)
        return data


def write_checked_tar(path: Path, members: Sequence[Tuple[Path, str]]) -> None:
    """Write a tar.gz of `members` ((source, name inside): a folder adds only itself, list its files too)
    followed by manifest.json listing each file's path, size and sha256 (hashed as it is written)."""
    listed = []
    # gzip's header would otherwise record the temporary file's name: leave the name out
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw) as compressed, \
            tarfile.open(fileobj=compressed, mode="w") as tar:
        for source, name in members:
            info = tar.gettarinfo(str(source), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if info.isdir():
                tar.addfile(info)
                continue
            with open(source, "rb") as file:
                reader = _HashingReader(file)
                tar.addfile(info, reader)  # reads exactly info.size bytes
            listed.append({"path": name, "size": info.size, "sha256": reader.hash.hexdigest()})
        manifest = (json.dumps({"format": MANIFEST_FORMAT, "members": listed}, indent=2) + "\n").encode()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mode, info.mtime = len(manifest), 0o644, int(time.time())
        tar.addfile(info, io.BytesIO(manifest))


# -- reading -------------------------------------------------------------------------------------------
class _CountingGzip:
    """The decompressed stream, refusing to produce more than `limit` bytes (a gzip bomb stops there)."""

    def __init__(self, archive: Path, limit: int) -> None:
        self.archive, self.limit, self.count = archive, limit, 0
        self.gzip = gzip.GzipFile(archive, "rb")

    def read(self, size: int = -1) -> bytes:
        data = self.gzip.read(size if size >= 0 else _CHUNK)
        self.count += len(data)
        if self.count > self.limit:
            raise ConfigurationError(f"{self.archive} unpacks to more than {_size(self.limit)}: refusing to read on "
                                     f"(a tar padded with data no member owns?). {_raise_hint()}")
        return data

    def drain(self) -> None:
        """Read to the end of the gzip stream: only there are its CRC and length checked."""
        while self.read(_CHUNK):
            pass

    def close(self) -> None:
        self.gzip.close()


def _stream(archive: Path, limits: Limits) -> Iterator[Tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """(tar, member) for each member, in order; ends after the gzip stream has been read to its end.
    Iterate inside `_read_errors(archive)`: reading a member's data can fail too."""
    source = _CountingGzip(archive, limits.max_bytes + limits.max_members * _HEADER_ALLOWANCE + 20 * 512)
    try:
        with tarfile.open(fileobj=source, mode="r|", bufsize=_CHUNK) as tar:  # type: ignore[call-overload]
            for member in tar:
                yield tar, member
        source.drain()
    finally:
        source.close()


@contextlib.contextmanager
def _read_errors(archive: Path) -> Iterator[None]:
    """Turn whatever reading a broken archive raises (gzip, zlib, tar, EOF) into one ConfigurationError line."""
    try:
        yield
    except ConfigurationError:
        raise
    except (OSError, EOFError, zlib.error, tarfile.TarError, UnicodeError) as error:
        raise ConfigurationError(f"{archive} is not a readable model archive: {_why(error)}") from None


def _why(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, EOFError):
        return "it ends too early (truncated: was the download or copy cut short?). Copy it again."
    if isinstance(error, gzip.BadGzipFile) and text.startswith("Not a gzipped file"):
        return "it is not a gzip file (a model.tar.gz starts with the bytes 1f 8b). Was it made by swapnlp?"
    if isinstance(error, gzip.BadGzipFile) and ("CRC" in text or "length" in text):
        return "its gzip checksum does not match its contents (corrupted on disk or in transfer). Copy it again."
    if isinstance(error, (zlib.error, gzip.BadGzipFile)) or text.startswith("zlib error"):
        return f"its compressed data is damaged ({text}). Copy it again."
    if isinstance(error, tarfile.TarError):
        return f"its tar data is damaged ({text or type(error).__name__}). Copy it again."
    if isinstance(error, OSError) and error.strerror:
        return f"it cannot be read ({error.strerror})."
    return f"{type(error).__name__}: {text}"


def _check_header(archive: Path, member: tarfile.TarInfo, seen: Dict[str, Member], total: int,
                  limits: Limits) -> Tuple[str, int]:
    """(normalised name, new running total) after checking one header; raises on anything unsafe."""
    path = PurePosixPath(member.name)
    name = path.as_posix()
    unsafe = (path.is_absolute() or ".." in path.parts or not path.parts or not (member.isfile() or member.isdir())
              or not name.isprintable())
    if unsafe:
        raise ConfigurationError(f"{archive} contains an unsafe member {member.name!r} (absolute path, '..', link, "
                                 f"device or odd name): refusing to extract it. Was it made by swapnlp?")
    parents = {p.as_posix() for p in path.parents}
    if name in seen or any(p in seen and not seen[p].is_dir for p in parents):
        raise ConfigurationError(f"{archive} lists {name!r} twice (or inside a file): refusing to extract it.")
    if len(seen) >= limits.max_members:
        raise ConfigurationError(f"{archive} has more than {limits.max_members} members: not a model archive.")
    cap = limits.max_bytes if name in limits.large_members else min(limits.max_small_member_bytes, limits.max_bytes)
    if member.size > cap:
        raise ConfigurationError(f"{archive}: member {name} is {_size(member.size)}, over the {_size(cap)} limit "
                                 f"for it: refusing to unpack it. {_raise_hint()}")
    if total + member.size > limits.max_bytes:
        raise ConfigurationError(f"{archive}: its members add up to more than {_size(limits.max_bytes)} (at "
                                 f"{name}): refusing to unpack it. {_raise_hint()}")
    return name, total + member.size


def scan(archive: Path, limits: Limits, target: Optional[Path] = None) -> Tuple[List[Member], Optional[bytes]]:
    """Every member checked and hashed (and written into `target`, if given), the gzip stream read to its end.
    Returns the members and the manifest's bytes (None when there is none)."""
    members: Dict[str, Member] = {}
    manifest: Optional[bytes] = None
    total = 0
    with _read_errors(archive):
        for tar, info in _stream(archive, limits):
            name, total = _check_header(archive, info, members, total, limits)
            destination = target / name if target is not None else None
            if info.isdir():
                if destination is not None:
                    destination.mkdir(parents=True, exist_ok=True)
                members[name] = Member(name, True, info.size)
                continue
            data = tar.extractfile(info)
            assert data is not None
            if name == MANIFEST_NAME:
                manifest = data.read()  # at most MAX_SMALL_MEMBER_BYTES
                data = io.BytesIO(manifest)
            digest = _copy_hashing(data, destination, f"cannot unpack {archive} into {target}")
            members[name] = Member(name, False, info.size, digest)
    return list(members.values()), manifest


def verify_manifest(archive: Path, members: List[Member], manifest: bytes) -> None:
    """Every listed file present with its size and sha256, nothing unlisted but the folders holding them."""
    problem = f"{archive}: {MANIFEST_NAME} is malformed"
    try:
        listed = json.loads(manifest.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigurationError(f"{archive}: {MANIFEST_NAME} is not valid JSON ({error}).") from None
    entries = listed.get("members") if isinstance(listed, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("path"), str)
                                                and isinstance(e.get("size"), int) and isinstance(e.get("sha256"), str)
                                                for e in entries):
        raise ConfigurationError(f'{problem}: expected {{"members": [{{"path", "size", "sha256"}}, ...]}}.')
    expected = {PurePosixPath(e["path"]).as_posix(): e for e in entries}
    found = {m.name: m for m in members if m.name != MANIFEST_NAME}
    for name, entry in expected.items():
        member = found.get(name)
        if member is None or member.is_dir:
            raise ConfigurationError(f"{archive}: {name} is listed in {MANIFEST_NAME} but missing from the archive.")
        if (member.size, member.sha256) != (entry["size"], entry["sha256"]):
            raise ConfigurationError(f"{archive}: {name} does not match {MANIFEST_NAME} (size {member.size} vs "
                                     f"{entry['size']}, or a different sha256): the archive was corrupted or "
                                     f"changed after it was made. Copy it again.")
    holders = {p.as_posix() for name in expected for p in PurePosixPath(name).parents}
    for name, member in found.items():
        if name not in expected and not (member.is_dir and name in holders):
            raise ConfigurationError(f"{archive}: {name} is not listed in {MANIFEST_NAME}: the archive was changed "
                                     f"after it was made. Refusing to load it.")


def extract_checked(archive: Path, target: Path, limits: Limits) -> bool:
    """Extract `archive` into `target`, checking everything; on any failure nothing it wrote is left.
    Returns True when a manifest vouched for the members, False for an archive made before manifests."""
    target.mkdir(parents=True, exist_ok=True)
    before = set(target.iterdir())
    try:
        members, manifest = scan(archive, limits, target)
        if manifest is not None:
            verify_manifest(archive, members, manifest)
    except BaseException:
        for path in set(target.iterdir()) - before:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        raise
    return manifest is not None


def _copy_hashing(data: IO[bytes], destination: Optional[Path], failure: str) -> str:
    """The sha256 of `data`, copied into a new file `destination` (if given). A write error is one line."""
    digest = hashlib.sha256()
    try:
        if destination is not None:
            destination.parent.mkdir(parents=True, exist_ok=True)
        out = open(destination, "xb") if destination is not None else contextlib.nullcontext()
    except OSError as error:
        raise ConfigurationError(f"{failure}: {error.strerror or error}.") from None
    with out:
        while chunk := data.read(_CHUNK):  # a read error propagates as such (to _read_errors)
            digest.update(chunk)
            try:
                if destination is not None:
                    out.write(chunk)
            except OSError as error:  # a full disk, a read-only folder
                raise ConfigurationError(f"{failure}: {error.strerror or error}.") from None
    return digest.hexdigest()


def _size(count: int) -> str:
    return f"{count / GIB:.1f} GiB" if count >= GIB else f"{count / (1 << 20):.1f} MiB" if count >= 1 << 20 \
        else f"{count:,} bytes"


def _raise_hint() -> str:
    return f"If you trust this archive, raise the limit: {MAX_BYTES_ENV}=<bytes>."
