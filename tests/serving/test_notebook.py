"""The demo cell helpers: start in a background thread, replace on a re-run, stop without leaks."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.serving import notebook
from swapnlp.serving.notebook import DemoServer, serve_demo, stop_demo


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def server_threads():
    return sorted(t.name for t in threading.enumerate() if t.name.startswith(("swapnlp-demo", "swapnlp-micro")))


def port_is_free(port):
    """Nobody listens on it, and a new server may bind it (as servers do, with SO_REUSEADDR)."""
    with socket.socket() as client:
        if client.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture(autouse=True)
def no_demo_left_running():
    yield
    stop_demo()


def test_serve_stop_and_serve_again_leak_neither_threads_nor_ports(trained_run, tmp_path):
    before = set(threading.enumerate())
    demo = serve_demo(trained_run.archive, show=False)
    assert demo.running and demo.url == f"http://127.0.0.1:{demo.port}/"
    assert get_json(demo.url + "health")["status"] == "ok"
    request = urllib.request.Request(demo.url + "predict", data=json.dumps({"sentence": "good"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["label"] in ("pos", "neg")
    assert len(server_threads()) == 2  # uvicorn's and the micro-batcher's

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>second page</h1>")
    again = serve_demo(trained_run.archive, static_dir=site, title="Again", show=False)  # the cell run again
    assert not demo.running
    assert again.port == demo.port  # same port: an IFrame already on screen shows the new server
    assert get_json(again.url + "api/schema")["title"] == "Again"
    with urllib.request.urlopen(again.url, timeout=10) as response:
        assert b"second page" in response.read()
    assert len(server_threads()) == 2 and notebook.current_demo() is again

    assert stop_demo() is True
    assert stop_demo() is False
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive() and not t.daemon]
    assert server_threads() == [] and left == []  # (daemon helpers of other libraries, e.g. tqdm's, may come)
    assert port_is_free(again.port) and notebook.current_demo() is None


def test_serve_demo_shows_an_iframe(trained_run, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    demo = serve_demo(trained_run.archive, height=300)
    assert len(shown) == 1
    frame = shown[0]
    assert frame.src == demo.url and frame.height == 300
    assert f'src="{demo.url}"' in frame._repr_html_()


def test_a_predictor_object_can_be_served(trained_run):
    from swapnlp.predictors import Predictor

    demo = serve_demo(Predictor.from_path(trained_run.archive), show=False, title="From a predictor")
    assert get_json(demo.url + "api/schema")["title"] == "From a predictor"


def test_a_taken_port_is_a_clear_error(trained_run):
    from swapnlp.serving.app import create_app_from_archive

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"could not start on 127.0.0.1:{port}"):
            DemoServer(create_app_from_archive(trained_run.archive), port=port).start()
    assert server_threads() == []
