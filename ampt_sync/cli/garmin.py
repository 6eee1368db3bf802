"""Garmin commands: ``auth garmin``, ``push``, ``disconnect garmin``.

``push`` pushes the plan a cycle would push (:func:`ampt_sync.service.plan_to_push`): the stored
plan brought up to date with the stored activities, without the days of a pause.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ampt_sync.cli.base import (
    SERVICES,
    OutputFormat,
    app,
    err,
    finish_push,
    load,
    open_stores,
    out,
)
from ampt_sync.cli.groups import auth_app, disconnect_app
from ampt_sync.errors import ConfigError, RemoteError

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.garmin.push_report import PushReport
    from ampt_sync.garmin.reconcile import Action


def _today(settings: Settings) -> date:
    return datetime.now(settings.zone()).date()


# ------------------------------------------------------------------------------------------------
# auth garmin


def stdin_is_a_terminal() -> bool:
    """Whether the password can be asked for (hidden) here. A function, so that the tests that
    type the answers through Click's runner (whose stdin is no terminal) can say it is one."""
    return sys.stdin.isatty()


@auth_app.command("garmin")
def auth_garmin(
    ctx: typer.Context,
    import_tokens: Annotated[
        Path | None,
        typer.Option(
            "--import-tokens",
            metavar="FILE",
            help="Store an existing garminconnect token file (garmin_tokens.json, or its folder) "
            "instead of signing in.",
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Garmin account email (else asked).")
    ] = None,
) -> None:
    """Sign in to Garmin Connect once; only the tokens are kept, never the password.

    Asks for the password (hidden) and, when Garmin wants one, the MFA code, so it needs a
    terminal (else use --import-tokens). Run it again whenever `ampt-sync status` says Garmin
    needs a re-login; the daemon never signs in by itself. If Garmin answers "too many requests",
    wait a few hours before trying again. On a network problem it says so in one line (the Garmin
    library's own messages only with --verbose).
    """
    from ampt_sync.garmin import auth

    settings = load(ctx).settings
    if import_tokens is None and not stdin_is_a_terminal():
        raise ConfigError(
            "auth garmin asks for your Garmin password, so it needs a terminal: run it in one "
            "(over ssh: `ssh -t`), or store an existing token file with --import-tokens FILE"
        )
    store, token_store = open_stores(settings)
    try:
        if import_tokens is not None:
            source = auth.import_tokens(token_store, import_tokens.expanduser(), store=store)
            err().print(f"Garmin tokens imported from {source} into {token_store.description}")
            return
        if email is None:
            email = typer.prompt("Garmin email").strip()
        password = typer.prompt("Garmin password (not stored)", hide_input=True)
        auth.sign_in(
            token_store,
            email,
            password,
            lambda: typer.prompt("Garmin MFA code"),
            strategy=auth.default_strategy(),
            store=store,
        )
        del password
    finally:
        store.close()
    err().print(
        f"Garmin connected; its tokens are in {token_store.description} (the password was "
        "not stored). Next: `ampt-sync push`"
    )


# ------------------------------------------------------------------------------------------------
# push


def _table(actions: list[Action]) -> Any:
    from rich.table import Table

    from ampt_sync.garmin.push_report import describe
    from ampt_sync.garmin.reconcile import Adopt

    table = Table(title="Garmin changes", title_justify="left")
    for column in ("change", "day", "workout", "detail"):
        table.add_column(column)
    for action in actions:
        if not isinstance(action, Adopt):
            table.add_row(*describe(action))
    return table


@app.command(rich_help_panel=SERVICES)
def push(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change on Garmin; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Push even when Garmin shows none of the workouts put there before."
        ),
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Put the next `sync.horizon_days` days of the plan on Garmin Connect (or intervals.icu).

    Brings the stored plan up to date first, shows the changes, then makes them. Only workouts
    ampt-sync created are ever changed; a second push with nothing new writes nothing. With
    `[delivery] target = "intervals"` the plan goes to intervals.icu instead (--force does not
    apply there); with "none" there is nothing to push.
    """
    from ampt_sync.garmin.push import run_push
    from ampt_sync.service import cycle_lock, plan_to_push

    settings = load(ctx).settings
    if settings.delivery.target == "intervals":
        from ampt_sync.cli.intervals import push_to_intervals

        push_to_intervals(settings, dry_run=dry_run, output=output)
        return
    if settings.delivery.target == "none":
        raise ConfigError(
            'delivery.target = "none": nothing is pushed; use `ampt-sync export fit`, or set '
            'target = "garmin" or "intervals" under [delivery]'
        )
    store, token_store = open_stores(settings)
    today = _today(settings)
    horizon = settings.sync.horizon_days
    text = output is not OutputFormat.json

    def show(actions: list[Action]) -> None:
        if not text:
            return
        if any(type(a).__name__ != "Adopt" for a in actions):
            out().print(_table(actions))
        else:
            out().print(f"Garmin already holds the plan for {today} to the next {horizon} days.")

    try:
        with cycle_lock(settings):
            plan = plan_to_push(store, settings, today, now=datetime.now(UTC), dry_run=dry_run)
            report = run_push(
                plan,
                today,
                settings,
                store,
                token_store,
                dry_run=dry_run,
                force=force,
                on_plan=show,
            )
    finally:
        store.close()
    _finish(report, text=text)


def _finish(report: PushReport, *, text: bool) -> None:
    actions = report.actions if report.dry_run else report.applied
    finish_push(
        report.as_dict(),
        changes=sum(1 for a in actions if type(a).__name__ != "Adopt"),
        dry_run=report.dry_run,
        calls=report.api_calls,
        errors=report.errors,
        service="Garmin",
        text=text,
    )


# ------------------------------------------------------------------------------------------------
# disconnect garmin


@disconnect_app.command("garmin")
def disconnect_garmin(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
) -> None:
    """Remove every workout and calendar entry ampt-sync put on Garmin, then its tokens.

    Your own workouts and calendar entries are left alone. Needs working tokens; if Garmin asks
    for a re-login, run `ampt-sync auth garmin` first.
    """
    from ampt_sync.garmin.calendar import GarminCalendar
    from ampt_sync.garmin.client import clear_relogin_needed, open_garmin, write_interval_s
    from ampt_sync.garmin.push import disconnect
    from ampt_sync.secrets import GARMIN_TOKENS
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.ledger import GarminLedger

    settings = load(ctx).settings
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError("disconnect garmin: add --yes to proceed without a prompt")
        if not typer.confirm(
            "Remove every workout ampt-sync put on Garmin, and forget the Garmin tokens?",
            default=False,
        ):
            raise typer.Exit(1)
    store, token_store = open_stores(settings)
    try:
        with cycle_lock(settings), open_garmin(token_store, store=store) as session:
            report = disconnect(
                GarminCalendar(session),
                GarminLedger(store),
                _today(settings),
                settings.sync.horizon_days,
                write_interval_s=write_interval_s(
                    settings.sync.garmin_write_interval_s, session.base_url
                ),
            )
        if report.errors:
            raise RemoteError(
                f"{report.errors[0]}; the tokens are kept so that you can run "
                "`ampt-sync disconnect garmin` again"
            )
        token_store.delete(GARMIN_TOKENS)
        clear_relogin_needed(store)
    finally:
        store.close()
    removed = sum(1 for a in report.applied if type(a).__name__ == "Remove")
    err().print(
        f"removed {removed} workout(s) ampt-sync had put on Garmin and forgot the Garmin "
        "tokens; Garmin is disconnected"
    )
