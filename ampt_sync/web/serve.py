"""Serving the page: beside the daemon's jobs in a thread of its own, or alone in the foreground.

uvicorn runs the app on its own asyncio loop. Inside ``ampt-sync run`` that loop lives in a
daemon thread, so a slow or failing page never holds up a cycle (the scheduler's worker) or the
watchdog (its own executor); the page reads the store through its own engine and takes no lock
the cycle takes. uvicorn installs no signal handlers off the main thread, so SIGTERM stays the
daemon's.

Access logs are off: a request line can hold a sign-in token or the calendar key, and neither
may reach a log.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from dataclasses import dataclass

import uvicorn

from ampt_sync.config import Settings
from ampt_sync.errors import ConfigError
from ampt_sync.store.db import Store
from ampt_sync.web import auth
from ampt_sync.web.app import Page, create_app

log = logging.getLogger(__name__)

UNSPECIFIED_HOSTS = ("0.0.0.0", "::")  # noqa: S104 (names of "every address", compared only)


@dataclass(frozen=True)
class Listen:
    host: str
    port: int


def listen_of(settings: Settings) -> Listen | None:
    """Where ``web.listen`` says to serve, or ``None`` when the page is off."""
    pair = settings.web.host_port()
    return None if pair is None else Listen(*pair)


def check_may_listen(listen: Listen, store: Store, *, source: str = "web.listen") -> None:
    """Off loopback, the page needs a password: ``ConfigError`` (exit 78) saying how to set one."""
    if auth.is_loopback(listen.host):
        return
    with store.transaction() as session:
        if auth.password_is_set(session):
            return
    raise ConfigError(
        f"{source} is {listen.host}:{listen.port}, reachable from other machines, and the page "
        "has no password; set one with `ampt-sync web password` (or listen on "
        '"127.0.0.1:8765")'
    )


def page_address(settings: Settings, listen: Listen) -> str:
    """The address a runner opens: ``web.base_url`` if set, else from ``web.listen`` (with this
    machine's host name when it listens on every address)."""
    if settings.web.base_url:
        return settings.web.base_url
    host = listen.host
    if host in UNSPECIFIED_HOSTS:
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{listen.port}"


def make_server(page: Page, listen: Listen) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(page),
        host=listen.host,
        port=listen.port,
        access_log=False,
        log_level="warning",
        log_config=None,  # keep ours: the daemon's logging (journald) stays as it is
        lifespan="off",
        ws="none",  # the page has no websockets; "auto" would load wsproto for nothing
        server_header=False,
        proxy_headers=True,  # the client address behind a reverse proxy, for the throttle
        forwarded_allow_ips="127.0.0.1,::1",
    )
    return uvicorn.Server(config)


def _ignore(_signum: int, _frame: object) -> None:
    """A stop that uvicorn has already carried out."""


class PageThread:
    """The page in a daemon thread: :meth:`start` returns once it listens (or raises),
    :meth:`stop` asks it to finish and waits a little."""

    def __init__(self, page: Page, listen: Listen) -> None:
        self.listen = listen
        self.server = make_server(page, listen)
        self._thread = threading.Thread(target=self._run, name="ampt-sync-page", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run()
        except BaseException as exc:  # reported by start(); the daemon goes on without a page
            self._error = exc

    def start(self, timeout_s: float = 10.0) -> None:
        self._thread.start()
        waited = 0.0
        while not self.server.started and self._thread.is_alive() and waited < timeout_s:
            self._thread.join(0.05)
            waited += 0.05
        if not self.server.started:
            self.server.should_exit = True
            raise ConfigError(
                f"web.listen: cannot serve the page on {self.listen.host}:{self.listen.port} "
                f"({self._error or 'the address is in use or not on this machine'}); choose "
                'another port, or "" for no page'
            )
        log.info("the runner's page listens on %s:%s", self.listen.host, self.listen.port)

    def stop(self, timeout_s: float = 5.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout_s)


def serve_foreground(page: Page, listen: Listen) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn's own handlers, in the main thread), then return.

    uvicorn raises the signal again once it has shut down, for the handler that was there
    before; a no-op one is put there for the while, so that a stop is a clean exit 0."""
    server = make_server(page, listen)
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with contextlib.suppress(SystemExit):  # uvicorn's way of saying it could not bind
            server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise ConfigError(
            f"web.listen: cannot serve the page on {listen.host}:{listen.port} (the address is "
            'in use or not on this machine); choose another port, or "" for no page'
        )
