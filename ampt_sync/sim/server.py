"""Serving a simulator on loopback: what the simulated Strava, Garmin Connect and intervals.icu
share.

A :class:`LoopbackSim` serves itself on ``127.0.0.1`` at a free port, from a daemon thread, for
as long as it is started (or inside ``with``). Its request handler class must derive from
:class:`SimHandler`, which answers without Nagle's delay and keeps quiet (the simulators keep their
own request logs, with no secrets in them). :class:`JsonHandler` serves a simulator's ``handle``
answers (:class:`Reply`, :class:`Raw`, :class:`Abort`); :class:`Fault` and :func:`take_fault`
are the injected faults, :class:`Request` the log's entries.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from dataclasses import dataclass
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


#: Requests that change something (a fault can be limited to them).
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})


@dataclass
class Fault:
    """One injected fault: applied to the next ``times`` requests matching ``method``/``path``
    (a regular expression searched in the path), after skipping ``after`` matching ones."""

    kind: str
    status: int = 500
    method: str | None = None
    path: str | None = None
    times: int = 1
    after: int = 0
    delay_s: float = 1.0
    retry_after_s: int | None = None
    body: str = ""
    content_type: str = "application/json"

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


def take_fault(faults: list[Fault], method: str, path: str) -> Fault | None:
    """The first fault still due for this request (one of its ``times`` used up), or None.
    The caller holds its simulator's lock."""
    for fault in faults:
        if fault.times > 0 and fault.matches(method, path):
            if fault.after > 0:
                fault.after -= 1
                continue
            fault.times -= 1
            return fault
    return None


@dataclass(frozen=True)
class Request:
    """One request as the sim saw it."""

    method: str
    path: str
    status: int | None
    fault: str | None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class Abort(Exception):
    """Drop the connection without an answer."""


@dataclass(frozen=True)
class Raw:
    """An answer body sent as it is (not JSON-encoded)."""

    text: str
    content_type: str


class Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class JsonHandler(SimHandler):
    """Serves whatever ``sim.handle(method, target, headers, body)`` answers: ``(status,
    payload, headers)`` with a JSON payload or a :class:`Raw` one; drops the connection on
    :class:`Abort`. The Garmin Connect and intervals.icu simulators serve through it."""

    sim: Any

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, payload, extra = self.sim.handle(self.command, self.path, self.headers, body)
        except Abort:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        content_type = "application/json"
        if isinstance(payload, Raw):
            data, content_type = payload.text.encode(), payload.content_type
        else:
            data = b"" if payload is None or status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve
