"""Running the demo server so that careless or hostile clients cannot wear it down.

    sock = bind_socket("127.0.0.1", 0)          # --port 0: the port it got is sock.getsockname()[1]
    run_server(app, sock, ServerOptions())

uvicorn's own settings do most of the work: `limit_concurrency` caps the connections and requests served at
once (more get a 503) and `timeout_keep_alive` closes a connection idle after a response. uvicorn has no
deadline for a connection that opens and sends nothing (or trickles its headers), so `GuardedH11Protocol`
adds one: a request's headers must arrive within `request_timeout_s` (its body gets the same time, in
app.py). Repeated log lines (every 503, every malformed request) are logged once, not once per request.
"""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Set, Tuple

from uvicorn.protocols.http.h11_impl import H11Protocol

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError


@dataclass(frozen=True)
class ServerOptions:
    """Connection limits: `swapnlp serve --limit-concurrency N --timeout-keep-alive S --request-timeout S`."""

    limit_concurrency: int = 128     # connections and requests at once; more are answered 503
    timeout_keep_alive: int = 5      # seconds an idle keep-alive connection stays open after a response
    request_timeout_s: float = 15.0  # seconds a client has to send a request's headers (and, apart, its body)

    def __post_init__(self) -> None:
        check_range("--limit-concurrency", self.limit_concurrency, at_least=2)
        check_range("--timeout-keep-alive", self.timeout_keep_alive, at_least=1)
        check_range("--request-timeout", self.request_timeout_s, above=0)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's headers: a connection that stays
    silent, or sends its headers too slowly, is closed after `request_timeout_s` (set per server by
    `guarded_protocol`)."""

    request_timeout_s: float = 15.0
    _deadline: Optional[Any] = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the headers are in: the app reads the body (with its own deadline) and answers

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request's headers get the same time (uvicorn's keep-alive timer stops at 1 byte)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if self.transport is not None and not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.request_timeout_s, self._deadline_passed)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self) -> None:
        self._deadline = None
        waiting_for_a_request = self.cycle is None or self.cycle.response_complete
        if waiting_for_a_request and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(request_timeout_s: float) -> type:
    """A GuardedH11Protocol class with this deadline (uvicorn takes a protocol class, not an instance)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"request_timeout_s": request_timeout_s})


class OncePerKind(logging.Filter):
    """Lets the first record of each kind through (a message's first line, plus the exception type), with a
    note that repeats are not logged; drops the repeats. Keeps a flood of bad clients out of the log."""

    def __init__(self, max_kinds: int = 256) -> None:
        super().__init__()
        self.seen: Set[Tuple[int, str, str]] = set()
        self.max_kinds = max_kinds

    def filter(self, record: logging.LogRecord) -> bool:
        first_line = str(record.msg).split("\n", 1)[0]
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        kind = (record.levelno, first_line, error)
        if kind in self.seen:
            return False
        if len(self.seen) >= self.max_kinds:
            return False
        self.seen.add(kind)
        if "%" not in first_line:
            record.msg = str(record.msg).rstrip("\n") + " (repeats of this message are not logged)"
        return True


QUIET_LOGGERS = ("uvicorn.error", "asyncio")  # "Exceeded concurrency limit.", "socket.accept() out of ..."


def quiet_repeats() -> OncePerKind:
    """Install one OncePerKind filter on uvicorn's and asyncio's loggers (once per process)."""
    for name in QUIET_LOGGERS:
        for existing in logging.getLogger(name).filters:
            if isinstance(existing, OncePerKind):
                return existing
    quiet = OncePerKind()
    for name in QUIET_LOGGERS:
        logging.getLogger(name).addFilter(quiet)
    return quiet


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0 = a free port); a taken port or a bad host is one clear line."""
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"--port {port}: a port is a number from 1 to 65535 (0 picks a free one).")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise ConfigurationError(f"--host {host}: not an address this machine can listen on ({error.strerror}).")
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigurationError(f"port {port} on {host} is in use (another server?): pass another --port, "
                                     f"or --port 0 for a free one.") from None
        raise ConfigurationError(f"cannot listen on {host}:{port}: {error.strerror}.") from None
    sock.set_inheritable(True)
    sock.listen(2048)  # connections made as soon as the address is printed wait here until uvicorn serves them
    return sock


def uvicorn_config(app: Any, options: ServerOptions, **config: Any) -> Any:
    """A uvicorn.Config for `app` with the connection limits of `options` (config: host, port, log_level...)."""
    import uvicorn

    return uvicorn.Config(app, http=guarded_protocol(options.request_timeout_s),
                          limit_concurrency=options.limit_concurrency, timeout_keep_alive=options.timeout_keep_alive,
                          **config)


def run_server(app: Any, sock: socket.socket, options: ServerOptions) -> None:
    """Serve `app` on the bound `sock` until Ctrl+C (what `swapnlp serve` runs)."""
    import uvicorn

    server = uvicorn.Server(uvicorn_config(app, options, log_level="warning", access_log=False))
    quiet_repeats()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C: uvicorn has shut down cleanly and re-raised it; as uvicorn.run does
        pass
