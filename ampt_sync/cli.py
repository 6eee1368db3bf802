"""The ``ampt-sync`` command line. Thin: parse, call the service layer, render.

Output rules: with ``--format json`` stdout holds exactly one JSON document; logs, progress bars
and notices go to stderr. Every known error becomes one line on stderr and an exit code
(78 configuration or authorisation, 75 temporary, 1 otherwise); a traceback only with ``--verbose``.

Heavy imports (SQLAlchemy, stravalib, garminconnect, APScheduler) happen inside the commands that
need them, so that ``ampt-sync --help`` starts quickly on a Raspberry Pi.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ampt_sync import __version__
from ampt_sync.errors import AmptSyncError, ConfigError

if TYPE_CHECKING:
    from ampt_sync.config import LoadedConfig

app = typer.Typer(
    name="ampt-sync",
    help="Strava history in, an adaptive AMPT training plan out, structured workouts on Garmin.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


@dataclass
class AppState:
    config_path: Path | None
    verbose: bool


def out() -> Console:
    """stdout: what the command produces. Markup is off: our text contains [brackets]."""
    return Console(highlight=False, markup=False, soft_wrap=True)


def err() -> Console:
    """stderr: notices, warnings, errors and progress."""
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def emit_json(document: Any) -> None:
    """Write one JSON document to stdout, and nothing else."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def _state(ctx: typer.Context) -> AppState:
    state = ctx.find_root().obj
    if not isinstance(state, AppState):  # a subcommand invoked without the root callback
        state = AppState(config_path=None, verbose=False)
    return state


def load(ctx: typer.Context) -> LoadedConfig:
    """The config for this invocation; warnings go to stderr."""
    from ampt_sync.config import load_config

    loaded = load_config(_state(ctx).config_path)
    for warning in loaded.warnings:
        err().print(f"warning: {warning}")
    return loaded


def _version(value: bool) -> None:
    if value:
        print(f"ampt-sync {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file. Default: $AMPT_SYNC_CONFIG, then ~/.config/ampt-sync/config.toml, "
            "then /etc/ampt-sync/config.toml.",
            dir_okay=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging, and tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    from ampt_sync.logs import setup_logging

    setup_logging(verbose=verbose)
    ctx.obj = AppState(config_path=config, verbose=verbose)


# ------------------------------------------------------------------------------------------------
# init


def _days(value: str | None) -> list[str] | None:
    return None if value is None else [d.strip() for d in value.split(",") if d.strip()]


@app.command()
def init(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="athlete.name")] = None,
    timezone: Annotated[str | None, typer.Option(help="athlete.timezone (IANA name)")] = None,
    units: Annotated[str | None, typer.Option(help="athlete.units: km or mi")] = None,
    hr_max: Annotated[int | None, typer.Option(help="athlete.hr_max (bpm)")] = None,
    hr_rest: Annotated[int | None, typer.Option(help="athlete.hr_rest (bpm)")] = None,
    weight_kg: Annotated[float | None, typer.Option(help="athlete.weight_kg")] = None,
    recent_race: Annotated[
        str | None, typer.Option(help='athlete.recent_race, e.g. "10k 50:00"')
    ] = None,
    weekly_distance: Annotated[
        float | None, typer.Option(help="athlete.weekly_distance (in units)")
    ] = None,
    race: Annotated[str | None, typer.Option(help="goal.race (its name)")] = None,
    distance: Annotated[
        str | None, typer.Option(help="goal.distance: 5k, 10k, half, marathon or metres")
    ] = None,
    goal_date: Annotated[str | None, typer.Option(help="goal.date, e.g. 2027-04-18")] = None,
    target_time: Annotated[str | None, typer.Option(help="goal.target_time, e.g. 1:45:00")] = None,
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
    import os

    from ampt_sync.config import (
        ENV_CONFIG,
        check_goal_in_future,
        render_config,
        settings_from_dict,
        system_timezone,
        user_config_path,
    )

    state = _state(ctx)
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
        },
        "goal": {"race": race, "distance": distance, "date": goal_date, "target_time": target_time},
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
        "strava": {"client_id": strava_client_id, "backfill_days": backfill_days},
        "storage": {"state_dir": state_dir, "database_url": database_url},
        "secrets": {"backend": secrets_backend},
        "alerts": {"ntfy_url": ntfy_url, "webhook_url": webhook_url},
    }
    if goal_date is not None:
        try:
            data["goal"]["date"] = date.fromisoformat(goal_date)
        except ValueError:
            raise ConfigError(
                f"--goal-date: found {goal_date!r}, expected a date such as 2027-04-18"
            ) from None

    interactive = not no_input and sys.stdin.isatty()
    if interactive:
        _ask_missing(data, system_timezone())
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

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_config(clean), encoding="utf-8")
    err().print(f"wrote {target}")
    err().print("next: `ampt-sync auth strava`, then `ampt-sync auth garmin`")


def _ask_missing(data: dict[str, dict[str, Any]], zone_default: str) -> None:
    """Prompt for the keys a runner should decide; each answer is validated on the spot."""
    from ampt_sync.config import settings_from_dict

    questions: list[tuple[str, str, str, Any]] = [
        ("athlete", "name", "Your name", "Runner"),
        ("athlete", "timezone", "Time zone", zone_default),
        ("athlete", "units", "Units (km or mi)", "km"),
        ("goal", "race", "Goal race name", ""),
        ("goal", "distance", "Goal distance (5k, 10k, half, marathon or metres)", None),
        ("goal", "date", "Race day (YYYY-MM-DD)", None),
        ("goal", "target_time", "Target time (H:MM:SS, empty for none)", ""),
        ("athlete", "recent_race", 'A recent race, e.g. "10k 50:00" (empty for none)', ""),
        (
            "athlete",
            "weekly_distance",
            "Current weekly distance in your units (empty if unsure)",
            "",
        ),
        ("schedule", "run_days", "Run days (comma-separated)", "tue,thu,sat,sun"),
        ("schedule", "long_run_day", "Long-run day", "sun"),
        ("schedule", "hills", "Hills: outdoor, treadmill or garage", "outdoor"),
        ("strava", "client_id", "Strava API Client ID (empty to set later)", ""),
    ]
    probe_goal = {"distance": "5k", "date": date.max}
    for section, key, question, default in questions:
        if data[section][key] is not None:
            continue
        while True:
            answer = typer.prompt(
                question,
                default=default if default is not None else None,
                show_default=bool(default),
            )
            answer = answer.strip() if isinstance(answer, str) else answer
            if answer == "":
                break
            value: Any = answer
            if key in ("run_days", "strength_days"):
                value = _days(answer)
            elif key == "date":
                try:
                    value = date.fromisoformat(answer)
                except ValueError:
                    err().print("  expected a date such as 2027-04-18")
                    continue
            elif key in ("client_id",):
                value = int(answer) if answer.isdigit() else answer
            elif key == "weekly_distance":
                try:
                    value = float(answer)
                except ValueError:
                    err().print("  expected a number")
                    continue
            trial = {
                s: {k: v for k, v in vals.items() if v is not None} for s, vals in data.items()
            }
            trial[section][key] = value
            trial["goal"] = {**probe_goal, **trial["goal"]}
            try:
                settings_from_dict(trial, source="answer")
            except ConfigError as exc:
                message = str(exc).removeprefix("answer: ")
                if message.startswith(f"{section}.{key}"):
                    err().print(f"  {message}")
                    continue
            data[section][key] = value
            break


# ------------------------------------------------------------------------------------------------
# status


@app.command()
def status(
    ctx: typer.Context,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """What is configured and stored. Reads local state only and exits 0."""
    from ampt_sync.status import collect_status, render_status

    report = collect_status(_state(ctx).config_path)
    if output is OutputFormat.json:
        emit_json(report)
    else:
        render_status(report, out())


# ------------------------------------------------------------------------------------------------
# reset


@app.command()
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
    for line in delete_local_state(settings, items):
        err().print(f"deleted {line}")


# ------------------------------------------------------------------------------------------------
# demo


@app.command()
def demo(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Run offline on an embedded simulated runner.

    Uses its own embedded config and a temporary state dir; never touches your config, state or
    keyring.
    """
    from ampt_sync.demo import run_demo

    run_demo(output=output.value, stdout=out(), stderr=err())


# ------------------------------------------------------------------------------------------------
# entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    try:
        # Standalone mode: usage errors, --help and typer.Exit end in SystemExit with their code;
        # our own errors propagate to here.
        app(args=args, prog_name="ampt-sync")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except AmptSyncError as exc:
        if verbose:
            err().print_exception()
        err().print(f"ampt-sync: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err().print("interrupted")
        return 130
    except Exception as exc:
        if verbose:
            err().print_exception()
        from ampt_sync.logs import redact

        err().print(
            f"ampt-sync: unexpected {exc.__class__.__name__}: {redact(str(exc))} "
            "(rerun with --verbose for details)"
        )
        return 1
    return 0
