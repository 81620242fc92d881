"""The course in real JupyterLab, driven by headless chromium (playwright with the system browser).

Starts `jupyter lab` on a free loopback port with the project's settings (.jupyter/, as `make lab` does),
opens the course index (chapter list and progress as rendered text, no code above them, no news prompt),
then opens a solution notebook, runs all its cells and waits for its check cell to print the pass line. Required in CI (.ci/run installs
chromium); skipped locally, with a message, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from browser_support import ROOT, jupyter_lab, require_chromium, run_all_cells_until

TOKEN = "swapnlp-browser-test"
SOLUTION = "solutions/1.1-text-to-instance.ipynb"
EXERCISE = "exercises/1.1-text-to-instance.ipynb"
CHAPTER = "chapters/04-where-to-go-next.ipynb"
NOTEBOOKS = ["index.ipynb", SOLUTION, EXERCISE, CHAPTER]

pytestmark = pytest.mark.browser
require_chromium()  # skips this module where chromium is missing (fails it in CI)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the course notebooks (so autosave never touches the repository),
    with its own settings, runtime and progress folders."""
    home = tmp_path_factory.mktemp("lab-home")
    course_root = home / "course-copy"
    for notebook in NOTEBOOKS:
        (course_root / notebook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / notebook, course_root / notebook)
    with jupyter_lab(course_root, home, TOKEN) as base:  # with the project's settings, as `make lab`
        yield base, home / "course" / "progress.json"


@pytest.fixture
def page(browser):
    """A fresh page per test, as a learner opening the course anew."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def test_the_index_shows_the_chapters_and_the_progress_as_text_with_no_code_above(lab, page, tmp_path):
    from course import syllabus

    progress_file = lab[1]
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    if not progress_file.exists():  # a learner who passed exercise 1.2 (the other tests check 1.1)
        progress_file.write_text(json.dumps({"version": 1, "exercises": {"1.2": {"passed": True, "checks": 1}}}))
    page.goto(f"{lab[0]}/lab/workspaces/index/tree/{NOTEBOOKS[0]}?reset&token={TOKEN}")
    title = page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Swappable NLP")
    title.wait_for(timeout=60_000)
    links = [page.locator(".jp-Notebook .jp-RenderedMarkdown a", has_text=f"{chapter.id} · {chapter.title}")
             for chapter in syllabus.CHAPTERS]
    for link in links:  # the chapter list is rendered Markdown, one link per chapter
        link.first.wait_for(state="attached", timeout=30_000)
    last_link = links[-1].first.bounding_box()
    first_code = page.locator(".jp-Notebook .jp-CodeCell").first
    first_code.wait_for(state="attached", timeout=30_000)
    assert first_code.bounding_box()["y"] > last_link["y"] + last_link["height"]  # no code above the list
    assert page.locator(".jp-Notebook .jp-CodeCell").count() == 1
    assert "sys.path" not in first_code.locator(".jp-InputArea").inner_text()

    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    passed = page.locator(".jp-OutputArea-output table tr", has_text="1.2").filter(has_text="passed")
    if not run_all_cells_until(page, lambda: passed.count() > 0, timeout_s=120):
        page.screenshot(path=str(tmp_path / "index.png"))
        pytest.fail(f"the progress table did not show exercise 1.2 as passed (screenshot: {tmp_path / 'index.png'})")
    table = page.locator(".jp-OutputArea-output table").first
    assert table.locator("tr", has_text="1.1").filter(has_text="not started").count() + \
        table.locator("tr", has_text="1.1").filter(has_text="progress").count() == 1  # the learner's own status
    assert table.bounding_box()["y"] > first_code.bounding_box()["y"]  # right below its one short cell


def test_jupyterlab_asks_neither_about_news_nor_for_a_kernel_in_this_project(lab, page):
    base = lab[0]
    answer = page.request.get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={TOKEN}")
    defaults = {name: value.get("default") for name, value in answer.json()["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False  # the project's overrides
    answer = page.request.get(f"{base}/lab/api/settings/@jupyterlab/notebook-extension:tracker?token={TOKEN}")
    assert answer.json()["schema"]["properties"]["autoStartDefaultKernel"]["default"] is True  # no kernel dialog
    page.goto(f"{base}/lab/workspaces/news/tree/{NOTEBOOKS[0]}?reset&token={TOKEN}")
    page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Swappable NLP").wait_for(timeout=60_000)
    page.wait_for_timeout(5_000)  # the prompt comes a moment after start-up when it comes
    assert page.get_by_text("Jupyter news").count() == 0


def test_a_chapters_answers_stay_hidden_until_the_learner_opens_them(lab, page):
    page.goto(f"{lab[0]}/lab/workspaces/chapter/tree/{CHAPTER}?reset&token={TOKEN}")
    page.locator(".jp-Notebook .jp-RenderedMarkdown h2", has_text="Check your understanding").wait_for(timeout=60_000)
    summaries = page.locator(".jp-Notebook .jp-RenderedMarkdown details summary", has_text="Show the answer")
    assert summaries.count() >= 3  # rendered as <details>, not shown as raw HTML
    first = page.locator(".jp-Notebook .jp-RenderedMarkdown details").first
    answer = first.locator("p").first
    assert not answer.is_visible()
    summaries.first.click()
    answer.wait_for(state="visible", timeout=10_000)
    assert len(answer.inner_text().split()) >= 8


def checks_of(progress_file: Path, exercise_id: str) -> dict:
    if not progress_file.exists():
        return {"checks": 0}
    return json.loads(progress_file.read_text()).get("exercises", {}).get(exercise_id, {"checks": 0})


def run_all_cells_and_wait_for_the_check(page, lab, notebook: str, exercise_id: str) -> dict:
    """Open `notebook`, Run > Run All Cells, and wait until the kernel has recorded one more check."""
    base, progress_file = lab
    before = checks_of(progress_file, exercise_id)["checks"]
    workspace = notebook.replace("/", "-").replace(".", "-")  # a fresh workspace: only this notebook open
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    if not run_all_cells_until(page, lambda: checks_of(progress_file, exercise_id)["checks"] != before):
        page.screenshot(path=str(progress_file.parent / "timeout.png"))
        pytest.fail(f"the check cell of {notebook} did not run within 300 s (screenshot: "
                    f"{progress_file.parent / 'timeout.png'})")
    return checks_of(progress_file, exercise_id)


def test_the_unfilled_exercise_check_cell_runs_and_says_what_is_missing(lab, page):
    record = run_all_cells_and_wait_for_the_check(page, lab, EXERCISE, "1.1")
    assert record["last_result"] == "failed"
    failed = page.locator(".jp-OutputArea-output", has_text="❌ Exercise 1.1")
    failed.wait_for(timeout=30_000)  # the result is shown on the page, in place of the stored pass line
    assert "course.hint" in failed.first.inner_text()


def test_the_solved_exercise_check_cell_shows_the_pass_line(lab, page):
    record = run_all_cells_and_wait_for_the_check(page, lab, SOLUTION, "1.1")
    assert record["last_result"] == "passed"
    passed = page.locator(".jp-OutputArea-output", has_text="✅ Exercise 1.1 passed")
    passed.wait_for(timeout=30_000)
    assert passed.count() == 1
