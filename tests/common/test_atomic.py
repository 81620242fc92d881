"""Atomic writes: the mode follows the umask (not mkstemp's 0600), and a killed writer's temporaries are tidied."""

from __future__ import annotations

import contextlib
import copy
import os
import stat

import pytest

from swapnlp.common.atomic import (atomic_path, atomic_write_text, current_umask, is_stale_temporary,
                                   remove_stale_temporaries)


@contextlib.contextmanager
def umask(value: int):
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_written_files_follow_the_umask(tmp_path, mask):
    with umask(mask):
        assert current_umask() == mask
        atomic_write_text(tmp_path / "a.txt", "hello")
    assert mode(tmp_path / "a.txt") == 0o666 & ~mask
    assert (tmp_path / "a.txt").read_text() == "hello"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    atomic_write_text(tmp_path / "a.txt", "old")
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "a.txt") as temporary:
        temporary.write_text("half")
        raise RuntimeError("killed")
    assert (tmp_path / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_only_our_own_temporaries_are_removed(tmp_path):
    stale = [".checkpoint.pt.k2j_9xq1.tmp", ".best.safetensors.abcdefgh.tmp", ".metrics.json.0123abcd.tmp"]
    kept = ["checkpoint.pt", "notes.tmp", ".hidden.tmp", ".checkpoint.pt.short.tmp", "x.checkpoint.pt.abcdefgh.tmp",
            ".checkpoint.pt.ABCDEFGH.tmp"]
    for name in stale + kept:
        (tmp_path / name).write_text("x")
    (tmp_path / ".folder.abcdefgh.tmp").mkdir()  # a folder is never ours
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept + [".folder.abcdefgh.tmp"])
    assert remove_stale_temporaries(tmp_path / "missing") == []
    assert not is_stale_temporary(tmp_path / "checkpoint.pt")


def test_every_file_of_a_training_run_follows_the_umask(tiny_config, tmp_path):
    """Checkpoints, best weights, vocabulary, metrics, config and the archive: all 0666 less the umask."""
    from swapnlp.common.params import Params
    from swapnlp.run.train import train_model

    config = copy.deepcopy(tiny_config)
    config["trainer"]["num_epochs"] = 1
    with umask(0o027):
        train_model(Params(config), tmp_path / "run")
    files = [p for p in (tmp_path / "run").rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"checkpoint.pt", "best.safetensors", "model.tar.gz", "metrics.json", "config.json", "tokens.txt"} <= names
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o640) for p in files}
