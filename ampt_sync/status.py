"""`ampt-sync status`: what is configured, stored, scheduled and on Garmin, from local state only.

It never writes and never calls a service: the database is opened read-only (SQLite ``mode=ro``)
and never migrated, the token store is only read (and not at all when it does not exist, so no
key file is created), and a broken or missing config is reported, not raised, so that `status`
always answers and exits 0.

The JSON document's keys: ``version``, ``config``, ``state_dir``, ``database``, ``activities``,
``cycles``, ``next_jobs``, ``tokens``, ``paused_until``, ``alerts``, ``horizon``,
``instructions`` (the runner's instructions in force, as ``ampt-sync instructions`` lists them),
``intervals`` (what the intervals.icu ledger says ampt-sync put there: ``events``, ``unconfirmed``
whose last write is not confirmed yet, ``last_day``); ``config.delivery`` is ``[delivery] target``
and ``tokens.intervals`` whether intervals.icu is connected (with its athlete id).
Every moment in it (cycles, alerts, token expiry, next jobs, re-login) is ISO 8601 to the second
with the athlete's UTC offset (UTC without a config); dates are ``YYYY-MM-DD``. The text output
writes moments as "Fri 4 Dec 19:23" in the athlete's time zone, and dates with their weekday.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from rich.console import Console
from rich.table import Table

from ampt_sync import __version__
from ampt_sync.config import Settings, default_state_dir, load_config
from ampt_sync.errors import AmptSyncError, ConfigError
from ampt_sync.plan_text import day_label, day_label_with_year, moment_label


def _iso(moment: datetime, zone: tzinfo) -> str:
    """``2026-12-04T14:23:39-05:00``: in the athlete's zone, to the second."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _iso_text(text: str, zone: tzinfo) -> str:
    """A stored ISO moment (any offset, any precision) as :func:`_iso` writes it; text that is not
    an aware ISO moment is returned as it is."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return text if moment.tzinfo is None else _iso(moment, zone)


def collect_status(
    config_path: Any,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, Any]:
    """The status document. ``environ`` is where ``$STATE_DIRECTORY`` and the token key's
    ``$CREDENTIALS_DIRECTORY`` are read (the runner's page passes the daemon's)."""
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {"version": __version__}
    settings: Settings | None = None
    try:
        loaded = load_config(config_path, environ=environ)
    except ConfigError as exc:
        report["config"] = {"path": None, "error": str(exc), "warnings": []}
        state_dir = default_state_dir(environ)
        url = f"sqlite:///{state_dir / 'ampt-sync.db'}"
    else:
        settings = loaded.settings
        goal = settings.goal_domain()
        report["config"] = {
            "path": str(loaded.path),
            "error": None,
            "warnings": list(loaded.warnings),
            "athlete": settings.athlete.name,
            "timezone": settings.athlete.timezone,
            "goal": {"race": goal.race, "distance_m": goal.distance_m, "date": str(goal.day)},
            "delivery": settings.delivery.target,
            "activity_source": settings.activities.source,
        }
        state_dir = settings.state_dir(environ)
        url = settings.database_url(environ)
    zone: tzinfo = UTC if settings is None else settings.zone()
    report["state_dir"] = str(state_dir)
    report["next_jobs"] = _next_jobs(settings, now)
    report["tokens"] = _tokens(settings, environ)
    report.update(_stored(url, settings, now))
    for cycle in report["cycles"]:
        for key in ("started_at", "finished_at"):
            if cycle[key] is not None:
                cycle[key] = _iso(cycle[key], zone)
    for alert in report["alerts"].values():
        if isinstance(alert, dict) and isinstance(alert.get("since"), str):
            alert["since"] = _iso_text(alert["since"], zone)
    relogin = report.get("garmin_relogin_needed")
    if isinstance(relogin, dict) and isinstance(relogin.get("since"), str):
        report["garmin_relogin_needed"] = {**relogin, "since": _iso_text(relogin["since"], zone)}
    return report


def _next_jobs(settings: Settings | None, now: datetime) -> dict[str, Any]:
    """When the daemon's jobs fire next, computed from the config (it adds up to a minute of
    jitter); empty without a config."""
    if settings is None:
        return {}
    from ampt_sync.schedule import next_fire

    zone = settings.zone()
    sync = settings.sync
    return {
        "push": _iso(next_fire(now, sync.push_time(), zone), zone),
        "adapt": _iso(next_fire(now, sync.adapt_time(), zone), zone),
        "poll_minutes": sync.poll_minutes or None,
    }


def _tokens(settings: Settings | None, environ: Mapping[str, str]) -> dict[str, Any]:
    if settings is None:
        return {}
    from ampt_sync.secrets import (
        GARMIN_TOKENS,
        INTERVALS_KEY,
        TOKEN_FILE,
        EncryptedFileKeyring,
        open_token_store,
    )
    from ampt_sync.strava.client import load_tokens

    strava: dict[str, Any] = {"connected": False}
    garmin: dict[str, Any] = {"connected": False}
    intervals: dict[str, Any] = {"connected": False}
    try:
        state_dir = settings.state_dir(environ)
        store = open_token_store(
            settings.secrets.backend, state_dir, environ=environ, create_key=False
        )
        if (
            isinstance(store.backend, EncryptedFileKeyring)
            and not (state_dir / TOKEN_FILE).exists()
        ):
            return {
                "strava": strava,
                "garmin": garmin,
                "intervals": intervals,
                "store": store.description,
            }
        tokens = load_tokens(store)
        if tokens is not None:
            strava = {
                "connected": True,
                "athlete_id": tokens.athlete_id,
                "scope": tokens.scope,
                "access_expires_at": _iso(
                    datetime.fromtimestamp(tokens.expires_at, UTC), settings.zone()
                ),
            }
        garmin["connected"] = store.get(GARMIN_TOKENS) is not None
        key = store.get_json(INTERVALS_KEY)
        if key:
            intervals = {"connected": True, "athlete_id": key.get("athlete_id")}
    except AmptSyncError as exc:
        return {"error": str(exc)}
    return {
        "strava": strava,
        "garmin": garmin,
        "intervals": intervals,
        "store": store.description,
    }


def _stored(url: str, settings: Settings | None, now: datetime) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from ampt_sync.store import reports, state
    from ampt_sync.store.db import Store, head_revision, redacted, sqlite_path
    from ampt_sync.store.models import ActivityRow, Base

    database: dict[str, Any] = {"url": redacted(url), "exists": False}
    result: dict[str, Any] = {
        "database": database,
        "activities": {"count": 0, "runs": 0, "first_day": None, "last_day": None},
        "cycles": [],
        "paused_until": None,
        "alerts": {},
        "horizon": [],
        "instructions": [],
        "stored": {},
        "unresolved_garmin_writes": [],
        "intervals": {"events": 0, "unconfirmed": [], "last_day": None},
    }
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return result
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true" if path is not None else url)
    store = Store(engine)
    try:
        with store.transaction() as session:
            tables = set(inspect(session.connection()).get_table_names())
            database["exists"] = True
            revision = None
            if "alembic_version" in tables:
                revision = (
                    session.connection()
                    .exec_driver_sql("SELECT version_num FROM alembic_version")
                    .scalar()
                )
            database["revision"] = revision
            database["head"] = head_revision()
            if revision != database["head"]:
                database["note"] = "schema will be migrated by the next command that writes"
                return result
            for table in Base.metadata.sorted_tables:
                result["stored"][table.name] = session.scalar(
                    select(func.count()).select_from(table)
                )
            first, last, count = session.execute(
                select(func.min(ActivityRow.day), func.max(ActivityRow.day), func.count())
            ).one()
            runs = session.scalar(
                select(func.count()).where(
                    ActivityRow.sport_type.in_(("Run", "TrailRun", "VirtualRun"))
                )
            )
            result["activities"] = {
                "count": count,
                "runs": runs,
                "first_day": None if first is None else str(first),
                "last_day": None if last is None else str(last),
            }
            result["cycles"] = [
                {
                    "kind": row.kind,
                    # aware datetimes here; collect_status writes them in the athlete's zone
                    "started_at": row.started_at,
                    "finished_at": row.finished_at,
                    "result": row.result,
                    "api_calls": row.report_json.get("api_calls", {}),
                    "errors": row.report_json.get("errors", []),
                }
                for row in reports.recent(session, limit=5)
            ]
            result["alerts"] = state.get(session, state.ACTIVE_ALERTS) or {}
            relogin = state.get(session, state.GARMIN_RELOGIN)
            result["garmin_relogin_needed"] = relogin
            result["unresolved_garmin_writes"] = _unresolved(session)
            result["intervals"] = _intervals_ledger(session)
            if settings is not None:
                today = now.astimezone(settings.zone()).date()
                paused = state.paused_until(session, today)
                result["paused_until"] = None if paused is None else paused.isoformat()
                result["horizon"] = _horizon(
                    session, today, settings.sync.horizon_days, settings.delivery.target
                )
                result["instructions"] = _instructions(session, today)
    except SQLAlchemyError as exc:
        database["error"] = f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    finally:
        store.close()
    return result


def _intervals_ledger(session: Any) -> dict[str, Any]:
    """What ampt-sync put on intervals.icu, as its ledger says (see ampt_sync.intervals.ledger)."""
    from ampt_sync.store import state

    rows = (state.get(session, state.INTERVALS_LEDGER) or {}).get("events") or {}
    return {
        "events": len(rows),
        "unconfirmed": sorted(key for key, row in rows.items() if not row.get("hash")),
        "last_day": max((row["day"] for row in rows.values()), default=None),
    }


def _instructions(session: Any, today: date) -> list[dict[str, Any]]:
    from ampt_sync.steering import instruction_to_json, instructions_in_force

    return [instruction_to_json(i, today) for i in instructions_in_force(session, today)]


def _unresolved(session: Any) -> list[dict[str, Any]]:
    """Ledger rows with a Garmin write whose outcome is not known yet (a push stopped mid-write,
    or a write that may still land late); the next push looks on Garmin and resolves them."""
    from sqlalchemy import select

    from ampt_sync.garmin.reconcile import TOMBSTONE
    from ampt_sync.store.models import GarminLedgerRow

    rows = session.scalars(
        select(GarminLedgerRow)
        .where(GarminLedgerRow.pending.is_not(None), GarminLedgerRow.pending != TOMBSTONE)
        .order_by(GarminLedgerRow.key)
    ).all()
    return [{"key": row.key, "pending": row.pending} for row in rows]


def _horizon(session: Any, today: date, days: int, target: str = "garmin") -> list[dict[str, Any]]:
    """The next ``days`` days: the plan's workouts beside what the ledger of the delivery
    target says is there (the ``garmin`` key holds intervals.icu's when that is the target:
    ``pending`` is ``"unconfirmed"`` for an event whose last write is not confirmed yet)."""
    from sqlalchemy import select

    from ampt_sync.store import state
    from ampt_sync.store.models import GarminLedgerRow
    from ampt_sync.store.plans import load_plan

    plan = load_plan(session)
    end = today + timedelta(days=days)
    on_garmin: dict[date, list[dict[str, Any]]] = {}
    if target == "intervals":
        rows = (state.get(session, state.INTERVALS_LEDGER) or {}).get("events") or {}
        for key, row in rows.items():
            day = date.fromisoformat(row["day"])
            if today <= day < end:
                pending = None if row.get("hash") else "unconfirmed"
                on_garmin.setdefault(day, []).append({"key": key, "pending": pending})
    elif target == "garmin":
        for row in session.scalars(select(GarminLedgerRow)).all():
            if row.scheduled_day is not None and today <= row.scheduled_day < end:
                on_garmin.setdefault(row.scheduled_day, []).append(
                    {"key": row.key, "workout_id": row.garmin_workout_id, "pending": row.pending}
                )
    planned: dict[date, list[dict[str, Any]]] = {}
    if plan is not None:
        for day, workout in plan.workouts_between(today, end):
            planned.setdefault(day, []).append(
                {"key": workout.key, "kind": workout.kind.value, "title": workout.title}
            )
    return [
        {
            "date": (today + timedelta(days=i)).isoformat(),
            "plan": planned.get(today + timedelta(days=i), []),
            "garmin": on_garmin.get(today + timedelta(days=i), []),
        }
        for i in range(days)
    ]


def _when(iso: str, report: dict[str, Any]) -> str:
    """A report's moment as the runner reads it: "Fri 4 Dec 19:23" (the athlete's zone, which the
    report's offsets already carry; "UTC" added when there is no config to name a zone)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return moment_label(moment) + (" UTC" if report["config"]["error"] else "")


def _day(iso: str | None, *, year: bool = False) -> str:
    """A report's date as "Fri 4 Dec" (with the year when asked)."""
    if iso is None:
        return "?"
    day = date.fromisoformat(iso)
    return day_label_with_year(day) if year else day_label(day)


def garmin_connected(report: dict[str, Any]) -> bool | None:
    """Whether the delivery target is connected (Garmin tokens stored, or the intervals.icu key
    when ``[delivery] target = "intervals"``; never with ``"none"``): True, False, or None when
    it is not known (no config, or the token store could not be read)."""
    target = report["config"].get("delivery", "garmin")
    if target == "none":
        return False
    garmin = report["tokens"].get("intervals" if target == "intervals" else "garmin")
    return None if garmin is None else bool(garmin["connected"])


def status_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The status report as (label, text) rows, in the words `status` prints and the runner's
    page shows: moments as "Fri 4 Dec 19:23" in the athlete's zone, dates with their weekday.
    Pure."""
    rows: list[tuple[str, str]] = []
    config = report["config"]
    rows.append(("version", report["version"]))
    if config["error"]:
        rows.append(("config", f"problem: {config['error']}"))
    else:
        goal = config["goal"]
        rows.append(("config", config["path"]))
        rows.append(("athlete", f"{config['athlete']} ({config['timezone']})"))
        rows.append(("goal", f"{goal['race']} on {_day(goal['date'], year=True)}"))
        for warning in config["warnings"]:
            rows.append(("warning", warning))
    rows.append(("state dir", report["state_dir"]))
    database = report["database"]
    if not database["exists"]:
        rows.append(("database", f"{database['url']} (not created yet)"))
    else:
        rows.append(("database", f"{database['url']} (schema {database.get('revision')})"))
        for key in ("error", "note"):
            if database.get(key):
                rows.append(("", database[key]))
    tokens = report["tokens"]
    if tokens.get("error"):
        rows.append(("tokens", f"problem: {tokens['error']}"))
    elif tokens:
        strava = tokens["strava"]
        source = report["config"].get("activity_source")
        if source in ("garmin", "intervals"):
            # Runs come from Garmin Connect or intervals.icu: Strava is not needed, never asked.
            name = "Garmin Connect" if source == "garmin" else "intervals.icu"
            strava_row = f"not used: runs are read from {name} ([activities] source)"
        elif strava["connected"]:
            strava_row = (
                f"connected (access token until {_when(strava['access_expires_at'], report)}; "
                "renewed as needed)"
            )
        else:
            strava_row = "not connected: run `ampt-sync auth strava`"
        rows.append(("Strava", strava_row))
        if source == "intervals":
            key = tokens.get("intervals") or {}
            rows.append(
                (
                    "runs from",
                    f"intervals.icu (athlete {key.get('athlete_id')})"
                    if key.get("connected")
                    else "intervals.icu, not connected: run `ampt-sync auth intervals`",
                )
            )
        garmin = "connected" if tokens["garmin"]["connected"] else "not connected"
        if report.get("garmin_relogin_needed"):
            garmin = "re-login needed: run `ampt-sync auth garmin`"
        elif not tokens["garmin"]["connected"]:
            garmin += ": run `ampt-sync auth garmin`"
        rows.append(("Garmin", garmin))
        rows.append(("delivery", _delivery_text(report)))
    acts = report["activities"]
    if acts["count"]:
        first, last = acts["first_day"], acts["last_day"]
        different_years = first is not None and last is not None and first[:4] != last[:4]
        rows.append(
            (
                "activities",
                f"{acts['count']} ({acts['runs']} runs), "
                f"{_day(first, year=different_years)} to {_day(last, year=different_years)}",
            )
        )
    else:
        rows.append(("activities", "none stored"))
    if report["paused_until"]:
        rows.append(
            ("paused", f"until {_day(report['paused_until'])} (`ampt-sync resume` ends it)")
        )
    jobs = report["next_jobs"]
    if jobs:
        rows.append(("next push", _when(jobs["push"], report)))
        rows.append(("next adapt", _when(jobs["adapt"], report)))
    for cycle in report["cycles"]:
        calls = cycle["api_calls"]
        rows.append(
            (
                "cycle",
                f"{_when(cycle['started_at'], report)} {cycle['kind']}: {cycle['result']} "
                f"(Strava {calls.get('strava', 0)}, Garmin {calls.get('garmin', 0)}"
                + (f", intervals.icu {calls['intervals']}" if calls.get("intervals") else "")
                + " calls)",
            )
        )
    for instruction in report.get("instructions", []):
        rows.append(
            (
                "instruction",
                f"#{instruction['id']} {instruction['summary']} "
                "(`ampt-sync undo` takes the last back)",
            )
        )
    for problem, alert in report["alerts"].items():
        rows.append(
            ("alert", f"{alert['title']} ({problem}, since {_when(alert['since'], report)})")
        )
    unresolved = report.get("unresolved_garmin_writes") or []
    if unresolved:
        rows.append(
            (
                "Garmin writes",
                f"{len(unresolved)} unresolved (the next push checks them on Garmin): "
                + ", ".join(f"{w['key']} ({w['pending']})" for w in unresolved),
            )
        )
    return rows


def _delivery_text(report: dict[str, Any]) -> str:
    """Where the workouts go (``[delivery] target``) and, for intervals.icu, what is there."""
    target = report["config"].get("delivery", "garmin")
    if target == "none":
        return (
            "none: nothing is pushed; FIT files with `ampt-sync export fit` and the calendar "
            "feed only"
        )
    if target == "garmin":
        return "Garmin Connect"
    connected = (report["tokens"].get("intervals") or {}).get("connected")
    if not connected:
        return "intervals.icu, not connected: run `ampt-sync auth intervals`"
    athlete = report["tokens"]["intervals"].get("athlete_id")
    ledger = report.get("intervals") or {}
    text = f"intervals.icu (athlete {athlete}): {ledger.get('events', 0)} workout(s) put there"
    if ledger.get("last_day"):
        text += f", until {_day(ledger['last_day'])}"
    if ledger.get("unconfirmed"):
        text += f"; {len(ledger['unconfirmed'])} not confirmed yet (the next push writes them)"
    return text


#: The horizon's marks, in the order the legend explains them.
ON_GARMIN = "✓"
WAITING = "…"
CHECKING = "?"
NOT_CONNECTED = "not connected"


def horizon_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The next days as (ISO date, plan, on Garmin) rows, in `status`'s words; the page links
    the date to its day. The Garmin column marks each workout (see :func:`horizon_legend`), or
    says "not connected" when no Garmin tokens are stored (nothing would be pushed). Pure."""
    connected = garmin_connected(report)
    rows = []
    for day in report["horizon"]:
        planned = {w["key"]: w["title"] for w in day["plan"] if w["kind"] != "rest"}
        plan_text = ", ".join(planned.values()) or "rest"
        if connected is False:
            rows.append((day["date"], plan_text, NOT_CONNECTED))
            continue
        pending = {g["key"]: g.get("pending") for g in day["garmin"]}
        shown = ", ".join(f"{title} {_mark(key, pending)}" for key, title in planned.items())
        extra = set(pending) - set(planned)
        rows.append(
            (
                day["date"],
                plan_text,
                (shown or "nothing") + (f" (+{len(extra)} to remove)" if extra else ""),
            )
        )
    return rows


def _mark(key: str, pending: dict[str, Any]) -> str:
    from ampt_sync.garmin.reconcile import TOMBSTONE

    if key not in pending:
        return WAITING
    return CHECKING if pending[key] and pending[key] != TOMBSTONE else ON_GARMIN


def horizon_legend(report: dict[str, Any]) -> str:
    """One line that explains :func:`horizon_rows`' Garmin column. Pure."""
    target = report["config"].get("delivery", "garmin")
    if target == "none":
        return 'delivery.target = "none": nothing is pushed (`ampt-sync export fit` writes files)'
    if target == "intervals":
        if garmin_connected(report) is False:
            return (
                "on intervals.icu: not connected, so nothing is pushed; `ampt-sync auth "
                "intervals` connects it"
            )
        return (
            f"{ON_GARMIN} on intervals.icu · {WAITING} waiting for the next push · {CHECKING} "
            "written, not confirmed yet · +N to remove: put there by ampt-sync, no longer planned"
        )
    if garmin_connected(report) is False:
        return "on Garmin: not connected, so nothing is pushed; `ampt-sync auth garmin` connects it"
    return (
        f"{ON_GARMIN} on Garmin · {WAITING} waiting for the next push · {CHECKING} a write whose "
        "outcome the next push checks · +N to remove: put there by ampt-sync, no longer planned"
    )


def render_status(report: dict[str, Any], console: Console) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, text in status_rows(report):
        table.add_row(label, text)
    console.print(table)
    if report["horizon"]:
        horizon = Table(title="Next days: plan and Garmin", title_justify="left")
        horizon.add_column("date")
        horizon.add_column("plan")
        horizon.add_column("on Garmin")
        for iso, planned, garmin in horizon_rows(report):
            horizon.add_row(_day(iso), planned, garmin)
        console.print(horizon)
        console.print(horizon_legend(report))
