"""The course's front page, index.ipynb, generated from the syllabus: `python -m course build-index`.

`make lab` opens index.ipynb. It is Markdown: a welcome, then every chapter (link, minutes, what it
covers) with its exercises (links to the learner's own copies in workspace/), built from course/syllabus.py
so it never drifts from the course. One short code cell shows the learner's progress; its stored output is
the table of a learner who has not started (the index is opened before any cell runs). Written in the
builder's fixed format, so building twice gives the same bytes (a test holds index.ipynb to that).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator, List
from unittest import mock

import nbformat

from course import syllabus

INDEX = "index.ipynb"
PROGRESS_CODE = "import course\n\ncourse.progress_table()"

WELCOME = """# Swappable NLP

Welcome! This course teaches you to build NLP models out of **swappable parts**: a dataset reader, a
tokenizer, token indexers, an embedder and an encoder feeding a classifier, all named in a config file.
Once a model is put together that way, trying a different part (a CNN instead of a bag of embeddings, a
pretrained transformer instead of word vectors) is a one-line change to the config, not a rewrite.

**How it works.** Read a chapter and run its cells top to bottom. Each chapter ends with a few questions to
check your understanding, and most have exercises: a part marked for you to write and a check cell that
tells you whether your work is right (`course.hint("1.1")` gives a hint when you are stuck). Everything runs
offline on an ordinary laptop.

**Where you work.** `make lab` copies every exercise into `workspace/`, yours alone (git-ignored; no course
update overwrites it): the exercise links below open those copies.

The library you use is in [lib/swapnlp](lib/swapnlp); the configs are in [configs](configs)."""

PROGRESS_INTRO = """## Your progress

Each time you run an exercise's check cell, the result is saved on your computer (not in this repository).
Run the cell below to see where you are (it shows a learner who has not started until you run it);
`python -m course status` shows the same in a terminal."""

CHECKING = """## Checking a whole exercise

From a terminal in the repository root, `pytest --nbval` re-runs a notebook and compares what it prints with
what is stored in it. For your copy of an exercise, it fails until your part is right (`make check` runs it
over every exercise you started and prints a table):

```bash
.venv/bin/pytest --nbval workspace/1.1-text-to-instance.ipynb
```"""


def chapter_markdown(chapter: syllabus.Chapter) -> str:
    """One chapter of the list: its link, minutes, prerequisites and summary, then its exercises."""
    after = f" · after chapter {', '.join(chapter.prerequisites)}" if chapter.prerequisites else ""
    lines = [f"### [{chapter.id} · {chapter.title}]({chapter.notebook})", "",
             f"*About {chapter.minutes} minutes{after}.* {chapter.summary}"]
    exercises = syllabus.exercises_of(chapter.id)
    if exercises:
        lines.append("")
        lines += [f"* [Exercise {exercise.id} · {exercise.title}]({exercise.workspace_copy}), about "
                  f"{exercise.minutes} min: {exercise.task}" for exercise in exercises]
    return "\n".join(lines)


@contextlib.contextmanager
def _fresh_learner() -> Iterator[None]:
    """No progress file and no workspace copies while the stored progress table is made."""
    with tempfile.TemporaryDirectory(prefix="swapnlp-index-") as folder:
        with mock.patch.dict(os.environ, {"SWAPNLP_COURSE_HOME": str(Path(folder) / "home"),
                                          "SWAPNLP_COURSE_WORKSPACE": str(Path(folder) / "workspace")}):
            yield


def progress_cell(root: Path = syllabus.ROOT) -> nbformat.NotebookNode:
    """The one code cell, with the table of a learner who has not started as its stored output."""
    from course.progress import progress_table

    with _fresh_learner():
        table = progress_table(root=root)
    cell = nbformat.v4.new_code_cell(PROGRESS_CODE, execution_count=1)
    cell.metadata["tags"] = ["nbval-ignore-output"]  # the table is the learner's own progress
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1,
                                           data={"text/html": table._repr_html_(), "text/plain": str(table)})]
    return cell


def build_index(root: Path = syllabus.ROOT) -> nbformat.NotebookNode:
    """The index notebook: Markdown from the syllabus, and the progress cell."""
    from course.builder import normalize_notebook

    cells: List[nbformat.NotebookNode] = [nbformat.v4.new_markdown_cell(WELCOME),
                                          nbformat.v4.new_markdown_cell("## Chapters and exercises")]
    cells += [nbformat.v4.new_markdown_cell(chapter_markdown(chapter)) for chapter in syllabus.CHAPTERS]
    cells += [nbformat.v4.new_markdown_cell(PROGRESS_INTRO), progress_cell(root),
              nbformat.v4.new_markdown_cell(CHECKING)]
    for number, cell in enumerate(cells):  # stable ids: the same bytes on every build
        cell.id = f"index-{number}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return normalize_notebook(notebook)


def index_text(root: Path = syllabus.ROOT) -> str:
    from course.builder import dumps

    return dumps(build_index(root))


def write_index(root: Path = syllabus.ROOT, check_only: bool = False) -> bool:
    """Write index.ipynb when it differs from a fresh build; True when it differed (and, unless
    `check_only`, was rewritten)."""
    from course.builder import write_if_changed

    path = root / INDEX
    text = index_text(root)
    if check_only:
        return not path.exists() or path.read_text(encoding="utf-8") != text
    return write_if_changed(path, text)
