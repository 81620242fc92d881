"""What the browser tests share: the system chromium and its flags, the skip-or-fail rule, a JupyterLab server
on a folder of notebooks, and opening the configuration wizard in it (conftest.py holds the `browser` fixture).

    require_chromium()                           # at the top of a browser test module (skips it)
    with jupyter_lab(folder, home, token) as base: ...
    encoder = open_wizard(page, notebook_url, tmp_path)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

from swapnlp.common.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"]


def require_chromium():
    """playwright.sync_api when the system chromium is there; else skip the module (fail it in CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must run the browser tests: install chromium (see .ci/run)")
        pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped",
                    allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def launch_chromium(playwright):
    """The system chromium, headless, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@contextlib.contextmanager
def jupyter_lab(folder: Path, home: Path, token: str, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """JupyterLab serving `folder`, with the project's settings (.jupyter/, as `make lab` sets them) and its own
    settings, runtime, workspaces and course progress under `home`; yields its base URL once /lab answers (fails
    the test after 90 s)."""
    environment = {**os.environ, "SWAPNLP_COURSE_HOME": str(home / "course"),
                   "JUPYTER_CONFIG_PATH": str(ROOT / ".jupyter"), "JUPYTER_CONFIG_DIR": str(home / "config"),
                   "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                   **(env or {})}
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={folder}"]
    server = subprocess.Popen(command, cwd=folder, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/lab?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer on /lab within 90 s")
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def run_all_cells(page) -> None:
    """Run > Run All Cells in the open notebook."""
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()


def run_all_cells_until(page, done, timeout_s: float = 300, retry_s: float = 30) -> bool:
    """Run all cells, then wait for `done()`; when nothing runs and `done()` is still false after retry_s
    (a kernel that was still starting dropped the request), run them again. -> whether done() came true."""
    import time

    run_all_cells(page)
    deadline, retry_at = time.monotonic() + timeout_s, time.monotonic() + retry_s
    while not done():
        if time.monotonic() > deadline:
            return False
        if time.monotonic() > retry_at and page.locator(".jp-Notebook .jp-InputPrompt", has_text="[*]").count() == 0:
            run_all_cells(page)
            retry_at = time.monotonic() + retry_s
        page.wait_for_timeout(1_000)
    return True


def open_wizard(page, notebook_url: str, screenshot_folder: Path):
    """Open the notebook at `notebook_url` (one that shows the configuration wizard) in JupyterLab and run it
    until the wizard is there -> the encoder's dropdown. Fails the test, with a screenshot, after 300 s."""
    page.goto(notebook_url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    encoder = page.locator(".swapnlp-choice-model-encoder select")
    # the kernel imports torch and builds every component first
    if not run_all_cells_until(page, lambda: encoder.count() > 0):
        page.screenshot(path=str(screenshot_folder / "no-wizard.png"))
        pytest.fail(f"the wizard did not appear within 300 s (screenshot: {screenshot_folder / 'no-wizard.png'})")
    encoder.wait_for(timeout=30_000)
    return encoder
