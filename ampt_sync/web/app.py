"""The runner's page as an ASGI application: routes, sign-in, sessions and security headers.

Thin, like the CLI: each route reads the store in one short transaction, hands plain data to the
pure :mod:`ampt_sync.web.views`, and renders a Jinja2 template. Nothing here calls Strava or
Garmin. The only writes are sign-in bookkeeping (a redeemed link, the session secret and the
calendar key made on first use) in ``service_state``, and the runner's instructions, recorded
through :mod:`ampt_sync.steering` as the CLI records them.

Routes: ``/`` today, ``/plan``, ``/day/YYYY-MM-DD``, ``/changes``, ``/status``, ``/charts``,
``/api/plan``, ``/api/status``, ``/calendar.ics?key=…`` (its own key), ``/healthz`` (no session),
``/signin`` (GET form, POST), ``/signout`` (POST). Every other path answers 404.

The runner's instructions (POST, with the CSRF token, under the cycle lock like the CLI):
``/day/YYYY-MM-DD/<action>`` (move, swap, skip, unwell, unwell-end, race, race-remove) and
``/undo``. FIT downloads: ``/day/YYYY-MM-DD/<file name>.fit`` and ``/week/YYYY-MM-DD.zip``
(a Monday).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ampt_sync.config import Settings
from ampt_sync.store.db import Store
from ampt_sync.web import auth

#: /healthz answers 503 when no cycle has succeeded for this long.
HEALTHY_WITHIN = timedelta(hours=26)
SESSION_COOKIE = "ampt_session"

Endpoint = Callable[[Request], Awaitable[Response]]


def _stylesheet() -> str:
    return resources.files("ampt_sync.web").joinpath("style.css").read_text(encoding="utf-8")


def content_security_policy(css: str) -> str:
    """Nothing from anywhere but this page: no scripts at all, the one stylesheet inline and
    allowed by its hash, images only as data: URIs (the favicon), forms only to ourselves."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'"
    )


@dataclass
class Page:
    """What every route needs. ``clock`` gives the aware current time (the demo's is simulated);
    ``daemon`` says whether the page runs inside ``ampt-sync run`` (for /healthz)."""

    settings: Settings
    store: Store
    config_path: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    daemon: bool = False
    throttle: auth.Throttle = field(default_factory=auth.Throttle)

    def __post_init__(self) -> None:
        from ampt_sync.config import ConfigWatch

        self._watch = ConfigWatch(self.config_path)

    def follow_config(self) -> None:
        """Read the config again when its file changed (`goal set`, `days` from the CLI), so
        that the page's instructions use the goal and run days the cycles use; a file that
        no longer reads keeps the settings in force (the daemon logs it)."""
        if not self._watch.changed() or self.config_path is None:
            return
        from ampt_sync.config import load_config
        from ampt_sync.errors import ConfigError

        try:
            self.settings = load_config(self.config_path, environ=self.environ).settings
        except ConfigError:
            return

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.settings.zone()).date()

    def base_url(self, request: Request) -> str:
        """Where the runner opens the page: ``web.base_url``, else what the request used."""
        return self.settings.web.base_url or str(request.base_url).rstrip("/")


def create_app(page: Page) -> Starlette:
    """The ASGI app over ``page.store``. The session secret is made on first use and kept."""
    with page.store.transaction() as session:
        secret = auth.session_secret(session, now=page.now())
    css = _stylesheet()
    csp = content_security_policy(css)
    env = Environment(
        loader=PackageLoader("ampt_sync.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["stylesheet"] = Markup(css)  # noqa: S704 (our own file, shipped with the package)

    from ampt_sync.web import routes

    handlers = routes.Handlers(page, env)

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def wrapper(request: Request) -> Response:
            if not signed_in(request, page.now()):
                if request.url.path.startswith("/api/"):
                    return JSONResponse(
                        {"error": "sign in first: open a link from `ampt-sync web link`"},
                        status_code=401,
                    )
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
            return await endpoint(request)

        return wrapper

    routes_ = [
        Route("/", guarded(handlers.today)),
        Route("/plan", guarded(handlers.plan)),
        Route("/day/{day}", guarded(handlers.day)),
        Route("/day/{day}/{name}", guarded(handlers.fit_file), methods=["GET"]),
        Route("/day/{day}/{action}", guarded(handlers.steer_day), methods=["POST"]),
        Route("/undo", guarded(handlers.undo), methods=["POST"]),
        Route("/plan/{action}", guarded(handlers.change_settings), methods=["POST"]),
        Route("/week/{monday}.zip", guarded(handlers.week_zip)),
        Route("/changes", guarded(handlers.changes)),
        Route("/status", guarded(handlers.status)),
        Route("/charts", guarded(handlers.charts)),
        Route("/api/plan", guarded(handlers.api_plan)),
        Route("/api/status", guarded(handlers.api_status)),
        Route("/calendar.ics", handlers.calendar_feed),
        Route("/healthz", handlers.healthz),
        Route("/signin", handlers.signin_form, methods=["GET"]),
        Route("/signin", handlers.signin, methods=["POST"]),
        Route("/signout", guarded(handlers.signout), methods=["POST"]),
    ]
    app = Starlette(
        routes=routes_,
        middleware=[
            Middleware(SecurityHeaders, csp=csp),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=int(auth.SESSION_MAX_AGE.total_seconds()),
                same_site="strict",
                https_only=page.settings.web.base_url.startswith("https://"),
            ),
        ],
        exception_handlers={404: handlers.not_found, 405: handlers.not_allowed},
    )
    return app


def signed_in(request: Request, now: datetime) -> bool:
    return auth.session_valid(request.session.get("signed_in_at"), now)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target  # browsers read "/\\host" as "//host"
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


class SecurityHeaders:
    """Adds the Content-Security-Policy and friends to every response, and ``no-store`` so a
    shared phone's back button or a proxy never shows a signed-in page from a cache."""

    def __init__(self, app: Any, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cache-control", b"no-store"),
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                present = {name for name, _ in message["headers"]}
                message["headers"].extend(h for h in self.headers if h[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Store reads and template rendering run off the event loop, so one slow page never
    holds up another request."""
    return await run_in_threadpool(function, *args)


def html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code)
