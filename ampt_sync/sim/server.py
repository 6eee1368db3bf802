"""Serving a simulator on loopback: what the simulated Strava and Garmin share.

A :class:`LoopbackSim` serves itself on ``127.0.0.1`` at a free port, from a daemon thread, for
as long as it is started (or inside ``with``). Its request handler class must derive from
:class:`SimHandler`, which answers without Nagle's delay and keeps quiet (the simulators keep their
own request logs, with no secrets in them).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class SimHandler(BaseHTTPRequestHandler):
    sim: Any
    protocol_version = "HTTP/1.1"
    timeout = 5  # idle keep-alive connections end
    # Headers and body in one send, and no Nagle: without these, the client's delayed ACK adds
    # 40 ms to every loopback answer.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return


class LoopbackSim:
    """Start/stop and ``with`` for a simulator; subclasses set ``handler``."""

    handler: ClassVar[type[SimHandler]]

    def __init__(self) -> None:
        self.base_url = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve on 127.0.0.1 at a free port, in a daemon thread; returns the base URL."""
        handler = type(f"{type(self).__name__}Handler", (self.handler,), {"sim": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
