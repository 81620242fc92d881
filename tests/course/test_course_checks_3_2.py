"""Exercise 3.2 (your own demo page), checked in-process: every wrong page fails with its own reason.

Pages are judged by a prediction made through them: in headless chromium where it is installed, else by the
page's own request sent by the check; both paths are tested (the browser one is skipped without chromium)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Dict

import pytest

from course import checks
from course.checks import page_prediction
from course_variants import ALTERNATIVES_3_2, WRONG_3_2
from test_course_checks import cleanup, exercise_notebook, run_cells, solution_code


def _write_page_function(code: str) -> Any:
    """write_page with `code` as its body (the solution region keeps its indentation: remove it first)."""
    lines = code.strip("\n").split("\n")
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    code = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines)
    scope: Dict[str, Any] = {"Path": Path}
    exec("def write_page(folder):\n    folder.mkdir(parents=True, exist_ok=True)\n"
         + textwrap.indent(code.strip("\n"), "    ") + "\n", scope)
    return scope["write_page"]


@pytest.fixture(scope="module")
def notebook_3_2():
    """The exercise notebook run top to bottom (its model trained), without its own page."""
    from swapnlp.serving import stop_demo

    with cleanup(run_cells(exercise_notebook("3.2"))) as namespace:
        stop_demo()
        yield namespace


def check_with(notebook_3_2, tmp_path, code):
    page_dir = tmp_path / "page"
    write_page = _write_page_function(code)
    try:
        write_page(page_dir)
    except NotImplementedError:
        pass
    return checks.run_check("3.2", dict(notebook_3_2, PAGE_DIR=page_dir, write_page=write_page))


@pytest.fixture(params=["browser", "request"])
def judge(request, monkeypatch):
    """How the page is judged: a headless chromium visit, or the page's own request sent by the check."""
    if request.param == "browser":
        if page_prediction.chromium_path() is None:
            pytest.skip("no chromium (or playwright) here: the browser judge is not available")
    else:
        monkeypatch.setattr("course.checks.demo_page.chromium_path", lambda: None)
    return request.param


@pytest.mark.parametrize("answer", ["reference", *sorted(ALTERNATIVES_3_2)])
def test_correct_pages_pass(notebook_3_2, tmp_path, answer, judge):
    code = solution_code("3.2") if answer == "reference" else ALTERNATIVES_3_2[answer]
    passed, line = check_with(notebook_3_2, tmp_path, code)
    assert passed, line
    assert line.startswith("✅ Exercise 3.2 passed: your page is served from your own folder")


@pytest.mark.parametrize("name", sorted(WRONG_3_2))
def test_wrong_pages_fail_and_say_why(notebook_3_2, tmp_path, name, judge):
    code, message = WRONG_3_2[name]
    passed, line = check_with(notebook_3_2, tmp_path, code)
    assert not passed and message in line, line
    assert line.rstrip().endswith('Hint: course.hint("3.2")')


def test_the_unwritten_page_says_so(notebook_3_2, tmp_path):
    passed, line = check_with(notebook_3_2, tmp_path, 'raise NotImplementedError("Exercise 3.2: write this part.")')
    assert not passed and "write_page(PAGE_DIR) is not written yet" in line


def test_the_check_leaves_no_server_running(notebook_3_2, tmp_path):
    import threading

    check_with(notebook_3_2, tmp_path, solution_code("3.2"))
    assert not [t for t in threading.enumerate() if t.name.startswith(("swapnlp-demo", "swapnlp-micro"))]


def test_a_chromium_that_does_not_start_falls_back_to_the_pages_own_request(notebook_3_2, tmp_path, monkeypatch):
    starts = []

    def broken_launch(playwright, browser_path):
        starts.append(browser_path)
        raise page_prediction.BrowserUnavailable("BrowserType.launch: Target page, context or browser has been closed")

    monkeypatch.setattr("course.checks.demo_page.chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(page_prediction, "_launch", broken_launch)
    passed, line = check_with(notebook_3_2, tmp_path, solution_code("3.2"))
    assert passed and starts == ["/usr/bin/chromium"], line
    code, message = WRONG_3_2[sorted(WRONG_3_2)[0]]
    passed, line = check_with(notebook_3_2, tmp_path / "wrong", code)
    assert not passed and message in line, line
