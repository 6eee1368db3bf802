"""Running unattended: ``run`` (the daemon), ``sync`` (one cycle by hand), ``pause``, ``resume``."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ampt_sync.cli.base import UNATTENDED, OutputFormat, app, app_state, emit_json, err, load, out
from ampt_sync.errors import EX_CONFIG, EX_SOFTWARE, EX_TEMPFAIL, ConfigError
from ampt_sync.service_names import ROAD_NAMES

if TYPE_CHECKING:
    from pathlib import Path

    from ampt_sync.config import Settings
    from ampt_sync.service import CycleReport
    from ampt_sync.store.db import Store
    from ampt_sync.web.serve import PageThread

#: Exit code of `sync` by the cycle's result (:data:`ampt_sync.cycle.report.RESULTS`): the same
#: mapping as every other command's errors (:mod:`ampt_sync.errors`), plus 130 for Ctrl-C.
EXIT_BY_RESULT = {
    "ok": 0,
    "temporary": EX_TEMPFAIL,
    "rate_limited": EX_TEMPFAIL,
    "busy": EX_TEMPFAIL,
    "interrupted": 130,
    "auth": EX_CONFIG,
    "config": EX_CONFIG,
    "error": EX_SOFTWARE,
}


@app.command(rich_help_panel=UNATTENDED)
def run(ctx: typer.Context) -> None:
    """Run the daemon: push every morning, adapt every evening, poll Strava in between.

    Meant for systemd (Type=notify; see systemd/ampt-sync.service). Stops cleanly on SIGTERM or
    Ctrl-C, reloads the config on SIGHUP. It also serves the runner's page on `web.listen`
    (default 127.0.0.1:8765; "" for none) in a thread of its own.
    """
    from ampt_sync.config import ConfigWatch, load_config
    from ampt_sync.daemon import Daemon
    from ampt_sync.service import CycleDeps, daemon_cycle
    from ampt_sync.store import state
    from ampt_sync.store.db import open_store

    loaded = load(ctx)
    config_path, settings = app_state(ctx).config_path, loaded.settings
    page_store = open_store(settings.database_url())  # migrates before READY=1

    def last_ok() -> datetime | None:
        store = open_store(settings.database_url(), migrate_schema=False)
        try:
            with store.transaction() as session:
                value = state.get(session, state.LAST_CYCLE_OK)
        finally:
            store.close()
        return None if value is None else datetime.fromisoformat(value["at"])

    page = None
    try:
        daemon = Daemon(
            load_settings=lambda: load_config(config_path).settings,
            make_cycle=lambda s: daemon_cycle(CycleDeps(s, config_path=loaded.path)),
            last_ok=last_ok,
            config_changed=ConfigWatch(loaded.path).changed,
        )
        page = _start_page(settings, page_store, config_path)
        code = daemon.run()
    finally:
        if page is not None:
            page.stop()
        page_store.close()
    raise typer.Exit(code)


def _start_page(settings: Settings, store: Store, config_path: Path | None) -> PageThread | None:
    """The runner's page in its own thread, or ``None`` when ``web.listen`` is ``""``.

    Off loopback without a password this raises ConfigError (exit 78) before any job runs. A
    page that cannot listen (the port is taken) is logged and left out: the workouts still
    reach the watch. SIGHUP does not move the page: a new ``web.listen`` takes a restart."""
    if settings.web.host_port() is None:
        return None  # before the imports: a daemon without the page never loads Starlette
    import logging

    from ampt_sync.web.app import Page
    from ampt_sync.web.serve import PageThread, check_may_listen, listen_of

    listen = listen_of(settings)
    if listen is None:
        return None
    check_may_listen(listen, store)
    thread = PageThread(
        Page(settings=settings, store=store, config_path=config_path, daemon=True), listen
    )
    try:
        thread.start()
    except ConfigError as exc:
        logging.getLogger("ampt_sync.web").error("%s; running without the page", exc)
        return None
    return thread


@app.command(rich_help_panel=UNATTENDED)
def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Plan and show the Garmin diff; store and send nothing."),
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Run one cycle now: pull from Strava, adapt the plan, push to Garmin, verify.

    Exit code 0 when all went well, 75 when a service was unavailable or rate-limited (retry
    later), 78 when the set-up needs you (a service to connect or sign in to again, a config
    value), 1 otherwise.
    """
    from ampt_sync.service import CycleDeps, run_cycle

    loaded = load(ctx)
    settings = loaded.settings
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        # quiet: the problems are printed below, one line each, not logged a second time.
        report = run_cycle(
            CycleDeps(settings=settings, config_path=loaded.path),
            "manual",
            stop,
            dry_run=dry_run,
            quiet=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    if output is OutputFormat.json:
        emit_json(report.to_json())
    else:
        render_cycle(report, out())
    for problem in report.errors:
        err().print(f"problem: {problem}")
    raise typer.Exit(EXIT_BY_RESULT.get(report.result, EX_SOFTWARE))


def render_cycle(report: CycleReport, console: Console) -> None:
    """A cycle report as a runner reads it."""
    console.print(f"{report.kind} cycle for {report.today}: {report.result}")
    if report.paused_until is not None:
        console.print(f"  paused until {report.paused_until}: nothing before then goes to Garmin")
    if report.settings is not None and not report.settings.get("alert"):  # else a problem line
        console.print(f"  new run days: {report.settings['message']}")
    if report.pulled is not None:
        p = report.pulled
        console.print(
            f"  Strava: {p['created']} new, {p['updated']} changed, {p['deleted']} deleted, "
            f"{len(p['skipped'])} skipped"
        )
    if report.plan is not None and report.plan.get("version") is not None:
        plan = report.plan
        saved = "new version" if plan.get("saved") else "unchanged"
        console.print(f"  plan v{plan['version']} ({saved}); fitness VDOT {plan['vdot']}")
        for change in plan.get("changes", []):
            console.print(f"    {change['date']}: {change['reason']}")
        for warning in plan.get("warnings", []):
            console.print(f"    note: {warning}")
    road = ROAD_NAMES.get(report.delivery, "Garmin")
    if report.delivery == "none":
        console.print('  delivery: none (delivery.target = "none"; `ampt-sync export fit`)')
    if report.pushed is not None:
        applied = report.pushed["applied"] if not report.pushed["dry_run"] else []
        planned = report.pushed["planned"]
        verb = "would do" if report.pushed["dry_run"] else "did"
        actions = planned if report.pushed["dry_run"] else applied
        console.print(f"  {road}: {verb} {len(actions)} change(s)")
        for action in actions:
            console.print("    " + " ".join(str(part) for part in action if part))
    if report.verified is not None:
        console.print(f"  verified on {road}: {'yes' if report.verified['ok'] else 'NO'}")
    calls = report.api_calls
    extra = f", intervals.icu {calls['intervals']}" if "intervals" in calls else ""
    console.print(f"  API calls: Strava {calls['strava']}, Garmin {calls['garmin']}{extra}")


@app.command(rich_help_panel=UNATTENDED)
def pause(
    ctx: typer.Context,
    until: Annotated[
        str, typer.Option("--until", metavar="DATE", help="First day back, e.g. 2026-12-01.")
    ],
) -> None:
    """Keep the plan and Garmin quiet until DATE (illness, travel).

    Planned workouts before DATE are taken off the watch at the next cycle. From DATE on, the
    plan returns from the break gently (the time-off rules), not where it left off.
    """
    from ampt_sync.store import state
    from ampt_sync.store.db import open_store

    settings = load(ctx).settings
    today = datetime.now(settings.zone()).date()
    try:
        first_day_back = date.fromisoformat(until)
    except ValueError:
        raise ConfigError(f"--until: found {until!r}, expected a date such as 2026-12-01") from None
    if first_day_back <= today:
        raise ConfigError(f"--until: {first_day_back} is not after today ({today})")
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            state.put(
                session,
                state.PAUSE,
                {"until": first_day_back.isoformat(), "since": today.isoformat()},
                now=datetime.now(UTC),
            )
    finally:
        store.close()
    err().print(
        f"paused until {first_day_back}: no workouts on Garmin before then "
        "(`ampt-sync resume` ends it early)"
    )


@app.command(rich_help_panel=UNATTENDED)
def resume(ctx: typer.Context) -> None:
    """End a pause now; the next cycle plans from today."""
    from ampt_sync.store import state
    from ampt_sync.store.db import open_store

    settings = load(ctx).settings
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            was = state.get(session, state.PAUSE)
            state.remove(session, state.PAUSE)
    finally:
        store.close()
    if was is None:
        err().print("not paused")
    else:
        err().print(f"resumed (the pause was until {was['until']})")
