"""``ampt-sync web``: serve the runner's page alone, and manage who may open it.

``web`` serves the page in the foreground (``ampt-sync run`` serves it beside its jobs);
``web password`` sets the page's password; ``web link`` prints a one-time sign-in link (or, with
``--calendar``, the calendar feed's address); ``web new-calendar-key`` replaces the feed's key.
The link and the feed address go to stdout only, because showing them is the command's purpose;
they are never logged.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ampt_sync.cli.base import UNATTENDED, app, command_group, err, load, out
from ampt_sync.errors import ConfigError

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.store.db import Store
    from ampt_sync.web.serve import Listen

web_app = command_group(
    help="The runner's page. `ampt-sync web` alone serves it in the foreground until Ctrl-C "
    "(on `web.listen`, without the daemon's jobs); the subcommands set its password and print "
    "sign-in links.",
    invoke_without_command=True,
)
app.add_typer(web_app, name="web", rich_help_panel=UNATTENDED)


def _store(settings: Settings) -> Store:
    from ampt_sync.store.db import open_store

    return open_store(settings.database_url())


def _listen(settings: Settings) -> Listen:
    from ampt_sync.web.serve import listen_of

    listen = listen_of(settings)
    if listen is None:
        raise ConfigError(
            'web.listen is "" (the page is off); set it, e.g. listen = "127.0.0.1:8765" under '
            "[web], to serve the page"
        )
    return listen


@web_app.callback()
def web(ctx: typer.Context) -> None:
    """Serve the runner's page in the foreground until Ctrl-C (without the daemon's jobs).

    It listens on `web.listen` (default 127.0.0.1:8765) and reads the same store as the CLI; it
    never calls Strava or Garmin. Off loopback it needs a password (`ampt-sync web password`).
    """
    if ctx.invoked_subcommand is not None:
        return
    from ampt_sync.web.app import Page
    from ampt_sync.web.serve import check_may_listen, page_address, serve_foreground

    loaded = load(ctx)
    settings = loaded.settings
    listen = _listen(settings)
    store = _store(settings)
    try:
        check_may_listen(listen, store)
        err().print(
            f"serving the page at {page_address(settings, listen)} until Ctrl-C; "
            "`ampt-sync web link` prints a sign-in link"
        )
        serve_foreground(Page(settings=settings, store=store, config_path=loaded.path), listen)
    finally:
        store.close()


@web_app.command("password")
def password(
    ctx: typer.Context,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the password from standard input (one line).")
    ] = False,
) -> None:
    """Set the page's password (asked twice in a terminal, or read from --stdin).

    Only a salted scrypt hash is stored, in the database; never in the config.
    """
    from ampt_sync.web import auth

    settings = load(ctx).settings
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        value = typer.prompt("New password for the page", hide_input=True)
        if typer.prompt("Again", hide_input=True) != value:
            raise ConfigError("web password: the two entries differ; nothing was changed")
    else:
        raise ConfigError(
            "web password: no terminal to ask in; pipe it in with --stdin "
            "(e.g. `ampt-sync web password --stdin < file`)"
        )
    problem = auth.password_problem(value)
    if problem is not None:
        raise ConfigError(f"web password: {problem}; nothing was changed")
    store = _store(settings)
    try:
        with store.transaction() as session:
            auth.set_password(session, value, now=datetime.now(UTC))
    finally:
        store.close()
    err().print("the page's password is set; it is needed on the next sign-in")


@web_app.command("link")
def link(
    ctx: typer.Context,
    calendar: Annotated[
        bool,
        typer.Option("--calendar", help="Print the calendar feed's address instead."),
    ] = False,
) -> None:
    """Print a sign-in link for the page: it works once, within 10 minutes.

    Run it over SSH and open the link on your phone. With --calendar, print the address of the
    calendar feed (for a phone's calendar or a home dashboard), which keeps working until
    `ampt-sync web new-calendar-key`.
    """
    from ampt_sync.web import auth
    from ampt_sync.web.serve import page_address

    loaded = load(ctx)
    settings = loaded.settings
    listen = _listen(settings)
    address = page_address(settings, listen)
    now = datetime.now(UTC)
    store = _store(settings)
    try:
        with store.transaction() as session:
            if calendar:
                key = auth.calendar_key(session, now=now)
            else:
                token = auth.new_sign_in_token(session, now=now)
    finally:
        store.close()
    if calendar:
        out().print(f"{address}/calendar.ics?key={key}")
        err().print("keep this address private: anyone with it can read the plan")
    else:
        out().print(f"{address}/signin?token={token}")
        err().print("open it within 10 minutes; it works once")


@web_app.command("new-calendar-key")
def new_calendar_key(ctx: typer.Context) -> None:
    """Replace the calendar feed's key: subscriptions to the old address stop updating.

    Print the new address with `ampt-sync web link --calendar`.
    """
    from ampt_sync.web import auth

    settings = load(ctx).settings
    store = _store(settings)
    try:
        with store.transaction() as session:
            auth.new_calendar_key(session, now=datetime.now(UTC))
    finally:
        store.close()
    err().print(
        "the calendar feed has a new key; `ampt-sync web link --calendar` prints its address"
    )
