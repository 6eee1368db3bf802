"""Strava commands: ``auth strava``, ``pull``, ``disconnect strava``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ampt_sync.cli.base import SERVICES, OutputFormat, app, emit_json, err, load, out
from ampt_sync.cli.groups import auth_app, disconnect_app
from ampt_sync.errors import AmptSyncError, AuthError, ConfigError, RateLimited
from ampt_sync.service_names import SOURCE_NAMES

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.strava.sync import PullReport

#: How long ``auth strava --listen`` waits for the browser.
LISTEN_TIMEOUT_S = 600.0


def _client_id(settings: Settings) -> int:
    from ampt_sync.strava.client import SETTINGS_PAGE

    if settings.strava.client_id is None:
        raise ConfigError(
            f"strava.client_id is not set; add the Client ID shown at {SETTINGS_PAGE} to the "
            "[strava] table of the config file (or rerun `ampt-sync init`)"
        )
    return settings.strava.client_id


# ------------------------------------------------------------------------------------------------
# auth strava


@auth_app.command("strava")
def auth_strava(
    ctx: typer.Context,
    listen: Annotated[
        int | None,
        typer.Option(
            "--listen",
            metavar="PORT",
            help="Wait for the browser on 127.0.0.1:PORT (reach it with "
            "`ssh -L PORT:127.0.0.1:PORT this-server`) instead of pasting the address back.",
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            metavar="CODE",
            help="Exchange a code (or the whole redirected address) obtained by hand; no prompts.",
        ),
    ] = None,
) -> None:
    """Connect ampt-sync to your Strava account (one time).

    Prints Strava's consent page; approve it in any browser. By default you then paste back the
    address the browser was sent to (it starts http://localhost/exchange_token and does not load;
    that is expected). The client secret comes from $CREDENTIALS_DIRECTORY/strava-client-secret,
    $AMPT_SYNC_STRAVA_CLIENT_SECRET or the token store; when none is found, it is asked for
    (hidden) and stored in the token store.
    """
    from ampt_sync.logs import register_secret
    from ampt_sync.secrets import STRAVA_CLIENT_SECRET, open_token_store
    from ampt_sync.strava import oauth
    from ampt_sync.strava.client import (
        MISSING_SECRET,
        SETTINGS_PAGE,
        base_url_from_env,
        read_client_secret,
        save_tokens,
    )

    if listen is not None and code is not None:
        raise ConfigError("auth strava: give --listen or --code, not both")
    settings = load(ctx).settings
    client_id = _client_id(settings)
    base_url = base_url_from_env()
    token_store = open_token_store(settings.secrets.backend, settings.state_dir())

    found = read_client_secret(token_store)
    prompted = False
    if found is not None:
        secret = found[0]
    elif code is None and sys.stdin.isatty():
        secret = typer.prompt(
            f"Strava Client Secret (shown at {SETTINGS_PAGE})", hide_input=True
        ).strip()
        register_secret(secret)
        prompted = True
        if not secret:
            raise AuthError("no client secret given; " + MISSING_SECRET)
    else:
        raise AuthError(MISSING_SECRET)

    if code is not None:
        grant = oauth.grant_from_code(code)
    elif listen is not None:
        state = oauth.new_state()
        server = oauth.CallbackServer(listen, state)
        url = oauth.authorization_url(client_id, server.redirect_uri, state, base_url=base_url)
        err().print(
            f"1. On your computer, forward the port: ssh -L {server.port}:127.0.0.1:{server.port} "
            "<this server>"
        )
        err().print("2. Open this address in its browser and approve ampt-sync:")
        err().print(f"   {url}")
        err().print(f"Waiting for the browser (up to {LISTEN_TIMEOUT_S / 60:g} minutes)…")
        grant = server.wait(LISTEN_TIMEOUT_S)
    else:
        state = oauth.new_state()
        url = oauth.authorization_url(client_id, oauth.PASTE_REDIRECT_URI, state, base_url=base_url)
        err().print("1. Open this address in any browser and approve ampt-sync:")
        err().print(f"   {url}")
        err().print(
            f"2. The browser then goes to {oauth.PASTE_REDIRECT_URI}?… and shows an error page; "
            "that is expected. Copy that whole address from the address bar and paste it here."
        )
        pasted = typer.prompt("Address", prompt_suffix=": ", err=True)
        grant = oauth.parse_redirect(pasted, state)

    tokens = oauth.exchange_code(
        client_id=client_id, client_secret=secret, grant=grant, base_url=base_url
    )
    with token_store.locked():
        save_tokens(token_store, tokens)
        if prompted:
            token_store.set(STRAVA_CLIENT_SECRET, secret)
    scope = tokens.scope or "unknown"
    out().print(f"Connected to Strava as athlete {tokens.athlete_id} (scope: {scope}).")
    if not tokens.scope:
        err().print(
            "the granted scope is unknown with a bare --code; give --code the whole redirected "
            "address to have it checked (private runs need activity:read_all)"
        )
    where = token_store.description
    err().print(f"tokens stored in {where}{'; client secret stored too' if prompted else ''}")
    err().print("next: `ampt-sync pull`")


# ------------------------------------------------------------------------------------------------
# pull


def _summary(report: PullReport, settings: Settings) -> list[str]:
    service = SOURCE_NAMES.get(settings.activities.source, "Strava")
    window = ""
    if report.window_start is not None:
        window = f" started since {report.window_start.astimezone(settings.zone()):%Y-%m-%d}"
    kind = " (backfill)" if report.backfill else ""
    lines = [
        f"{service}: {report.fetched} activities{window}{kind}: {report.created} new, "
        f"{report.updated} updated, {report.deleted} deleted, {report.unchanged} unchanged; "
        f"{report.runs} runs, {report.cross_training} cross-training",
        f"details fetched: {report.details_fetched}; API requests: {report.api_calls}",
    ]
    if report.skipped:
        lines.append(f"skipped {len(report.skipped)}:")
        lines.extend(f"  - {skipped.reason}" for skipped in report.skipped)
    return lines


@app.command(rich_help_panel=SERVICES)
def pull(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="List activities from this local date (inclusive), e.g. 2026-09-01, instead of "
            "from the last pull.",
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Fetch new, edited and deleted activities from Strava (or Garmin Connect, or intervals.icu,
    with [activities] source = "garmin" or "intervals") into the local store.

    The first pull fetches the last strava.backfill_days days; later pulls start three days
    before the newest activity seen. Exits 75 when the service's rate limit stops it: what was
    fetched is kept, and the next pull resumes.
    """
    from ampt_sync.secrets import open_token_store
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.db import open_store
    from ampt_sync.strava.client import build_client
    from ampt_sync.strava.sync import PullReport
    from ampt_sync.strava.sync import pull as run_pull

    settings = load(ctx).settings
    since_day = None
    if since is not None:
        try:
            since_day = date.fromisoformat(since)
        except ValueError:
            raise ConfigError(
                f"--since: found {since!r}, expected a date such as 2026-09-01"
            ) from None
    if settings.activities.source in ("garmin", "intervals"):
        _pull_other_source(settings, since_day, output)
        return
    _client_id(settings)
    token_store = open_token_store(settings.secrets.backend, settings.state_dir())
    client = build_client(settings, token_store)
    store = open_store(settings.database_url())
    report = PullReport()
    try:
        with cycle_lock(settings), _progress_bar() as progress:
            run_pull(client, store, settings, since=since_day, report=report, progress=progress)
    except AmptSyncError as error:
        if output is OutputFormat.json:
            emit_json(_json(report, error))
        elif report.pages or report.details_fetched:  # say what was kept before it stopped
            for line in _summary(report, settings):
                err().print(line)
        raise
    finally:
        store.close()
        client.close()
    if output is OutputFormat.json:
        emit_json(_json(report, None))
    else:
        for line in _summary(report, settings):
            out().print(line)


def _pull_other_source(settings: Settings, since_day: date | None, output: OutputFormat) -> None:
    """`pull` with ``[activities] source = "garmin"`` or ``"intervals"``: the same report, from
    Garmin Connect with the sign-in `auth garmin` stored, or from intervals.icu with the key
    `auth intervals` stored (no Strava involved)."""
    from datetime import UTC, datetime

    from ampt_sync.pulls import PullReport

    if settings.activities.source == "intervals":
        from ampt_sync.intervals.activities import run_pull as run_source_pull
    else:
        from ampt_sync.garmin.activities import run_pull as run_source_pull  # type: ignore[assignment]
    from ampt_sync.secrets import open_token_store
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.db import open_store

    token_store = open_token_store(settings.secrets.backend, settings.state_dir())
    store = open_store(settings.database_url())
    report = PullReport()
    try:
        with cycle_lock(settings), _progress_bar() as progress:
            run_source_pull(
                settings,
                store,
                token_store,
                now=lambda: datetime.now(UTC),
                since=since_day,
                report=report,
                progress=progress,
            )
    except AmptSyncError as error:
        if output is OutputFormat.json:
            emit_json(_json(report, error))
        elif report.pages or report.details_fetched:
            for line in _summary(report, settings):
                err().print(line)
        raise
    finally:
        store.close()
    if output is OutputFormat.json:
        emit_json(_json(report, None))
    else:
        for line in _summary(report, settings):
            out().print(line)


def _json(report: PullReport, error: AmptSyncError | None) -> dict[str, Any]:
    document = report.to_json()
    document["error"] = None if error is None else str(error)
    document["retry_at"] = error.retry_at.isoformat() if isinstance(error, RateLimited) else None
    return document


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int | None], None]]:
    """A transient Rich progress bar on stderr while listing and fetching details (drawn only
    when stderr is a terminal); yields the ``progress`` callback for the pull."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = err()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int | None) -> None:
        if phase not in tasks:
            label = "listing activities" if phase == "list" else "fetching details"
            tasks[phase] = bar.add_task(label, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        yield update


# ------------------------------------------------------------------------------------------------
# disconnect strava


@disconnect_app.command("strava")
def disconnect_strava(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
    local_only: Annotated[
        bool,
        typer.Option(
            "--local-only",
            help="Do not contact Strava (revoke ampt-sync on strava.com/settings/apps yourself); "
            "only delete the local tokens and data.",
        ),
    ] = False,
) -> None:
    """Revoke ampt-sync's access at Strava, then delete the Strava tokens and every Strava
    activity from this machine, as Strava's API agreement requires."""
    from ampt_sync.secrets import open_token_store
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.activities import count_activities
    from ampt_sync.store.db import open_store
    from ampt_sync.strava.disconnect import disconnect

    settings = load(ctx).settings
    token_store = open_token_store(settings.secrets.backend, settings.state_dir())
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            stored = count_activities(session)
        err().print(
            (
                "This deletes"
                if local_only
                else "This revokes ampt-sync's access at Strava, then deletes"
            )
            + f" the Strava tokens and client secret from {token_store.description}, the "
            f"{stored} stored activities and the Strava sync cursors."
        )
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError("disconnect strava: add --yes to do it without a prompt")
            if not typer.confirm("Disconnect Strava?", default=False):
                raise typer.Exit(1)
        with cycle_lock(settings):
            report = disconnect(settings, store, token_store, local_only=local_only)
    finally:
        store.close()
    for line in report.lines():
        out().print(line)
