"""The demo cell: start the demo server from a notebook, show its page inline, stop it.

    demo = serve_demo("runs/boe/model.tar.gz")        # starts the server, shows the page in an IFrame
    demo.url                                          # 'http://127.0.0.1:PORT/'
    stop_demo()                                       # or demo.stop()

The server is uvicorn running in a background thread of the kernel, so the notebook stays usable while
the page is open. One demo server runs per kernel: running the cell again stops the previous server
(its thread ends and its port is freed) and starts the new one on the same port, so an IFrame already
on screen shows the new model or page. Everything binds to 127.0.0.1 unless `host` says otherwise.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, Optional, Union

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.ports import free_port  # noqa: F401  (also this module's name for it)

_current: Optional["DemoServer"] = None
_lock = threading.Lock()


class DemoServer:
    """A uvicorn server for `app` on host:port, run in a background thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.host, self.port = host, port or free_port(host)
        # log_config=None: uvicorn must not reconfigure logging inside a notebook kernel
        config = uvicorn.Config(app, host=self.host, port=self.port, log_config=None, log_level="warning",
                                access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"swapnlp-demo-{self.port}", daemon=True)

    def _run(self) -> None:
        try:
            self._server.run()
        except SystemExit:  # uvicorn exits this way when it cannot bind; start() reports it
            pass

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._server.started

    def start(self, timeout: float = 30.0) -> "DemoServer":
        """Start the thread and wait until the server answers (or say why it could not start)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise ConfigurationError(f"the demo server could not start on {self.host}:{self.port} (is the port "
                                         f"in use by another program?): pass another port, or port=None for a free one.")
            if time.monotonic() > deadline:
                self.stop()
                raise ConfigurationError(f"the demo server did not start within {timeout:.0f} s")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit, and wait for its thread (and the micro-batcher's) to end."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)

    def show(self, height: int = 520) -> Any:
        """Show the page inline in the notebook (an IPython IFrame) and return it."""
        from IPython.display import IFrame, display

        frame = IFrame(self.url, width="100%", height=height)
        display(frame)
        return frame

    def __repr__(self) -> str:
        return f"DemoServer({self.url}, {'running' if self.running else 'stopped'})"


def serve_demo(model: Union[str, Path, Any], *, predictor: Optional[str] = None,
               static_dir: Union[str, Path, None] = None, title: Optional[str] = None, host: str = "127.0.0.1",
               port: Optional[int] = None, show: bool = True, height: int = 520, **options: Any) -> DemoServer:
    """Serve `model` (a model.tar.gz path, or a Predictor) in the background and show its page.

    Stops this kernel's previous demo server first and reuses its port unless `port` is given.
    `predictor`, `static_dir`, `title` and `options` (e.g. field_names, limits) are as for `swapnlp serve`."""
    from swapnlp.serving.app import create_app, create_app_from_archive

    global _current
    with _lock:
        previous_port = _current.port if _current is not None else None
        _stop_current()
        if isinstance(model, (str, Path)):
            app = create_app_from_archive(model, predictor, static_dir=static_dir, title=title, **options)
        else:
            app = create_app(model, static_dir=static_dir, title=title, **options)
        chosen = port or (previous_port if previous_port and _port_is_free(host, previous_port) else 0)
        server = DemoServer(app, host=host, port=chosen).start()
        _current = server
    if show:
        server.show(height)
    return server


def stop_demo() -> bool:
    """Stop this kernel's demo server; False when none was running."""
    with _lock:
        return _stop_current()


def current_demo() -> Optional[DemoServer]:
    """The demo server this kernel runs now, if any."""
    return _current if _current is not None and _current.running else None


def _stop_current() -> bool:
    global _current
    server, _current = _current, None
    if server is None:
        return False
    server.stop()
    return True


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True
