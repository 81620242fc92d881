"""The chapters and the course index under real nbval, as CI runs them.

Each notebook runs in its own pytest subprocess (its own kernel), all at once in a thread pool, with a
temporary progress folder (the learner's real progress is never touched) and the course's sanitize file.
The chapters train on the real movie reviews, so they are skipped when `make data` has not been run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANITIZE_FILE = ROOT / "tests" / "course" / "nbval_sanitize.cfg"
NOTEBOOKS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "chapters").glob("*.ipynb")) + ["index.ipynb"]
DATA = ROOT / "data" / "movie_review"
NEEDS_DATA = not all((DATA / f"{split}.tsv").exists() for split in ("train", "dev", "test"))


def _run(notebook: str, home: Path) -> Tuple[int, str, float]:
    env = dict(os.environ, SWAPNLP_COURSE_HOME=str(home / notebook.replace("/", "_")), OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "--nbval", notebook, "-p", "no:cacheprovider", "-p", "no:xdist",
               "-q", "--nbval-cell-timeout", "300", "--nbval-sanitize-with", str(SANITIZE_FILE), "--durations=3"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return result.returncode, result.stdout + result.stderr, time.perf_counter() - start


@pytest.fixture(scope="module")
def nbval_runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Tuple[int, str, float]]:
    if NEEDS_DATA:
        pytest.skip(f"the chapters need the movie reviews in {DATA.relative_to(ROOT)}: run `make data` first")
    home = tmp_path_factory.mktemp("course_home")
    # As many kernels as cores, one thread each: more would only fight over the cores (and time out).
    workers = int(os.environ.get("CHAPTER_NBVAL_WORKERS", max(2, min(4, os.cpu_count() or 2))))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {notebook: pool.submit(_run, notebook, home) for notebook in NOTEBOOKS}
        runs = {notebook: future.result() for notebook, future in futures.items()}
    return runs


def test_every_chapter_has_a_notebook() -> None:
    from course import syllabus

    for chapter in syllabus.CHAPTERS:
        assert chapter.notebook in NOTEBOOKS, f"{chapter.notebook} is missing"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_passes_nbval(notebook: str, nbval_runs: Dict[str, Tuple[int, str, float]],
                               capsys: pytest.CaptureFixture) -> None:
    code, output, seconds = nbval_runs[notebook]
    slowest = ", ".join(f"cell {cell} {time}s" for time, cell in re.findall(r"([\d.]+)s call .*::Cell (\d+)", output))
    line = f"nbval {notebook}: {'passed' if code == 0 else 'FAILED'} in {seconds:.1f}s (slowest: {slowest or '-'})"
    print(line)  # in the report with -rP (also under xdist)
    with capsys.disabled():  # the run time is shown even when pytest captures output
        print("\n" + line)
    assert code == 0, f"nbval failed on {notebook} after {seconds:.1f}s:\n{output[-6000:]}"
