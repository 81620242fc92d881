"""The course in real JupyterLab, driven by headless chromium (playwright with the system browser).

Starts `jupyter lab` on a free loopback port, opens the course index, then opens a solution notebook,
runs all its cells and waits for its check cell to print the pass line. Required in CI (.ci/run installs
chromium); skipped locally, with a message, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"]
TOKEN = "swapnlp-browser-test"
EXERCISE = "solutions/1.1-text-to-instance.ipynb"
NOTEBOOKS = ["index.ipynb", EXERCISE] if (ROOT / "index.ipynb").exists() else [EXERCISE]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install chromium (see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the course notebooks (so autosave never touches the repository),
    with its own settings, runtime and progress folders."""
    home = tmp_path_factory.mktemp("lab-home")
    course_root = home / "course-copy"
    for notebook in NOTEBOOKS:
        (course_root / notebook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / notebook, course_root / notebook)
    port = free_port()
    env = {**os.environ, "SWAPNLP_COURSE_HOME": str(home / "course"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={course_root}"]
    server = subprocess.Popen(command, cwd=course_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/lab?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not answer on /lab within 90 s")
    yield base
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def page(lab, tmp_path_factory):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        browser.close()


def test_the_index_notebook_renders(lab, page, tmp_path):
    page.goto(f"{lab}/lab/tree/{NOTEBOOKS[0]}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown", timeout=60_000)
    page.screenshot(path=str(tmp_path / "index.png"))
    headings = page.locator(".jp-Notebook .jp-RenderedMarkdown h1, .jp-Notebook .jp-RenderedMarkdown h2")
    assert headings.count() > 0 and headings.first.is_visible()


def test_an_exercise_check_cell_runs_and_shows_its_result(lab, page):
    page.goto(f"{lab}/lab/tree/{EXERCISE}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    passed = page.locator(".jp-OutputArea-output", has_text="Exercise 1.1 passed")
    passed.wait_for(timeout=120_000)
    assert passed.count() >= 1
