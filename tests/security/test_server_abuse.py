"""The demo server against careless and hostile clients, bounded: loopback only, small counts, every wait
capped. Each malformed value gets a 4xx (never a 500), each kind of rejection is logged once, idle and slow
connections are closed, the connection cap answers 503 and recovers, and --port 0 prints the real port."""

from __future__ import annotations

import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("fastapi")

HUGE = "9" * 5000  # Python's int() refuses more than 4,300 digits: json.loads raises ValueError, not JSONDecodeError


@pytest.fixture
def app(trained_run):
    from swapnlp.serving.app import create_app_from_archive

    return create_app_from_archive(trained_run.archive)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path, body", [
    ("/predict", '{"sentence": ' + HUGE + '}'),
    ("/predict", '{"sentence": "a good film", "extra": ' + HUGE + '}'),
    ("/predict", '{"sentence": "a good film", "nested": {"deeper": [1, -' + HUGE + ']}}'),
    ("/predict", HUGE),
    ("/predict_batch", '[{"sentence": "a good film"}, {"sentence": ' + HUGE + '}]'),
    ("/predict_batch", '[{"sentence": "ok", "n": ' + HUGE + '}]'),
])
def test_an_integer_of_5000_digits_anywhere_is_a_400(client, path, body):
    response = client.post(path, content=body.encode())
    assert response.status_code == 400, response.text
    assert "number too long" in response.json()["detail"]


def test_each_kind_of_rejection_is_logged_once_and_counted(client, caplog):
    caplog.set_level(logging.WARNING, logger="swapnlp.serving")
    for _ in range(30):
        assert client.post("/predict", content=b"{not json").status_code == 400
        assert client.post("/predict", json={"sentence": "  "}).status_code == 422
        assert client.post("/predict", content=('{"sentence": ' + HUGE + '}').encode()).status_code == 400
    records = [r for r in caplog.records if r.name == "swapnlp.serving"]
    assert len(records) == 2, [r.getMessage() for r in records]  # "400" and "422 field sentence"
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in records)  # one line, no traceback
    assert client.get("/health").json()["refused"] == {"400": 60, "422 field sentence": 30}


class BrokenPredictor:
    input_fields = ["sentence"]

    def predict_batch_json(self, items):
        raise RuntimeError("the model is broken")


def test_a_failing_model_is_a_500_with_one_traceback_not_one_per_request(caplog):
    from fastapi.testclient import TestClient

    from swapnlp.serving.app import create_app

    caplog.set_level(logging.WARNING)
    with TestClient(create_app(BrokenPredictor()), raise_server_exceptions=False) as client:
        for _ in range(20):
            response = client.post("/predict", json={"sentence": "good"})
            assert response.status_code == 500 and "RuntimeError: the model is broken" in response.json()["detail"]
        assert client.get("/health").json()["refused"] == {"500 RuntimeError": 20}
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1 and with_traceback[0].name == "swapnlp.serving"


def test_the_log_filter_lets_each_kind_through_once():
    from swapnlp.serving.connections import OncePerKind

    quiet = OncePerKind()
    logger = logging.getLogger("swapnlp.test.quiet")
    records = [logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "Exceeded concurrency limit.", (), None)
               for _ in range(100)]
    assert sum(quiet.filter(record) for record in records) == 1
    assert "repeats of this message are not logged" in records[0].getMessage()
    other = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "Invalid HTTP request received.", (), None)
    assert quiet.filter(other)


# -- a real server process ------------------------------------------------------------------------------------
class Server:
    """`swapnlp serve --port 0` in a subprocess, with short timeouts; `port` is the one it printed."""

    def __init__(self, archive, *options: str) -> None:
        command = [sys.executable, "-m", "swapnlp.commands.main", "serve", "--archive-path", str(archive),
                   "--port", "0", *options]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = self._printed_port(deadline=time.monotonic() + 90)

    def _printed_port(self, deadline: float) -> int:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0)
            if ready:
                line = self.process.stdout.readline()
                found = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
                if found:
                    return int(found.group(1))
            assert self.process.poll() is None, self.process.communicate()
        raise AssertionError("the server printed no port within 90 s")

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def request(self, raw: bytes, timeout: float = 10) -> bytes:
        with self.connect() as sock:
            sock.settimeout(timeout)
            sock.sendall(raw)
            return read_response(sock)

    def stop(self) -> str:
        """Ctrl+C; the server's stderr (its log)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


def read_response(sock: socket.socket) -> bytes:
    """Read until the server closes or a whole response with a Content-Length has arrived."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data
        if not chunk:
            return data
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
        if length and len(body) >= int(length.group(1)):
            return data


def post(path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response.split(b" ", 2)[1])


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Did the server close `sock` (recv gives b"") within `seconds`?"""
    sock.settimeout(0.2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if sock.recv(1024) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


@pytest.fixture(scope="module")
def server(trained_run):
    running = Server(trained_run.archive, "--request-timeout", "2", "--timeout-keep-alive", "1",
                     "--limit-concurrency", "12")
    yield running
    running.stop()


def test_port_0_prints_the_port_it_got_and_the_server_answers(server):
    assert server.port > 0
    response = server.request(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(response) == 200 and b'"status":"ok"' in response


def test_a_5000_digit_integer_is_a_400_over_http(server):
    response = server.request(post("/predict", ('{"sentence": "good", "n": ' + HUGE + "}").encode()))
    assert status_of(response) == 400 and b"number too long" in response


def test_idle_connections_are_closed(server):
    sockets = [server.connect() for _ in range(6)]
    try:
        started = time.monotonic()
        assert all(closed_within(sock, 8) for sock in sockets)  # --request-timeout 2
        assert time.monotonic() - started < 8
    finally:
        for sock in sockets:
            sock.close()


def test_headers_sent_a_byte_at_a_time_are_cut_off(server):
    with server.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 8:
            try:
                sock.sendall(b"X")  # a header that never ends
            except OSError:
                closed = True
                break
            if closed_within(sock, 0.3):
                closed = True
                break
        assert closed and time.monotonic() - started < 6


def test_a_body_that_trickles_in_gets_a_408(server):
    with server.connect() as sock:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n" + b'{"sentence": ')
        started = time.monotonic()
        response = read_response(sock)
    assert status_of(response) == 408 and b"took longer than 2 s" in response
    assert time.monotonic() - started < 8


def test_over_the_connection_cap_is_a_503_and_it_recovers(server):
    idle = [server.connect() for _ in range(14)]  # --limit-concurrency 12
    try:
        time.sleep(0.3)  # let the server accept them
        response = server.request(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status_of(response) == 503
        assert all(closed_within(sock, 8) for sock in idle)  # the idle ones are closed at their deadline
    finally:
        for sock in idle:
            sock.close()
    response = server.request(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(response) == 200


def test_the_log_holds_one_line_per_kind_of_abuse(trained_run):
    running = Server(trained_run.archive, "--request-timeout", "2", "--limit-concurrency", "4")
    try:
        for _ in range(10):
            assert status_of(running.request(post("/predict", b"{bad json"))) == 400
            assert status_of(running.request(post("/predict", ('{"sentence": ' + HUGE + "}").encode()))) == 400
            assert status_of(running.request(post("/predict", b'{"sentence": ""}'))) == 422
            assert status_of(running.request(b"GARBAGE\r\n\r\n")) == 400
        idle = [running.connect() for _ in range(6)]
        time.sleep(0.3)
        for _ in range(5):
            assert status_of(running.request(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) == 503
        for sock in idle:
            sock.close()
    finally:
        log = running.stop()
    lines = [line for line in log.splitlines() if line.strip() and not line.startswith("precision:")]
    assert "Traceback" not in log
    assert sum("refused a request (400)" in line for line in lines) == 1, log
    assert sum("refused a request (422 field sentence)" in line for line in lines) == 1, log
    assert sum("Exceeded concurrency limit" in line for line in lines) == 1, log
    assert sum("Invalid HTTP request" in line for line in lines) == 1, log
    assert len(lines) <= 6, log


@pytest.mark.skipif(os.name != "posix", reason="SIGINT handling")
def test_ctrl_c_still_stops_the_server_cleanly(trained_run):
    running = Server(trained_run.archive)
    time.sleep(0.5)
    running.stop()
    assert running.process.returncode == 0
