"""course.setup(): the one setup line of every notebook (course/setup.py)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import course
from course.setup import find_root

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keep_cwd():  # type: ignore[no-untyped-def]
    before = os.getcwd()
    yield
    os.chdir(before)


def test_find_root_walks_up_from_a_chapter_folder() -> None:
    assert find_root(ROOT / "chapters") == ROOT
    assert find_root(ROOT / "lib" / "swapnlp" / "data") == ROOT


def test_find_root_falls_back_to_the_imported_course(tmp_path: Path) -> None:
    assert find_root(tmp_path) == ROOT  # a workspace copy run from a temporary folder


def test_setup_chdirs_seeds_and_sets_threads(keep_cwd, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import torch

    threads = torch.get_num_threads()
    try:
        os.chdir(ROOT / "chapters")
        assert course.setup(seed=5, threads=1) == ROOT
        assert Path.cwd() == ROOT
        assert torch.get_num_threads() == 1
        first = (random.random(), torch.rand(3).tolist())
        course.setup(seed=5, threads=1)
        assert (random.random(), torch.rand(3).tolist()) == first
        course.setup(seed=6, threads=1)
        assert (random.random(), torch.rand(3).tolist()) != first
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("arguments, word", [({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
                                             ({"threads": 0}, "threads"), ({"threads": True}, "threads")])
def test_setup_refuses_bad_values_with_the_fix(arguments, word: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"course.setup\({word}=.*e.g. {word}="):
        course.setup(**arguments)


def test_dataset_is_relative_and_says_how_to_fetch(keep_cwd) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match=r"'no_such_data'.*data/no_such_data/.*make data"):
        course.dataset("no_such_data")
    if (ROOT / "data" / "movie_review" / "train.tsv").exists():
        assert course.dataset() == Path("data/movie_review")


def test_import_is_cheap_and_works_from_the_chapters_folder() -> None:
    code = ("import sys, course; assert 'torch' not in sys.modules, 'import course imported torch'; "
            "root = course.setup(threads=1); import os, swapnlp; print(os.getcwd() == str(root), 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "chapters", capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
