"""Running unattended: ``run`` (the daemon), ``sync`` (one cycle by hand), ``pause``, ``resume``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from ampt_sync.cli.base import app, err, load
from ampt_sync.errors import ConfigError


@app.command()
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


@app.command()
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
