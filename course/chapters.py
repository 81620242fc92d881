"""Re-executing the chapters to refresh their stored outputs: `python -m course run-chapters [IDS]`.

A chapter is run top to bottom in a fresh kernel started in chapters/ (as JupyterLab starts it), with a
throw-away progress folder. Then its stored outputs are cleaned of what changes from run to run or names
this machine, with the patterns nbval compares them under (tests/course/nbval_sanitize.cfg: epoch times
become `[TIME]`, durations `DURATION`, temporary paths `TMPDIR`), and without execution timestamps. A cell
tagged `no-stored-output` keeps no output at all: a live page or widget that a stored notebook cannot hold
(its chapter shows a screenshot instead). nbval then compares a later run with exactly what is stored.
"""

from __future__ import annotations

import configparser
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import nbformat

from course import syllabus

SANITIZE_FILE = "tests/course/nbval_sanitize.cfg"
SECTIONS = ("timings", "durations", "addresses", "temporary folders")  # not what the hardware chooses
NO_OUTPUT_TAG = "no-stored-output"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def sanitize_rules(root: Path = syllabus.ROOT) -> List[Tuple[re.Pattern, str]]:
    """The run-to-run patterns of the nbval sanitize file, in its order."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / SANITIZE_FILE, encoding="utf-8")
    return [(re.compile(parser[name]["regex"]), parser[name]["replace"]) for name in SECTIONS if name in parser]


def _clean(text: str, rules: List[Tuple[re.Pattern, str]]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def clean_outputs(notebook: nbformat.NotebookNode, rules: List[Tuple[re.Pattern, str]]) -> nbformat.NotebookNode:
    """Sanitize every stored text output, drop timestamps, the outputs of `no-stored-output` cells and the
    saved widget state when no stored output shows a widget."""
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if NO_OUTPUT_TAG in cell.metadata.get("tags", []):
            cell.outputs, cell.execution_count = [], None
            continue
        for output in cell.outputs:
            if "text" in output:
                output["text"] = _clean(output["text"], rules)
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") and isinstance(value, str):
                    output["data"][kind] = _clean(value, rules)
    if not any(WIDGET_VIEW in output.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs):
        notebook.metadata.pop("widgets", None)  # the saved state of widgets no stored output shows
    return notebook


def run_chapter(path: Path, root: Path = syllabus.ROOT, timeout: int = 900) -> nbformat.NotebookNode:
    """Execute one chapter in place (a kernel started in its folder) and store its cleaned outputs."""
    from nbclient import NotebookClient

    notebook = nbformat.read(str(path), as_version=4)
    saved = os.environ.get("SWAPNLP_COURSE_HOME")
    with tempfile.TemporaryDirectory(prefix="swapnlp-chapter-") as home:
        os.environ["SWAPNLP_COURSE_HOME"] = home  # the run is not the author's own progress
        try:
            NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            if saved is None:
                os.environ.pop("SWAPNLP_COURSE_HOME", None)
            else:
                os.environ["SWAPNLP_COURSE_HOME"] = saved
    clean_outputs(notebook, sanitize_rules(root))
    nbformat.write(notebook, str(path))
    return notebook


def run_chapters(ids: Optional[Sequence[str]] = None, root: Path = syllabus.ROOT,
                 report: Optional[Callable[[str], None]] = print) -> List[str]:
    """Run the chapters (all, or those with these ids) one after the other; returns their notebooks."""
    chapters = [syllabus.chapter(chapter_id) for chapter_id in ids] if ids else list(syllabus.CHAPTERS)
    done = []
    for chapter in chapters:
        if report:
            report(f"running {chapter.notebook}")
        run_chapter(root / chapter.notebook, root)
        done.append(chapter.notebook)
    return done
