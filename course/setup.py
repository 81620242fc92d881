"""Getting a notebook ready: the one setup line at the top of every chapter and exercise.

    import course; ROOT = course.setup()

`setup()` finds the repository, makes it the working folder (the configs name their data relative to it),
makes sure `import course` and `import swapnlp` work, seeds every random generator, sets torch's threads and
quiets the libraries' chatter. Then `course.dataset("movie_review")` is the data folder, with one clear error
when `make data` has not been run yet.

Importing this module is cheap: torch is only imported when `setup()` runs.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path
from typing import Optional

__all__ = ["setup", "dataset", "find_root"]

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # where this `course` package lives


def _is_root(folder: Path) -> bool:
    return (folder / "course" / "syllabus.py").is_file() and (folder / "lib" / "swapnlp").is_dir()


def find_root(start: Optional[Path] = None) -> Path:
    """The repository root: the nearest folder at or above `start` (default: the working folder) that holds
    course/ and lib/swapnlp; else the repository this `course` package was imported from."""
    here = Path.cwd() if start is None else Path(start)
    for folder in [here.resolve(), *here.resolve().parents]:
        if _is_root(folder):
            return folder
    if _is_root(_PACKAGE_ROOT):
        return _PACKAGE_ROOT
    raise RuntimeError(f"no Swappable NLP repository at or above {here} (a folder with course/ and lib/swapnlp): "
                       "open the notebook from inside the repository you cloned")


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _quiet() -> None:
    """Only warnings and errors from the libraries underneath (set before they are imported)."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")       # no "Some weights were not used..." notes
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")       # no fork warning from the Rust tokenizers
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "transformers" in sys.modules:  # already imported: tell its logger directly
        sys.modules["transformers"].logging.set_verbosity_error()


def setup(seed: int = 13, threads: int = 2) -> Path:
    """Get this notebook ready and return the repository root (write `ROOT = course.setup()`: a bare
    `course.setup()` as a cell's last line would show the path).

    - the working folder becomes the repository root, and `import course` / `import swapnlp` work;
    - Python's, NumPy's and torch's random generators are seeded with `seed` (same results every run);
    - torch uses `threads` threads (small models: two are plenty, and runs stay reproducible);
    - the libraries underneath only speak up for warnings and errors.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"course.setup(seed={seed!r}): the seed must be a whole number >= 0, e.g. seed=13")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"course.setup(threads={threads!r}): threads must be a whole number >= 1, e.g. threads=2")
    root = find_root()
    os.chdir(root)
    for folder, package in ((root, "course"), (root / "lib", "swapnlp")):
        if not _importable(package) and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    _quiet()

    random.seed(seed)
    try:
        import numpy
    except ImportError:  # numpy comes with torch; without it there is nothing to seed
        pass
    else:
        numpy.random.seed(seed)
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    return root


def dataset(name: str = "movie_review") -> Path:
    """The folder of a fetched data set, relative to the repository root (`data/NAME`), after checking that
    its train.tsv is there. Call it after `setup()`."""
    folder = Path("data") / name
    if not (find_root() / folder / "train.tsv").is_file():
        raise RuntimeError(f"the data set {name!r} is not in {folder}/ yet: run `make data` "
                           "(or `swapnlp data fetch all`) in the repository root first")
    return folder
