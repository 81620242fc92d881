"""Exercise 3.2: serve the model with your own page (swapnlp serve --static-dir), judged by a prediction made
through the page (page_prediction.py)."""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from course.checks.core import CheckFailed, call_learner, learner_object, describe_error
from course.checks.page_prediction import (BrowserUnavailable, chromium_path, predict_by_request,
                                           predict_in_browser)


class _PageParser(html.parser.HTMLParser):
    """What a demo page is made of: its title, text boxes, buttons, linked files and inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.in_title, self.in_script = "", False, False
        self.inputs: Dict[str, str] = {}   # name or id -> tag
        self.buttons = 0
        self.assets: list = []             # (tag, url) of every file the page loads
        self.scripts: list = []            # inline script texts
        self.ids: set = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "title":
            self.in_title = True
        elif tag == "script":
            self.in_script = not attributes.get("src")
            if attributes.get("src"):
                self.assets.append(("script", attributes["src"]))
        elif tag == "link" and "stylesheet" in attributes.get("rel", "").lower() and attributes.get("href"):
            self.assets.append(("stylesheet", attributes["href"]))
        elif tag in ("img", "iframe", "audio", "video", "source") and attributes.get("src"):
            self.assets.append((tag, attributes["src"]))
        if tag == "textarea" or (tag == "input" and attributes.get("type", "text") in ("text", "search", "")):
            for key in ("name", "id"):
                if attributes.get(key):
                    self.inputs[attributes[key]] = tag
        if tag == "button" or (tag == "input" and attributes.get("type") == "submit"):
            self.buttons += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.in_script:
            self.scripts.append(data)


def _http(url: str, body: Optional[dict] = None) -> "tuple[int, str]":
    """(status, text) of a GET, or of a POST of `body` as JSON."""
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def check_demo_page(namespace: Mapping[str, Any]) -> str:
    from swapnlp.serving.app import DEFAULT_TITLE, create_app_from_archive
    from swapnlp.serving.notebook import DemoServer

    page_dir = Path(learner_object(namespace, "PAGE_DIR", "PAGE_DIR (the cell that calls write_page)"))
    archive = Path(learner_object(namespace, "ARCHIVE", "ARCHIVE (the training cell)"))
    writer = namespace.get("write_page")
    if callable(writer) and not (page_dir / "index.html").exists():
        call_learner("write_page(PAGE_DIR)", writer, page_dir)  # says "not written yet" for the unfilled exercise
    if not (page_dir / "index.html").is_file():
        raise CheckFailed(f"there is no index.html in PAGE_DIR ({page_dir.name}/): write_page must write the page "
                          f"there, and run the cell that calls it")
    if not archive.exists():
        raise CheckFailed("ARCHIVE does not exist: run the training cell first")
    try:
        app = create_app_from_archive(archive, static_dir=page_dir)
    except Exception as error:
        raise CheckFailed(f"swapnlp serve --static-dir refused your folder: {describe_error(error)}") from None
    server = DemoServer(app).start()
    try:
        base = server.url
        status, text = _http(base)
        if status != 200:
            raise CheckFailed(f"GET / answered {status} instead of your index.html")
        page = _PageParser()
        page.feed(text)
        schema = json.loads(_http(base + "api/schema")[1])
        title = page.title.strip()
        if not title or title == DEFAULT_TITLE:
            raise CheckFailed(f"give your page its own <title> (it is {title or 'missing'!r}): it is your demo")
        for kind, url in page.assets:
            if re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE):
                raise CheckFailed(f"your page loads a {kind} from the internet ({url}): the demo must work offline, "
                                  f"so put that file in PAGE_DIR and link it by its file name")
        loaded = []
        for kind, url in page.assets:
            status, body = _http(base + url.strip().lstrip("/"))
            if status != 200:
                raise CheckFailed(f"your page links the {kind} {url!r}, but the server answers {status} for it: is "
                                  f"the file in PAGE_DIR, under exactly that name?")
            loaded.append((url, body))
        uses_builtin_script = any(url.strip().endswith("/_swapnlp/demo.js") for url, _ in loaded)
        for field in schema["fields"]:
            if field not in page.inputs and not (uses_builtin_script and "fields" in page.ids):
                raise CheckFailed(f'the page has no text box for the model\'s field "{field}": add '
                                  f'<textarea name="{field}"></textarea>')
        scripts = page.scripts + [body for url, body in loaded if url.strip().endswith(".js")]
        browser, label = chromium_path(), None
        if browser is not None:  # a real visit: type, click, and the label shown on the page
            try:
                label = predict_in_browser(base, schema["fields"], schema["labels"], browser)
            except BrowserUnavailable:
                browser = None
        if browser is None:  # the page's own request, sent by the check
            label = predict_by_request(base, scripts, uses_builtin_script, schema["fields"], _http)
        if label not in schema["labels"]:
            raise CheckFailed(f"the prediction made through your page has no label of the model ({label!r})")
    finally:
        server.stop()
    return "your page is served from your own folder, loads nothing from the internet, and gets its predictions from your model."
