"""What the browser tests share: the system chromium and its flags, the skip-or-fail rule, a free port, and a
JupyterLab server on a folder of notebooks.

    playwright_api = require_chromium()          # at the top of a browser test module
    with jupyter_lab(folder, home, token) as base: ...
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(folder: Path, home: Path, token: str, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """JupyterLab serving `folder`, with its settings, runtime, workspaces and course progress under `home`;
    yields its base URL once /lab answers (fails the test after 90 s)."""
    environment = {**os.environ, "SWAPNLP_COURSE_HOME": str(home / "course"),
                   "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                   "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), **(env or {})}
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
