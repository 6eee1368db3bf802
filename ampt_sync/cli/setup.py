"""Set-up and housekeeping commands: init, status, reset, demo."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ampt_sync.cli import wizard
from ampt_sync.cli.base import SETUP, OutputFormat, app, app_state, emit_json, err, load, out
from ampt_sync.errors import ConfigError
from ampt_sync.units import parse_units

# ------------------------------------------------------------------------------------------------
# init


def _days(value: str | None) -> list[str] | None:
    return None if value is None else [d.strip() for d in value.split(",") if d.strip()]


@app.command(rich_help_panel=SETUP)
def init(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="athlete.name")] = None,
    timezone: Annotated[str | None, typer.Option(help="athlete.timezone (IANA name)")] = None,
    units: Annotated[str | None, typer.Option(help="athlete.units: km or mi (miles)")] = None,
    hr_max: Annotated[int | None, typer.Option(help="athlete.hr_max (bpm)")] = None,
    hr_rest: Annotated[int | None, typer.Option(help="athlete.hr_rest (bpm)")] = None,
    weight_kg: Annotated[float | None, typer.Option(help="athlete.weight_kg")] = None,
    recent_race: Annotated[
        str | None, typer.Option(help='athlete.recent_race, e.g. "10k 50:00"')
    ] = None,
    weekly_distance: Annotated[
        float | None, typer.Option(help="athlete.weekly_distance (in units)")
    ] = None,
    birth_year: Annotated[int | None, typer.Option(help="athlete.birth_year, e.g. 1968")] = None,
    race: Annotated[str | None, typer.Option(help="goal.race (its name)")] = None,
    distance: Annotated[
        str | None, typer.Option(help="goal.distance: 5k, 10k, half, marathon or metres")
    ] = None,
    goal_date: Annotated[
        str | None, typer.Option(help="goal.date, e.g. 2027-04-18 or 18 Apr 2027")
    ] = None,
    target_time: Annotated[str | None, typer.Option(help="goal.target_time, e.g. 1:45:00")] = None,
    hot: Annotated[
        bool | None,
        typer.Option(
            "--hot/--not-hot",
            help="goal.hot: race day is expected hot, or not (default: by month and time zone)",
        ),
    ] = None,
    run_days: Annotated[
        str | None, typer.Option(help="schedule.run_days, comma-separated: mon,tue,thu,sat,sun")
    ] = None,
    long_run_day: Annotated[str | None, typer.Option(help="schedule.long_run_day")] = None,
    strength_days: Annotated[
        str | None, typer.Option(help="schedule.strength_days, comma-separated: tue,fri")
    ] = None,
    hills: Annotated[
        str | None, typer.Option(help="schedule.hills: outdoor, treadmill or garage")
    ] = None,
    push_at: Annotated[str | None, typer.Option(help="sync.push_at (HH:MM local)")] = None,
    adapt_at: Annotated[str | None, typer.Option(help="sync.adapt_at (HH:MM local)")] = None,
    horizon_days: Annotated[int | None, typer.Option(help="sync.horizon_days (1..14)")] = None,
    poll_minutes: Annotated[int | None, typer.Option(help="sync.poll_minutes (0 = none)")] = None,
    activity_source: Annotated[
        str | None,
        typer.Option("--activity-source", help="activities.source: strava, garmin or intervals"),
    ] = None,
    delivery_target: Annotated[
        str | None, typer.Option("--delivery", help="delivery.target: garmin, intervals or none")
    ] = None,
    strava_client_id: Annotated[int | None, typer.Option(help="strava.client_id")] = None,
    backfill_days: Annotated[int | None, typer.Option(help="strava.backfill_days")] = None,
    state_dir: Annotated[Path | None, typer.Option(help="storage.state_dir")] = None,
    database_url: Annotated[str | None, typer.Option(help="storage.database_url")] = None,
    secrets_backend: Annotated[
        str | None, typer.Option(help="secrets.backend: auto, keyring or file")
    ] = None,
    ntfy_url: Annotated[str | None, typer.Option(help="alerts.ntfy_url")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="alerts.webhook_url")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; use flags and defaults only.")
    ] = False,
) -> None:
    """Write a config file, asking for what the flags leave out.

    In a terminal it asks for the keys a runner should decide; with --no-input (or without a
    terminal) it takes flags and defaults only. It refuses to overwrite without --force.
    """

    from ampt_sync.config import (
        ENV_CONFIG,
        check_goal_horizon,
        check_goal_in_future,
        render_config,
        settings_from_dict,
        system_timezone,
        user_config_path,
    )

    state = app_state(ctx)
    target = state.config_path or (
        Path(os.environ[ENV_CONFIG]) if os.environ.get(ENV_CONFIG) else user_config_path()
    )
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists; add --force to overwrite it")

    data: dict[str, dict[str, Any]] = {
        "athlete": {
            "name": name,
            "timezone": timezone,
            "units": units,
            "hr_max": hr_max,
            "hr_rest": hr_rest,
            "weight_kg": weight_kg,
            "recent_race": recent_race,
            "weekly_distance": weekly_distance,
            "birth_year": birth_year,
        },
        "goal": {
            "race": race,
            "distance": distance,
            "date": goal_date,
            "target_time": target_time,
            "hot": hot,
        },
        "schedule": {
            "run_days": _days(run_days),
            "long_run_day": long_run_day,
            "strength_days": _days(strength_days),
            "hills": hills,
        },
        "sync": {
            "push_at": push_at,
            "adapt_at": adapt_at,
            "horizon_days": horizon_days,
            "poll_minutes": poll_minutes,
        },
        "activities": {"source": activity_source},
        "delivery": {"target": delivery_target},
        "strava": {"client_id": strava_client_id, "backfill_days": backfill_days},
        "storage": {"state_dir": state_dir, "database_url": database_url},
        "secrets": {"backend": secrets_backend},
        "alerts": {"ntfy_url": ntfy_url, "webhook_url": webhook_url},
    }
    for section, key, flag, read in (
        ("goal", "date", "--goal-date", wizard.parse_day),
        ("athlete", "units", "--units", parse_units),
    ):
        if data[section][key] is not None:
            try:
                data[section][key] = read(data[section][key])
            except ValueError as exc:
                raise ConfigError(f"{flag}: {exc}") from None

    interactive = not no_input and sys.stdin.isatty()
    if interactive:

        def ask(question: str, default: str) -> str:
            return str(typer.prompt(question, default=default, show_default=bool(default)))

        wizard.ask_missing(data, system_timezone(), ask=ask, say=err().print)
    elif data["athlete"]["timezone"] is None:
        data["athlete"]["timezone"] = system_timezone()
    for key, flag in (("distance", "--distance"), ("date", "--goal-date")):
        if data["goal"][key] is None:
            raise ConfigError(
                f"init: goal.{key} is required; pass {flag} (or run init in a terminal to be asked)"
            )

    clean = {s: {k: v for k, v in vals.items() if v is not None} for s, vals in data.items()}
    settings = settings_from_dict(
        {
            s: {k: (str(v) if isinstance(v, Path) else v) for k, v in vals.items()}
            for s, vals in clean.items()
            if vals
        },
        source="init",
    )
    today = datetime.now(settings.zone()).date()
    check_goal_in_future(settings, today, source="init")
    check_goal_horizon(settings, today, source="init")

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_config(clean), encoding="utf-8")
    err().print(f"wrote {target}")
    err().print(wizard.next_steps(clean, str(target)))


# ------------------------------------------------------------------------------------------------
# status


@app.command(rich_help_panel=SETUP)
def status(
    ctx: typer.Context,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """What is configured and stored. Reads local state only and exits 0.

    Times are in the athlete's time zone ("Fri 4 Dec 19:23"); with --format json, ISO 8601 with
    the UTC offset. The Garmin column of the next days: ✓ on Garmin, … waiting for the next push.
    """
    from ampt_sync.status import collect_status, render_status

    report = collect_status(app_state(ctx).config_path)
    if output is OutputFormat.json:
        emit_json(report)
    else:
        render_status(report, out())


# ------------------------------------------------------------------------------------------------
# reset


@app.command(rich_help_panel=SETUP)
def reset(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
) -> None:
    """Delete the local state (database, backups, stored tokens), after listing it."""
    from ampt_sync.state import delete_local_state, describe_local_state

    settings = load(ctx).settings
    items = describe_local_state(settings)
    if not items:
        err().print("nothing to delete: no local state found")
        return
    err().print("This deletes:")
    for item in items:
        err().print(f"  - {item.description}")
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError("reset: add --yes to delete the local state without a prompt")
        if not typer.confirm("Delete all of this?", default=False):
            raise typer.Exit(1)
    for line in delete_local_state(items):
        err().print(f"deleted {line}")


# ------------------------------------------------------------------------------------------------
# demo


@app.command(rich_help_panel=SETUP)
def demo(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="Simulated days to live (1..60).")] = 14,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then serve the runner's page over the demo's state until Ctrl-C, "
            "printing a sign-in link.",
        ),
    ] = False,
    listen: Annotated[
        str, typer.Option("--listen", metavar="HOST:PORT", help="Where --serve listens.")
    ] = "127.0.0.1:8765",
    delivery: Annotated[
        str,
        typer.Option(
            "--delivery",
            metavar="garmin|intervals",
            help="Where the workouts go: the simulated Garmin, or the simulated intervals.icu.",
        ),
    ] = "garmin",
    source: Annotated[
        str,
        typer.Option(
            "--source",
            metavar="strava|garmin|intervals",
            help="Where the simulated runner's runs are read from: the simulated Strava, "
            "Garmin Connect's activity list, or intervals.icu's.",
        ),
    ] = "strava",
) -> None:
    """Run offline on a simulated runner: the plan, the watch each morning, each day's changes.

    Starts a simulated Strava and Garmin (or intervals.icu, with --delivery intervals) on
    loopback and runs the daemon's real cycles through the real clients for N simulated days.
    Shows each new kind of session in full, and ends with what was run, what changed and what is
    on the watch now (the API calls spent with --verbose or --format json). Uses its own embedded
    config, a temporary state dir and token store; never touches your config, state or keyring.
    With --serve it then shows the runner's page over that state until Ctrl-C. With --source
    garmin (or intervals) the runs are recorded on, and read from, the simulated Garmin Connect
    (or intervals.icu) ([activities] source); Strava is not used. --source intervals and
    --delivery intervals together use one simulated intervals.icu for both.
    """
    from ampt_sync.demo import run_demo, serve_demo

    if source not in ("strava", "garmin", "intervals"):
        raise ConfigError(f'--source: found {source!r}, expected "strava", "garmin" or "intervals"')
    verbose = app_state(ctx).verbose
    if serve:
        if output is OutputFormat.json:
            raise ConfigError("--serve prints a sign-in link, not JSON; leave out --format json")
        serve_demo(
            stdout=out(),
            stderr=err(),
            days=days,
            listen=listen,
            verbose=verbose,
            delivery=delivery,
            source=source,
        )
        return
    run_demo(
        output=output.value,
        stdout=out(),
        stderr=err(),
        days=days,
        verbose=verbose,
        delivery=delivery,
        source=source,
    )
