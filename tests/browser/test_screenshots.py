"""The screenshots the chapters show where a stored notebook cannot hold a live page: the demo page of chapter
03.2 and the configuration wizard of chapter 03.5 (chapters/images/). Taken here, in the real browser (headless
system chromium, driven by playwright), after the same steps a learner takes: type a review and press Predict;
pick `cnn` as the encoder in the wizard.

Every run takes them into a temporary folder and checks them; with SWAPNLP_SAVE_SCREENSHOTS=1 they replace
the committed images:

    SWAPNLP_SAVE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_screenshots.py -p no:xdist

(with an emoji font installed, e.g. `apt-get install fonts-noto-color-emoji`, or the wizard's ✅ is a box).

The demo page serves chapter 03.2's own model when the chapter has been run (runs/chapter-03.2), else the
tests' tiny one. Required in CI; skipped locally, with a message, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import nbformat
import pytest

from browser_support import ROOT, jupyter_lab, open_wizard, require_chromium

pytestmark = pytest.mark.browser
require_chromium()  # skips this module where chromium is missing (fails it in CI)

IMAGES = ROOT / "chapters" / "images"
DEMO_IMAGE, WIZARD_IMAGE = "demo-page.png", "configuration-wizard.png"
CHAPTER_ARCHIVE = ROOT / "runs" / "chapter-03.2" / "model" / "model.tar.gz"
REVIEW = "a warm , funny and moving film , beautifully acted : one of the best of the year ."
TOKEN = "swapnlp-screenshot-test"


def png_size(path: Path) -> tuple:
    """(width, height) read from a PNG's header; fails on anything that is not a PNG."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def keep(taken: Path, name: str) -> None:
    """Replace the committed image when asked to; else check that the chapter has one."""
    if os.environ.get("SWAPNLP_SAVE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(taken, IMAGES / name)
    assert (IMAGES / name).exists(), f"chapters/images/{name} is missing: run this module with SWAPNLP_SAVE_SCREENSHOTS=1"
    width, height = png_size(IMAGES / name)
    assert width >= 400 and height >= 200


@pytest.fixture(scope="module")
def demo_url(request):
    from swapnlp.serving.app import create_app_from_archive
    from swapnlp.serving.notebook import DemoServer

    archive = CHAPTER_ARCHIVE if CHAPTER_ARCHIVE.exists() else request.getfixturevalue("trained_run").archive
    server = DemoServer(create_app_from_archive(archive, title="Movie reviews: try the model")).start()
    yield server.url
    server.stop()


def test_the_demo_page_after_a_prediction(browser, demo_url, tmp_path):
    page = browser.new_context(viewport={"width": 1000, "height": 640}).new_page()
    page.goto(demo_url)
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
    page.get_by_label("sentence").fill(REVIEW)
    page.get_by_role("button", name="Predict").click()
    page.locator("#result").wait_for(state="visible", timeout=30_000)
    assert page.locator("#label").inner_text() in {"pos", "neg"}
    assert page.locator(".bar-row").count() == 2
    page.screenshot(path=str(tmp_path / DEMO_IMAGE))
    assert png_size(tmp_path / DEMO_IMAGE) == (1000, 640)
    keep(tmp_path / DEMO_IMAGE, DEMO_IMAGE)


WIZARD_CELL = """from swapnlp.configure.widgets import ConfigWizard

wizard = ConfigWizard(output="wizard.jsonnet", data_dir="data/movie_sentences")
wizard"""


@pytest.fixture(scope="module")
def wizard_lab(tmp_path_factory):
    """JupyterLab on a folder holding one notebook that shows the wizard, as chapter 03.5 does."""
    home = tmp_path_factory.mktemp("screenshot-lab")
    folder = home / "course-copy"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WIZARD_CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, str(folder / "wizard.ipynb"))
    with jupyter_lab(folder, home, TOKEN) as base:
        yield base


def test_the_configuration_wizard_with_a_cnn_chosen(browser, wizard_lab, tmp_path):
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    encoder = open_wizard(page, f"{wizard_lab}/lab/workspaces/screenshot/tree/wizard.ipynb?reset&token={TOKEN}",
                          tmp_path)
    encoder.select_option("cnn")
    page.locator(".swapnlp-param-model-encoder-num-filters").wait_for(timeout=30_000)
    page.locator(".swapnlp-status", has_text="every component builds").wait_for(timeout=30_000)
    step = page.locator(".swapnlp-step-model-encoder")  # the step the chapter's text talks about
    assert step.locator(".swapnlp-param-model-encoder-ngram-filter-sizes").count() == 1  # cnn's own inputs
    step.screenshot(path=str(tmp_path / WIZARD_IMAGE))
    box = step.bounding_box()
    width, height = png_size(tmp_path / WIZARD_IMAGE)
    assert abs(width - box["width"]) <= 1 and abs(height - box["height"]) <= 1  # the step, not the whole page
    keep(tmp_path / WIZARD_IMAGE, WIZARD_IMAGE)
