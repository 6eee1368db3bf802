"""Training commands: ``paces`` (training paces and race predictions) and ``inventory`` (the AMPT
seed's first step: what you run now, day by day).

Both render paces and distances in the runner's units (``athlete.units``); ``--format json``
writes one JSON document with SI numbers (metres, seconds, seconds per km) and no timestamps.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ampt_sync.cli.base import TRAINING, OutputFormat, app, app_state, emit_json, load, out
from ampt_sync.errors import ConfigError
from ampt_sync.units import (
    RACE_DISTANCES_M,
    Units,
    distance_label,
    format_distance,
    format_duration,
    format_pace,
)

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.domain import Activity, Paces
    from ampt_sync.training.inventory import Inventory

#: How far back fitness looks: its longest window (16 weeks) plus a year for calibrating the
#: heart-rate estimate on an older race.
FITNESS_HISTORY_DAYS = 112 + 365


class UnitsOption(StrEnum):
    km = "km"
    mi = "mi"


def _number(value: float, digits: int = 0) -> float | int:
    rounded = round(value, digits)
    return int(rounded) if float(rounded).is_integer() else rounded


def _settings(ctx: typer.Context, *, required: bool) -> Settings | None:
    """The config; ``None`` when none exists and none was asked for (``required`` false)."""
    from ampt_sync.config import ENV_CONFIG, find_config

    explicit = app_state(ctx).config_path is not None or bool(os.environ.get(ENV_CONFIG))
    if not required and not explicit:
        try:
            find_config(None)
        except ConfigError:
            return None
    return load(ctx).settings


def _today(settings: Settings) -> date:
    return datetime.now(settings.zone()).date()


def _stored_activities(settings: Settings, since: date) -> list[Activity]:
    """Activities from ``since`` on; none (and no database created) when there is no store yet."""
    from ampt_sync.store.activities import load_activities
    from ampt_sync.store.db import open_store, sqlite_path

    url = settings.database_url()
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return []
    store = open_store(url)
    try:
        with store.transaction() as session:
            return load_activities(session, since=since)
    finally:
        store.close()


# ------------------------------------------------------------------------------------------------
# paces


def _paces_document(
    vdot: float,
    paces: Paces,
    *,
    source: str,
    confidence: str | None,
    units: Units,
    needs_time_trial: bool = False,
    critical_speed_mps: float | None = None,
    d_prime_m: float | None = None,
) -> dict[str, Any]:
    from ampt_sync.training.fitness import race_time

    def shown(pace: float) -> str:
        return format_pace(pace, units)

    document: dict[str, Any] = {
        "vdot": round(vdot, 1),
        "source": source,
        "confidence": confidence,
        "needs_time_trial": needs_time_trial,
        "units": units,
        "paces_s_per_km": {
            "easy": [_number(paces.easy[0]), _number(paces.easy[1])],
            "marathon": _number(paces.marathon),
            "threshold": _number(paces.threshold),
            "interval": _number(paces.interval),
            "repetition": _number(paces.repetition),
        },
        "paces": {
            "easy": [shown(paces.easy[0]), shown(paces.easy[1])],
            "marathon": shown(paces.marathon),
            "threshold": shown(paces.threshold),
            "interval": shown(paces.interval),
            "repetition": shown(paces.repetition),
        },
        "per_400m_s": {
            "interval": _number(paces.interval * 0.4, 1),
            "repetition": _number(paces.repetition * 0.4, 1),
        },
        "race_predictions": [
            {
                "race": distance_label(distance_m),
                "distance_m": _number(distance_m, 1),
                "time_s": round(race_time(vdot, distance_m)),
                "time": format_duration(race_time(vdot, distance_m)),
            }
            for distance_m in sorted(RACE_DISTANCES_M.values())
        ],
    }
    if critical_speed_mps is not None:
        document["critical_speed_mps"] = critical_speed_mps
        document["critical_speed_pace"] = shown(1000 / critical_speed_mps)
    if d_prime_m is not None:
        document["d_prime_m"] = d_prime_m
    return document


def _render_paces(document: dict[str, Any]) -> None:
    from rich.table import Table

    console = out()
    heading = f"VDOT {document['vdot']:.1f}  ({document['source']}"
    if document["confidence"]:
        heading += f"; confidence {document['confidence']}"
    console.print(heading + ")")
    shown, per_400 = document["paces"], document["per_400m_s"]
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Pace")
    table.add_column(f"per {document['units']}", justify="right")
    table.add_column("per 400 m", justify="right")
    table.add_column("What it is for")
    table.add_row(
        "Easy", f"{shown['easy'][0]} – {shown['easy'][1]}", "", "easy, long and recovery runs"
    )
    table.add_row("Marathon", shown["marathon"], "", "marathon-pace running")
    table.add_row("Threshold", shown["threshold"], "", "tempo runs, cruise intervals")
    table.add_row("Interval", shown["interval"], format_duration(per_400["interval"]),
                  "intervals, fartlek")  # fmt: skip
    table.add_row("Repetition", shown["repetition"], format_duration(per_400["repetition"]),
                  "strides, short fast reps")  # fmt: skip
    console.print(table)
    predictions = ", ".join(f"{p['race']} {p['time']}" for p in document["race_predictions"])
    console.print(f"Race predictions: {predictions}")
    if "critical_speed_pace" in document:
        console.print(
            f"Critical speed: {document['critical_speed_pace']} (D′ {document['d_prime_m']:.0f} m)"
        )
    if document["needs_time_trial"]:
        console.print(
            "These paces are a cautious guess: run a 5K time trial (or a parkrun) to set them."
        )


@app.command(rich_help_panel=TRAINING)
def paces(
    ctx: typer.Context,
    vdot: Annotated[
        float | None, typer.Option("--vdot", help="Paces for this VDOT (20 to 90).")
    ] = None,
    race: Annotated[
        str | None,
        typer.Option(
            "--race", help='Paces from a race result, e.g. "10k 50:00" or "half 1:45:00".'
        ),
    ] = None,
    units: Annotated[
        UnitsOption | None,
        typer.Option("--units", help="km or mi (default: athlete.units, else km)."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Training paces (easy, marathon, threshold, interval, repetition) and race predictions.

    Without --vdot or --race: your current fitness, from the stored Strava activities and the
    config. With either, no config is needed.
    """
    from ampt_sync.training.fitness import (
        estimate_fitness,
        training_paces,
        vdot_from_performance,
    )
    from ampt_sync.units import parse_race_result

    if vdot is not None and race is not None:
        raise typer.BadParameter("give either --vdot or --race, not both", param_hint="--race")
    settings = _settings(ctx, required=vdot is None and race is None)
    chosen: Units = "km"
    if units is not None:
        chosen = units.value  # type: ignore[assignment]
    elif settings is not None:
        chosen = settings.athlete.units

    if vdot is not None:
        if not 20 <= vdot <= 90:
            raise typer.BadParameter(f"{vdot:g} is outside 20 to 90", param_hint="--vdot")
        document = _paces_document(
            vdot, training_paces(vdot), source=f"VDOT {vdot:g} as given", confidence=None,
            units=chosen,
        )  # fmt: skip
    elif race is not None:
        try:
            distance_m, duration_s = parse_race_result(race)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--race") from None
        value = round(vdot_from_performance(distance_m, duration_s), 2)
        document = _paces_document(
            value,
            training_paces(value),
            source=f"race {distance_label(distance_m)} in {format_duration(duration_s)}",
            confidence="high",
            units=chosen,
        )
    else:
        assert settings is not None  # noqa: S101  (required=True above)
        today = _today(settings)
        activities = _stored_activities(settings, today - timedelta(days=FITNESS_HISTORY_DAYS))
        fitness = estimate_fitness(activities, settings.athlete_domain(), today)
        document = _paces_document(
            fitness.vdot,
            fitness.paces,
            source=fitness.source,
            confidence=fitness.confidence.value,
            units=chosen,
            needs_time_trial=fitness.needs_time_trial,
            critical_speed_mps=fitness.critical_speed_mps,
            d_prime_m=fitness.d_prime_m,
        )
    if output is OutputFormat.json:
        emit_json(document)
    else:
        _render_paces(document)


# ------------------------------------------------------------------------------------------------
# inventory

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _inventory_document(inventory: Inventory, units: Units) -> dict[str, Any]:
    def maybe(value: float | None, digits: int = 0) -> float | int | None:
        return None if value is None else _number(value, digits)

    return {
        "first_day": inventory.first_day.isoformat(),
        "last_day": inventory.last_day.isoformat(),
        "weeks": inventory.weeks,
        "units": units,
        "runs": inventory.runs,
        "runs_per_week": _number(inventory.runs_per_week, 2),
        "distance_m": _number(inventory.distance_m),
        "distance_per_week_m": _number(inventory.distance_per_week_m),
        "duration_s": _number(inventory.duration_s),
        "weekdays": [
            {
                "day": WEEKDAY_NAMES[d.weekday],
                "runs": d.runs,
                "runs_per_week": _number(d.runs_per_week, 2),
                "typical_distance_m": maybe(d.typical_distance_m),
                "typical_duration_s": maybe(d.typical_duration_s),
                "typical_pace_s_per_km": maybe(d.typical_pace_s_per_km, 1),
            }
            for d in inventory.weekdays
        ],
        "typical_pace_s_per_km": maybe(inventory.typical_pace_s_per_km, 1),
        "pace_spread_pct": maybe(inventory.pace_spread_pct, 1),
        "pace_changes": inventory.pace_changes,
        "pace_changes_per_week": _number(inventory.pace_changes_per_week, 2),
        "kinds": dict(inventory.kinds),
        "cross_training": inventory.cross_training,
        "cross_training_per_week": _number(inventory.cross_training_per_week, 2),
        "recovery_runs_per_week": _number(inventory.recovery_runs_per_week, 2),
        "rest_days_per_week": _number(inventory.rest_days_per_week, 2),
        "long_runs": inventory.long_runs,
        "long_runs_per_month": _number(inventory.long_runs_per_month, 2),
        "same_run_share": _number(inventory.same_run_share, 2),
        "plateau": inventory.plateau,
        "flags": list(inventory.flags),
    }


def _render_inventory(inventory: Inventory, units: Units) -> None:
    from rich.table import Table

    console = out()
    weeks = f"{inventory.weeks} week{'s' if inventory.weeks != 1 else ''}"
    if not inventory.runs:
        console.print(
            f"No runs stored for the last {weeks} ({inventory.first_day.isoformat()} to "
            f"{inventory.last_day.isoformat()}) yet: `ampt-sync pull` fetches them from Strava."
        )
        return
    console.print(
        f"Training inventory, last {weeks} ({inventory.first_day.isoformat()} to "
        f"{inventory.last_day.isoformat()}): {inventory.runs} runs, "
        f"{inventory.runs_per_week:.1f} a week, "
        f"{format_distance(inventory.distance_per_week_m, units)} a week"
    )
    table = Table(show_edge=False, pad_edge=False)
    for title, justify in (
        ("Day", "left"), ("Runs a week", "right"), ("Typical distance", "right"),
        ("Typical time", "right"), ("Typical pace", "right"),
    ):  # fmt: skip
        table.add_column(title, justify=justify)  # type: ignore[arg-type]
    for day in inventory.weekdays:
        if not day.runs:
            table.add_row(WEEKDAY_NAMES[day.weekday].capitalize(), "–", "", "", "")
            continue
        table.add_row(
            WEEKDAY_NAMES[day.weekday].capitalize(),
            f"{day.runs_per_week:.1f}",
            format_distance(day.typical_distance_m or 0, units),
            format_duration(day.typical_duration_s or 0),
            format_pace(day.typical_pace_s_per_km or 0, units),
        )
    console.print(table)
    spread = (
        ""
        if inventory.pace_spread_pct is None
        else f" (paces spread {inventory.pace_spread_pct:.0f} % around your typical "
        f"{format_pace(inventory.typical_pace_s_per_km or 0, units)})"
    )
    console.print(
        f"Changing pace: {inventory.pace_changes_per_week:.1f} runs a week differ from your "
        f"usual pace or are workouts{spread}"
    )
    console.print(
        f"Cross-training: {inventory.cross_training_per_week:.1f} a week; recovery runs: "
        f"{inventory.recovery_runs_per_week:.1f} a week; rest days: "
        f"{inventory.rest_days_per_week:.1f} a week"
    )
    console.print(f"Long runs: {inventory.long_runs_per_month:.1f} a month")
    if inventory.kinds:
        console.print("Runs by kind: " + ", ".join(f"{k} {n}" for k, n in inventory.kinds))
    for flag in inventory.flags:
        console.print(f"! {flag}")


@app.command(rich_help_panel=TRAINING)
def inventory(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=520, help="How many weeks back (default 8).")
    ] = 8,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Take inventory, as the AMPT series starts: how long and how fast you run on each day of
    the week, how often you change pace, cross-train or recover, and how many long runs you do
    a month, from the stored Strava activities."""
    from ampt_sync.training.fitness import estimate_fitness
    from ampt_sync.training.inventory import take_inventory

    settings = _settings(ctx, required=True)
    assert settings is not None  # noqa: S101  (required=True)
    today = _today(settings)
    since = today - timedelta(days=max(FITNESS_HISTORY_DAYS, 7 * weeks + 28))
    activities = _stored_activities(settings, since)
    athlete = settings.athlete_domain()
    fitness = estimate_fitness(activities, athlete, today)
    units: Units = athlete.units  # type: ignore[assignment]
    result = take_inventory(
        activities,
        today=today,
        paces=fitness.paces,
        weeks=weeks,
        hr_max_bpm=athlete.hr_max_bpm,
        units=units,
    )
    if output is OutputFormat.json:
        emit_json(_inventory_document(result, units))
    else:
        _render_inventory(result, units)
