"""What every browser test module gets: one headless system chromium (browser_support.py has the rest)."""

from __future__ import annotations

import pytest

from browser_support import launch_chromium, require_chromium


@pytest.fixture(scope="module")
def browser():
    """The system chromium for one test module: skipped where it is not installed, required in CI."""
    playwright_api = require_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
