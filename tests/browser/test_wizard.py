"""The configuration wizard in real JupyterLab, driven by headless chromium (playwright, system browser).

Opens a notebook that shows the wizard, picks another encoder in its dropdown, sees the parameter inputs
change, presses "Write config", and finds the config written (on disk and on the page). Required in CI;
skipped locally, with a message, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"]
TOKEN = "swapnlp-wizard-test"
NOTEBOOK = "wizard.ipynb"
WRITTEN = "browser_wizard.jsonnet"

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


def write_wizard_notebook(path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# The configuration wizard"),
        nbformat.v4.new_code_cell("from swapnlp.configure.widgets import ConfigWizard\n\n"
                                  f'wizard = ConfigWizard(output="{WRITTEN}")\nwizard'),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a folder holding only the wizard notebook; returns (base url, that folder)."""
    home = tmp_path_factory.mktemp("wizard-lab")
    folder = home / "course-copy"
    folder.mkdir()
    write_wizard_notebook(folder / NOTEBOOK)
    port = free_port()
    env = {**os.environ, "SWAPNLP_COURSE_HOME": str(home / "course"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "lib"), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={folder}"]
    server = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    yield base, folder
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture
def page(lab):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        yield context.new_page()
        context.close()
        browser.close()


def test_pick_an_encoder_and_write_the_config(lab, page, tmp_path):
    base, folder = lab
    page.goto(f"{base}/lab/workspaces/wizard/tree/{NOTEBOOK}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()

    encoder = page.locator(".swapnlp-choice-model-encoder select")
    try:
        encoder.wait_for(timeout=120_000)  # the kernel imports torch and builds every component first
    except playwright_api.TimeoutError:
        page.screenshot(path=str(tmp_path / "no-wizard.png"))
        raise
    averaged = page.locator(".swapnlp-param-model-encoder-averaged")
    assert averaged.count() == 1  # the bag of embeddings' own parameter
    assert page.locator(".swapnlp-param-model-encoder-num-filters").count() == 0
    page.screenshot(path=str(tmp_path / "before.png"))

    encoder.select_option("cnn")
    page.locator(".swapnlp-param-model-encoder-num-filters").wait_for(timeout=30_000)
    page.locator(".swapnlp-param-model-encoder-ngram-filter-sizes").wait_for(timeout=30_000)
    assert averaged.count() == 0  # the inputs follow the chosen encoder
    num_filters = page.locator(".swapnlp-param-model-encoder-num-filters input")
    num_filters.fill("12")
    num_filters.press("Enter")
    page.locator(".swapnlp-status", has_text="every component builds").wait_for(timeout=30_000)

    page.locator("button.swapnlp-write").click()
    page.locator(".swapnlp-status", has_text="wrote").wait_for(timeout=30_000)
    page.locator(".swapnlp-preview", has_text='"type": "cnn"').wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "after.png"))

    from swapnlp.common.params import Params

    written = folder / WRITTEN
    assert written.exists()
    config = Params.from_file(written).as_dict()
    assert config["model"]["encoder"] == {"type": "cnn", "embedding_dim": 64, "num_filters": 12}
    assert json.dumps(config)  # a plain config tree, as `swapnlp train` reads it
