"""Exercise 3.2's judge: a real prediction made through the learner's page.

With a headless chromium (the system one, through playwright) the check does what a visitor does: open the
page, type a review into the text box of each of the model's fields, click the button, and wait for the page
to ask the server for a prediction and show its label. Without chromium it runs the page's request itself: it
reads the URL each script passes to fetch / XMLHttpRequest (comments removed, so a URL in a comment does not
count), resolves it against the page's address as a browser would, and POSTs the review there.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from course.checks.core import CheckFailed

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--no-first-run"]
REVIEW = "a great , moving film"
Http = Callable[..., Tuple[int, str]]


def chromium_path() -> Optional[str]:
    """The system chromium, or None (then the check runs the page's request itself)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return found


def _is_prediction(url: str, method: str) -> bool:
    return method == "POST" and urllib.parse.urlparse(url).path.rstrip("/").endswith("/predict")


def predict_in_browser(url: str, fields: Sequence[str], labels: Sequence[str], browser_path: str) -> str:
    """Type REVIEW into each field's box, click the page's button; returns the label the page shows. It runs
    in a thread of its own: playwright's sync API refuses a thread with a running asyncio loop (a notebook's)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_visit, url, fields, browser_path).result()


class BrowserUnavailable(Exception):
    """chromium is installed but did not start (twice): the check then sends the page's request itself."""


def _launch(playwright, browser_path: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(2):  # a busy machine can make the first start fail
        try:
            return playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        except PlaywrightError as error:
            if attempt == 1:
                raise BrowserUnavailable(str(error).splitlines()[0]) from None


def _visit(url: str, fields: Sequence[str], browser_path: str) -> str:
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    with sync_playwright() as playwright:
        browser = _launch(playwright, browser_path)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(url)
            for field in fields:
                box = page.locator(f'textarea[name="{field}"], input[name="{field}"], textarea#{field}, '
                                   f'input#{field}').first
                try:
                    box.wait_for(state="visible", timeout=5_000)
                except PlaywrightError:
                    raise CheckFailed(f'the page shows no text box for the model\'s field "{field}": add '
                                      f'<textarea name="{field}"></textarea>') from None
                box.fill(REVIEW)
            button = page.locator('button, input[type="submit"]').first
            if button.count() == 0:
                raise CheckFailed("the page has no button to click: add <button>Predict</button>")
            try:
                with page.expect_response(lambda r: _is_prediction(r.url, r.request.method),
                                          timeout=10_000) as answer:
                    button.click()
            except PlaywrightError:
                raise CheckFailed("clicking the page's button sent no prediction request (POST predict) to the "
                                  "server: does a script run on the click and fetch the prediction?") from None
            response = answer.value
            if response.status != 200:
                raise CheckFailed(f"the page's prediction request got {response.status}: {response.text()[:200]}")
            label = response.json().get("label")
            try:
                page.wait_for_function("label => document.body.innerText.includes(label)", arg=label,
                                       timeout=5_000)
            except PlaywrightError:
                raise CheckFailed(f'the server answered "{label}", but the page never shows it: write the '
                                  f"answer's label into the page") from None
            return label
        finally:
            browser.close()


_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", re.DOTALL)
_REQUEST_URLS = re.compile(r"""fetch\(\s*(["'`])([^"'`]+)\1|\.open\(\s*["']POST["']\s*,\s*(["'`])([^"'`]+)\3""",
                           re.IGNORECASE)


def request_urls(scripts: Sequence[str]) -> List[str]:
    """The URLs the scripts send requests to (string literals passed to fetch or XMLHttpRequest.open)."""
    urls = []
    for script in scripts:
        for match in _REQUEST_URLS.finditer(_COMMENTS.sub("", script)):
            urls.append(match.group(2) or match.group(4))
    return urls


def predict_by_request(base: str, scripts: Sequence[str], uses_builtin_script: bool, fields: Sequence[str],
                       http: Http) -> str:
    """Send the page's own request (as a browser would resolve its URL) and return the label it answers."""
    urls = ["predict"] if uses_builtin_script else []  # demo.js posts to "predict", relative to the page
    urls += [url for url in request_urls(scripts) if "schema" not in url]
    targets = [urllib.parse.urljoin(base, url) for url in urls]
    targets = [url for url in targets if _is_prediction(url, "POST")]
    if not targets:
        raise CheckFailed("no script on the page sends a prediction request (POST predict) to the server: include "
                          "<script src=\"/_swapnlp/demo.js\"></script> or write your own fetch(\"/predict\", ...)")
    status, body = http(targets[0], {field: REVIEW for field in fields})
    if status != 200:
        raise CheckFailed(f"the page's request to {targets[0]} got {status}: {body[:200]}")
    return json.loads(body).get("label")
