"""The demo page of `swapnlp serve` in a real browser (headless system chromium, driven by playwright).

A learner types a review and clicks Predict: the label and one bar per class appear; an empty text shows
the server's error on the page; a custom --static-dir page works the same way. Every request the page
makes must go to the demo server itself (nothing from the internet). Skipped locally, with a message,
when /usr/bin/chromium is absent; required in CI.
"""

from __future__ import annotations

import json

import pytest

from browser_support import require_chromium

pytestmark = pytest.mark.browser
require_chromium()  # skips this module where chromium is missing (fails it in CI)

REVIEW = "a good , great and fine film : the cast was good"


@pytest.fixture(scope="module")
def custom_site(tmp_path_factory):
    """A learner's page for --static-dir: their own title, text and CSS, reusing the built-in demo.js."""
    site = tmp_path_factory.mktemp("site")
    (site / "style.css").write_text("body { background: rgb(255, 250, 230); } h1 { color: darkred; }")
    (site / "index.html").write_text("""<!doctype html>
<html><head><meta charset="utf-8"><title>Mood meter</title><link rel="stylesheet" href="style.css"></head>
<body><h1 id="title">Mood meter</h1><p>How does this review feel?</p>
<form id="demo-form"><textarea name="sentence" rows="3"></textarea><button id="predict">Predict</button></form>
<div id="error" hidden></div>
<section id="result" hidden><p>Mood: <strong id="label"></strong></p><div id="bars"></div><pre id="raw"></pre></section>
<script src="/_swapnlp/demo.js"></script></body></html>""")
    return site


@pytest.fixture(scope="module")
def servers(trained_run, custom_site):
    """The built-in page and the custom page, each on its own demo server (threads of this process)."""
    from swapnlp.serving.app import create_app_from_archive
    from swapnlp.serving.notebook import DemoServer

    builtin = DemoServer(create_app_from_archive(trained_run.archive, title="Tiny sentiment demo")).start()
    custom = DemoServer(create_app_from_archive(trained_run.archive, static_dir=custom_site)).start()
    yield {"builtin": builtin.url, "custom": custom.url}
    builtin.stop()
    custom.stop()


@pytest.fixture
def page(browser, servers):
    """A fresh page that records every request, and refuses any that would leave the demo servers."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    outside = []

    def only_local(route):
        if any(route.request.url.startswith(url) for url in servers.values()):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"the page asked the internet for {outside}"
    assert errors == [], f"JavaScript errors on the page: {errors}"


def open_demo(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)


def test_type_a_review_click_predict_see_the_label_and_the_bars(page, servers, trained_run):
    from swapnlp.predictors import Predictor

    open_demo(page, servers["builtin"])
    assert page.locator("h1").inner_text() == "Tiny sentiment demo"
    assert "labels: neg, pos" in page.locator("#model-info").inner_text()
    page.get_by_label("sentence").fill(REVIEW)
    page.get_by_role("button", name="Predict").click()
    page.locator("#result").wait_for(state="visible", timeout=30_000)

    expected = Predictor.from_path(trained_run.archive).predict(REVIEW)
    assert page.locator("#label").inner_text() == expected["label"] == "pos"
    bars = page.locator(".bar-row")
    assert bars.count() == 2
    assert bars.first.get_attribute("data-label") == "pos"  # the most probable class first, highlighted
    assert "top" in bars.first.get_attribute("class")
    for row in bars.all():
        probability = expected["probs"][row.get_attribute("data-label")]
        assert row.locator(".bar-value").inner_text() == f"{100 * probability:.1f}%"
        width = row.locator(".bar").evaluate("bar => bar.getBoundingClientRect().width / "
                                             "bar.parentElement.getBoundingClientRect().width")
        assert width == pytest.approx(probability, abs=0.02)  # the bar is as long as the probability
    assert page.locator("#error").is_hidden()

    assert not page.locator("#raw").is_visible()  # the raw JSON, behind its toggle
    page.get_by_text("Raw JSON").click()
    assert page.locator("#raw").is_visible()
    assert json.loads(page.locator("#raw").inner_text())["label"] == "pos"


def test_ctrl_enter_predicts_too(page, servers):
    open_demo(page, servers["builtin"])
    page.get_by_label("sentence").fill("bad awful dull plot")
    page.get_by_label("sentence").press("Control+Enter")
    page.locator("#result").wait_for(state="visible", timeout=30_000)
    assert page.locator("#label").inner_text() == "neg"


def test_empty_text_shows_the_servers_error_on_the_page(page, servers):
    open_demo(page, servers["builtin"])
    page.get_by_label("sentence").fill("   ")
    page.get_by_role("button", name="Predict").click()
    error = page.locator("#error")
    error.wait_for(state="visible", timeout=30_000)
    assert error.inner_text() == '422: field "sentence" is empty: give it some text'
    assert "invalid" in page.get_by_label("sentence").get_attribute("class")
    assert page.locator("#result").is_hidden()

    page.get_by_label("sentence").fill(REVIEW)  # fixing the text clears the error
    page.get_by_role("button", name="Predict").click()
    page.locator("#result").wait_for(state="visible", timeout=30_000)
    assert error.is_hidden() and "invalid" not in (page.get_by_label("sentence").get_attribute("class") or "")


def test_a_server_that_went_away_is_reported_on_the_page(page, servers):
    open_demo(page, servers["builtin"])
    page.route("**/predict", lambda route: route.abort())  # as if the server had been stopped
    page.get_by_label("sentence").fill(REVIEW)
    page.get_by_role("button", name="Predict").click()
    page.locator("#error").wait_for(state="visible", timeout=30_000)
    assert "could not reach the server" in page.locator("#error").inner_text()
    assert page.get_by_role("button", name="Predict").is_enabled()


def test_a_custom_static_dir_page_works(page, servers):
    open_demo(page, servers["custom"])
    assert page.title() == "Mood meter"
    assert page.locator("h1").inner_text() == "Mood meter"  # the learner's title is kept
    assert page.locator("body").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 250, 230)"
    page.locator("textarea[name=sentence]").fill(REVIEW)
    page.get_by_role("button", name="Predict").click()
    page.locator("#result").wait_for(state="visible", timeout=30_000)
    assert page.locator("#label").inner_text() == "pos"
    assert page.locator(".bar-row").count() == 2


def test_the_api_docs_render_offline(page, servers):
    page.goto(servers["builtin"] + "docs")
    assert page.locator("h1").inner_text() == "Tiny sentiment demo: API"
    assert page.locator("h2", has_text="/predict_batch").count() == 1
