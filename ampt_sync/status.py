"""`ampt-sync status`: what is configured and stored, from local state only.

It never writes: the database is opened read-only (SQLite ``mode=ro``) and never migrated, and a
broken or missing config is reported, not raised, so that `status` always answers and exits 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ampt_sync import __version__
from ampt_sync.config import default_state_dir, load_config
from ampt_sync.errors import ConfigError


def collect_status(config_path: Path | None) -> dict[str, Any]:
    report: dict[str, Any] = {"version": __version__}
    try:
        loaded = load_config(config_path)
    except ConfigError as exc:
        report["config"] = {"path": None, "error": str(exc), "warnings": []}
        state_dir = default_state_dir()
        url = f"sqlite:///{state_dir / 'ampt-sync.db'}"
    else:
        settings = loaded.settings
        report["config"] = {
            "path": str(loaded.path),
            "error": None,
            "warnings": list(loaded.warnings),
            "athlete": settings.athlete.name,
            "timezone": settings.athlete.timezone,
            "goal": {
                "race": settings.goal_domain().race,
                "distance_m": settings.goal_domain().distance_m,
                "date": settings.goal.date.isoformat(),
            },
        }
        state_dir = settings.state_dir()
        url = settings.database_url()
    report["state_dir"] = str(state_dir)
    report.update(_database_status(url))
    return report


def _database_status(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from ampt_sync.store.db import head_revision, redacted, sqlite_path
    from ampt_sync.store.models import ActivityRow, Base, RunReportRow

    database: dict[str, Any] = {"url": redacted(url), "exists": False}
    result: dict[str, Any] = {
        "database": database,
        "activities": {"count": 0, "runs": 0, "first_day": None, "last_day": None},
        "cycles": [],
        "stored": {},
    }
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return result
    read_url = f"sqlite:///file:{path}?mode=ro&uri=true" if path is not None else url
    engine = create_engine(read_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            database["exists"] = True
            revision = None
            if "alembic_version" in tables:
                revision = connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version"
                ).scalar()
            database["revision"] = revision
            database["head"] = head_revision()
            if revision != database["head"]:
                database["note"] = "schema will be migrated by the next command that writes"
            for table in Base.metadata.sorted_tables:
                if table.name in tables:
                    result["stored"][table.name] = connection.execute(
                        select(func.count()).select_from(table)
                    ).scalar_one()
            if ActivityRow.__tablename__ in tables:
                first, last, count = connection.execute(
                    select(func.min(ActivityRow.day), func.max(ActivityRow.day), func.count())
                ).one()
                runs = connection.execute(
                    select(func.count()).where(
                        ActivityRow.sport_type.in_(("Run", "TrailRun", "VirtualRun"))
                    )
                ).scalar_one()
                result["activities"] = {
                    "count": count,
                    "runs": runs,
                    "first_day": None if first is None else str(first),
                    "last_day": None if last is None else str(last),
                }
            if RunReportRow.__tablename__ in tables:
                rows = connection.execute(
                    select(RunReportRow.kind, RunReportRow.started_at, RunReportRow.result)
                    .order_by(RunReportRow.started_at.desc())
                    .limit(5)
                ).all()
                result["cycles"] = [
                    {"kind": kind, "started_at": started.isoformat(), "result": outcome}
                    for kind, started, outcome in rows
                ]
    except SQLAlchemyError as exc:
        database["error"] = f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()
    return result


def render_status(report: dict[str, Any], console: Console) -> None:
    config = report["config"]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("version", report["version"])
    if config["error"]:
        table.add_row("config", f"problem: {config['error']}")
    else:
        goal = config["goal"]
        table.add_row("config", config["path"])
        table.add_row("athlete", f"{config['athlete']} ({config['timezone']})")
        table.add_row("goal", f"{goal['race']} on {goal['date']}")
        for warning in config["warnings"]:
            table.add_row("warning", warning)
    table.add_row("state dir", report["state_dir"])
    database = report["database"]
    if not database["exists"]:
        table.add_row("database", f"{database['url']} (not created yet)")
    else:
        table.add_row("database", f"{database['url']} (schema {database.get('revision')})")
        if database.get("error"):
            table.add_row("", f"problem: {database['error']}")
        if database.get("note"):
            table.add_row("", database["note"])
    acts = report["activities"]
    if acts["count"]:
        table.add_row(
            "activities",
            f"{acts['count']} ({acts['runs']} runs), {acts['first_day']} to {acts['last_day']}",
        )
    else:
        table.add_row("activities", "none stored")
    for cycle in report["cycles"]:
        table.add_row("cycle", f"{cycle['started_at']} {cycle['kind']}: {cycle['result']}")
    console.print(table)
