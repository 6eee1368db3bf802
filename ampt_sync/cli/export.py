"""``ampt-sync export …``: the plan as files. ``export fit`` writes FIT workout files.

``export fit`` brings the stored plan up to date exactly as a push does
(:func:`ampt_sync.service.plan_to_push`, a pause included) and writes one ``.fit`` file per
running and strength workout of the chosen days, named ``YYYY-MM-DD_<kind>_<key>.fit``
(:mod:`ampt_sync.fit`). Files of the same name are replaced; nothing else in the folder is
touched. It never talks to Strava or Garmin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from ampt_sync.cli.base import (
    TRAINING,
    OutputFormat,
    app,
    command_group,
    emit_json,
    err,
    load,
    out,
)
from ampt_sync.errors import ConfigError

export_app = command_group(
    help="Write the plan as files: `export fit` (FIT workout files for a watch).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export", rich_help_panel=TRAINING)

#: The most days one export covers (a year, more than any plan needs ahead).
MAX_DAYS = 366


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--from: found {value!r}, expected a date as YYYY-MM-DD (e.g. 2026-12-07)"
        ) from None


@export_app.command("fit")
def export_fit(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=1,
            max=MAX_DAYS,
            help="How many days, from --from on (default: sync.horizon_days, as the push).",
        ),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="DATE", help="First day, YYYY-MM-DD (default: today, local time)."
        ),
    ] = None,
    folder: Annotated[
        Path,
        typer.Option(
            "--out",
            file_okay=False,
            help="Folder to write into, created if missing (default: the current folder).",
        ),
    ] = Path("."),
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Write the plan's workouts as FIT workout files, one per running or strength session.

    Copy a file to your watch's GARMIN/NewFiles folder over USB (watches that mount as a USB
    drive) and it appears under Training > Workouts. Garmin Connect's import does not take
    workout files. Names are YYYY-MM-DD_kind_key.fit and stay the same while a session stays
    on its day, so a newer file replaces the older one.
    """
    from ampt_sync.fit.files import fit_files, fit_workouts, write_files
    from ampt_sync.service import cycle_lock, plan_to_push
    from ampt_sync.store.db import open_store

    settings = load(ctx).settings
    today = datetime.now(settings.zone()).date()
    start = _day(first) or today
    count = days or settings.sync.horizon_days
    store = open_store(settings.database_url())
    try:
        with cycle_lock(settings):
            plan = plan_to_push(store, settings, today, now=datetime.now(UTC))
    finally:
        store.close()
    files = fit_files(fit_workouts(plan, start, count))
    try:
        paths = write_files(files, folder)
    except OSError as exc:
        raise ConfigError(
            f"--out: cannot write to {folder}: {exc.strerror or exc}; choose a folder you can "
            "write to"
        ) from None
    if output is OutputFormat.json:
        emit_json(
            {
                "from": start.isoformat(),
                "days": count,
                "dir": str(folder.resolve()),
                "files": [
                    {
                        "path": str(path.resolve()),
                        "name": file.name,
                        "date": file.day.isoformat(),
                        "kind": file.workout.kind.value,
                        "key": file.workout.key,
                        "title": file.workout.title,
                        "bytes": len(file.data),
                    }
                    for file, path in zip(files, paths, strict=True)
                ],
            }
        )
        return
    for file, path in zip(files, paths, strict=True):
        out().print(f"{path}  ({file.workout.title})")
    last = date.fromordinal(start.toordinal() + count - 1)
    err().print(f"{len(files)} FIT workout file(s) for {start} to {last} in {folder.resolve()}")
