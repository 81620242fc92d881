"""`swapnlp serve`: its options, its one-line errors, and a real server process answering over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from swapnlp.commands.main import build_parser, main
from swapnlp.common.ports import free_port


def test_options_and_their_defaults():
    args = build_parser().parse_args(["serve", "--archive-path", "m.tar.gz"])
    assert (args.host, args.port, args.cuda_device) == ("127.0.0.1", 8000, -1)  # loopback unless told otherwise
    assert args.predictor is None and args.field_name == [] and args.static_dir is None and args.title is None
    args = build_parser().parse_args(["serve", "--archive-path", "m.tar.gz", "--field-name", "a", "--field-name", "b",
                                      "--include-package", "my_module", "--port", "9000", "--title", "T"])
    assert args.field_name == ["a", "b"] and args.include_package == ["my_module"] and args.port == 9000


@pytest.mark.parametrize("extra, words", [
    (["--cuda-device", "0"], "--cuda-device is 0, but no GPU is available"),
    (["--static-dir", "/no/such/folder"], "--static-dir /no/such/folder: no such folder"),
    (["--field-name", "text"], "--field-name text: SentenceClassifierPredictor reads the field(s) sentence"),
    (["--predictor", "no_such_predictor"], "no_such_predictor"),
    (["--port", "70000"], "--port 70000"),
    (["--limit-concurrency", "0"], "--limit-concurrency must be at least 2, got 0"),
    (["--timeout-keep-alive", "-1"], "--timeout-keep-alive must be at least 1, got -1"),
    (["--request-timeout", "0"], "--request-timeout must be > 0, got 0.0"),
])
def test_bad_options_are_one_line_errors(trained_run, capsys, extra, words):
    if extra[0] == "--cuda-device":
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has a GPU")
    assert main(["serve", "--archive-path", str(trained_run.archive), *extra]) == 2
    error = capsys.readouterr().err
    errors = [line for line in error.splitlines() if line.startswith("error: ")]  # (info lines may come first)
    assert len(errors) == 1 and words in errors[0] and "Traceback" not in error


def test_a_missing_archive_is_a_one_line_error(tmp_path, capsys):
    assert main(["serve", "--archive-path", str(tmp_path / "none.tar.gz")]) == 2
    assert "archive not found" in capsys.readouterr().err


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def post(url: str, body: dict) -> tuple:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


PLUGIN_SOURCE = textwrap.dedent('''
    from swapnlp.predictors import Predictor, SentenceClassifierPredictor


    @Predictor.register("shouting_classifier")
    class ShoutingClassifier(SentenceClassifierPredictor):
        """The sentence classifier, with the label in capitals."""

        def format_output(self, output):
            result = super().format_output(output)
            return {**result, "label": result["label"].upper()}
''')


def test_a_server_process_with_a_learner_predictor(trained_run, tmp_path):
    (tmp_path / "shouting_plugin.py").write_text(PLUGIN_SOURCE)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "swapnlp.commands.main", "serve", "--archive-path", str(trained_run.archive),
               "--port", str(port), "--title", "Shouting demo", "--include-package", "shouting_plugin",
               "--predictor", "shouting_classifier"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(f"{base}/health", process)["status"] == "ok"
        schema = wait_for(f"{base}/api/schema", process)
        assert schema["title"] == "Shouting demo" and schema["predictor"] == "ShoutingClassifier"
        status, prediction = post(f"{base}/predict", {"sentence": "a good film"})
        assert status == 200 and prediction["label"] in ("POS", "NEG")
        status, error = post(f"{base}/predict", {"sentence": ""})
        assert status == 422 and error["field"] == "sentence"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"serving {trained_run.archive} on http://127.0.0.1:{port}/" in out


def test_run_binds_host_and_port_prints_the_real_port_and_warns_off_loopback(trained_run, monkeypatch, capsys):
    from swapnlp.serving import connections

    calls = []
    monkeypatch.setattr(connections, "run_server",
                        lambda app, sock, options: calls.append((app, sock.getsockname()[:2], options)))
    frozen = []
    monkeypatch.setattr("gc.freeze", lambda: frozen.append(True))  # not this test process's heap
    port = free_port()
    assert main(["serve", "--archive-path", str(trained_run.archive), "--port", str(port)]) == 0
    assert calls[-1][1] == ("127.0.0.1", port)
    out = capsys.readouterr().out
    assert "other machines can reach" not in out and f"on http://127.0.0.1:{port}/" in out
    assert main(["serve", "--archive-path", str(trained_run.archive), "--host", "0.0.0.0", "--port", "0"]) == 0
    host, real_port = calls[-1][1]
    assert host == "0.0.0.0" and real_port > 0
    out = capsys.readouterr().out
    assert "other machines can reach this server, and it has no authentication" in out
    assert f"on http://127.0.0.1:{real_port}/" in out and ":0/" not in out  # --port 0 prints the port it got
    assert frozen  # the loaded model is moved out of the garbage collector's sight
    options = calls[-1][2]
    assert (options.limit_concurrency, options.timeout_keep_alive, options.request_timeout_s) == (128, 5, 15.0)


def test_a_taken_port_is_one_line(trained_run, monkeypatch, capsys):
    monkeypatch.setattr("gc.freeze", lambda: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--archive-path", str(trained_run.archive), "--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in error and "--port 0" in error and "Traceback" not in error
