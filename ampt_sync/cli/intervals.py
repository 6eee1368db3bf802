"""intervals.icu commands: ``auth intervals``, ``disconnect intervals``, and ``push`` when
``[delivery] target = "intervals"`` (``ampt_sync/cli/garmin.py``'s ``push`` hands over here)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ampt_sync.cli.base import OutputFormat, err, finish_push, load, open_stores, out
from ampt_sync.cli.groups import auth_app, disconnect_app
from ampt_sync.errors import ConfigError, RemoteError

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.intervals.push import IntervalsPushReport


def stdin_is_a_terminal() -> bool:
    """Whether the key can be asked for (hidden) here; a function so tests can say it is one."""
    return sys.stdin.isatty()


@auth_app.command("intervals")
def auth_intervals(
    ctx: typer.Context,
    athlete_id: Annotated[
        str | None,
        typer.Option(
            "--athlete-id",
            metavar="ID",
            help="Your intervals.icu athlete id, e.g. i12345 (else asked).",
        ),
    ] = None,
    from_stdin: Annotated[
        bool,
        typer.Option(
            "--stdin",
            help="Read the API key from the first line of standard input instead of asking "
            "(needs --athlete-id).",
        ),
    ] = False,
) -> None:
    """Connect intervals.icu: its athlete id and API key, checked with one read.

    Both are on intervals.icu under Settings → Developer Settings. The key goes into the token
    store, never into the config or a log. It asks for the key hidden, so it needs a terminal,
    unless --stdin. Then set `[delivery] target = "intervals"` in the config so that the plan goes
    there, and enable "upload planned workouts" for your watch on intervals.icu; and/or
    `[activities] source = "intervals"` so that your runs are read from there.
    """
    from ampt_sync.intervals.client import (
        IntervalsClient,
        base_url_from,
        check_api_key,
        check_athlete_id,
    )
    from ampt_sync.intervals.credentials import IntervalsCredentials, save_credentials
    from ampt_sync.secrets import open_token_store

    settings = load(ctx).settings
    if from_stdin:
        if athlete_id is None:
            raise ConfigError(
                "auth intervals --stdin reads only the key; give the athlete id with "
                "--athlete-id ID (e.g. i12345)"
            )
        key = sys.stdin.readline()
    else:
        if not stdin_is_a_terminal():
            raise ConfigError(
                "auth intervals asks for your API key, so it needs a terminal: run it in one "
                "(over ssh: `ssh -t`), or pipe the key in with --stdin --athlete-id ID"
            )
        if athlete_id is None:
            athlete_id = typer.prompt("intervals.icu athlete id (e.g. i12345)")
        key = typer.prompt("intervals.icu API key (hidden)", hide_input=True)
    credentials = IntervalsCredentials(check_athlete_id(athlete_id), check_api_key(key))
    del key
    with IntervalsClient(
        credentials.athlete_id, credentials.api_key, base_url=base_url_from(os.environ)
    ) as client:
        athlete = client.athlete()
    token_store = open_token_store(settings.secrets.backend, settings.state_dir())
    save_credentials(token_store, credentials)
    name = str(athlete.get("name") or "").strip()
    who = f"{credentials.athlete_id} ({name})" if name else credentials.athlete_id
    err().print(
        f"intervals.icu connected for athlete {who}; the key is in {token_store.description}"
    )
    if settings.activities.source == "intervals":
        err().print("Next: `ampt-sync pull` reads your runs from intervals.icu")
    if settings.delivery.target == "intervals":
        err().print("Next: `ampt-sync push`")
    elif settings.activities.source != "intervals":
        err().print(
            'Next: set `target = "intervals"` under [delivery] in the config to send the plan '
            "there (it is now sent to " + settings.delivery.target + ")"
        )


# ------------------------------------------------------------------------------------------------
# push (called by `ampt-sync push` when delivery.target = "intervals")


def _table(rows: list[tuple[str, str, str, str]]) -> Any:
    from rich.table import Table

    table = Table(title="intervals.icu changes", title_justify="left")
    for column in ("change", "day", "workout", "detail"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


def push_to_intervals(settings: Settings, *, dry_run: bool, output: OutputFormat) -> None:
    """``ampt-sync push`` with ``[delivery] target = "intervals"``."""
    from ampt_sync.intervals.push import push_plan
    from ampt_sync.service import cycle_lock, plan_to_push

    store, token_store = open_stores(settings)
    today = datetime.now(settings.zone()).date()
    text = output is not OutputFormat.json

    def show(rows: list[tuple[str, str, str, str]]) -> None:
        if not text:
            return
        if rows:
            out().print(_table(rows))
        else:
            out().print(
                f"intervals.icu already holds the plan for {today} to the next "
                f"{settings.sync.horizon_days} days."
            )

    try:
        with cycle_lock(settings):
            plan = plan_to_push(store, settings, today, now=datetime.now(UTC), dry_run=dry_run)
            report = push_plan(
                plan, today, settings, store, token_store, dry_run=dry_run, on_plan=show
            )
    finally:
        store.close()
    _finish(report, text=text)


def _finish(report: IntervalsPushReport, *, text: bool) -> None:
    finish_push(
        report.as_dict(),
        changes=len(report.planned if report.dry_run else report.applied),
        dry_run=report.dry_run,
        calls=report.api_calls,
        errors=report.errors,
        service="intervals.icu",
        text=text,
    )


# ------------------------------------------------------------------------------------------------
# disconnect intervals


@disconnect_app.command("intervals")
def disconnect_intervals(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
) -> None:
    """Delete the workouts ampt-sync put on intervals.icu from today on, then forget its key.

    Your own events, and the workouts of days gone by, are left alone.
    """
    from ampt_sync.intervals.calendar import IntervalsCalendar
    from ampt_sync.intervals.credentials import open_intervals
    from ampt_sync.intervals.ledger import IntervalsLedger
    from ampt_sync.intervals.push import push_events
    from ampt_sync.secrets import INTERVALS_KEY
    from ampt_sync.service import cycle_lock

    settings = load(ctx).settings
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError("disconnect intervals: add --yes to proceed without a prompt")
        if not typer.confirm(
            "Delete ampt-sync's workouts from intervals.icu and forget its API key?",
            default=False,
        ):
            raise typer.Exit(1)
    store, token_store = open_stores(settings)
    today: date = datetime.now(settings.zone()).date()
    try:
        with cycle_lock(settings), open_intervals(token_store) as client:
            # An empty plan for the window: every event of ours there goes.
            report = push_events(
                [],
                today,
                settings.sync.horizon_days,
                IntervalsCalendar(client),
                IntervalsLedger(store),
            )
        if report.errors:
            raise RemoteError(
                f"{report.errors[0]}; the key is kept so that you can run "
                "`ampt-sync disconnect intervals` again"
            )
        IntervalsLedger(store).replace({})
        token_store.delete(INTERVALS_KEY)
    finally:
        store.close()
    err().print(
        f"deleted {len(report.applied)} workout(s) ampt-sync had put on intervals.icu and forgot "
        "its key; intervals.icu is disconnected"
    )
