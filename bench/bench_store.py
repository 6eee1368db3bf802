"""How big the store grows in a year of daily cycles.

Runs the demo's machinery (:func:`ampt_sync.demo.simulate`: the simulated Strava and Garmin on
loopback through the real clients, a push cycle every morning and an adapt cycle every evening,
a seeded runner who does, shortens or misses each workout) for 365 simulated days, and prints at
the end of every 30 days:

* the SQLite database's size (pages in use, WAL included) and how much of it is free pages;
* the plan versions stored and the bytes their JSON takes (the newest in full, the older ones as
  deltas);
* beside it, what those versions would take stored in full, as before migration 0003 (each new
  version counted at the size of the newest plan's JSON when it was made).

Then it compacts the file (``VACUUM``) and prints the size after, and which tables hold the
bytes. Last, the worst case for the plans table: a new version every day for as many days
(synthetic changes saved through ``save_plan``, no cycles). Nothing is asserted (machines
differ); the goal (issue 14) is under 20 MB at a year.

Run with ``python bench/bench_store.py [--days 365] [--write docs/performance.md]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from report import measured_line, replace_between
from sqlalchemy import text

from ampt_sync.demo import simulate
from ampt_sync.domain import Plan, Workout
from ampt_sync.store.db import Store, compact, sqlite_size

START = "<!-- store figures -->"
END = "<!-- end of store figures -->"
MB = 1024 * 1024
#: The JSON each table keeps, for the breakdown at the end.
JSON_COLUMNS = {
    "activities": "coalesce(length(summary_json), 0) + coalesce(length(detail_json), 0)",
    "plans": "coalesce(length(plan_json), 0) + coalesce(length(delta_json), 0)",
    "planned_workouts": "length(workout_json)",
    "run_reports": "length(report_json)",
    "plan_changes": "length(reason)",
    "garmin_ledger": "0",
}


@dataclass
class Sample:
    day_number: int
    day: date
    total_bytes: int
    free_bytes: int
    versions: int
    plan_bytes: int
    full_bytes: int
    seconds: float


class Recorder:
    """Called after each simulated day: counts what full versions would cost, samples the size
    every ``every`` days, and compacts after the last day."""

    def __init__(self, days: int, every: int = 30) -> None:
        self.days, self.every = days, every
        self.count = 0
        self.newest_version = 0
        self.full_bytes = 0
        self.samples: list[Sample] = []
        self.after_vacuum_bytes = 0
        self.tables: dict[str, tuple[int, int]] = {}
        self.started = clock.perf_counter()

    def __call__(self, day: date, store: Store) -> None:
        self.count += 1
        with store.engine.connect() as connection:
            version, full = connection.execute(
                text("SELECT version, length(plan_json) FROM plans ORDER BY version DESC LIMIT 1")
            ).one()
            if version > self.newest_version:
                self.full_bytes += (version - self.newest_version) * full
                self.newest_version = version
            if self.count % self.every and self.count != self.days:
                return
            versions, plan_bytes = connection.execute(
                text(f"SELECT count(*), sum({JSON_COLUMNS['plans']}) FROM plans")  # noqa: S608
            ).one()
        size = sqlite_size(store.engine)
        assert size is not None
        sample = Sample(
            self.count, day, size.total_bytes, size.free_bytes, versions, plan_bytes,
            self.full_bytes, clock.perf_counter() - self.started,
        )  # fmt: skip
        self.samples.append(sample)
        print(
            f"day {sample.day_number:3d} ({day}): {sample.total_bytes / MB:5.1f} MB, "
            f"{versions} plan versions in {plan_bytes / MB:.2f} MB "
            f"(in full: {self.full_bytes / MB:.1f} MB), {sample.seconds:.0f} s",
            flush=True,
        )
        if self.count == self.days:
            with store.engine.connect() as connection:
                for table, expression in JSON_COLUMNS.items():
                    rows, json_bytes = connection.execute(
                        text(f"SELECT count(*), coalesce(sum({expression}), 0) FROM {table}")  # noqa: S608 - our own names
                    ).one()
                    self.tables[table] = (rows, json_bytes)
            after = compact(store.engine)
            assert after is not None
            self.after_vacuum_bytes = after.total_bytes


def report(recorder: Recorder) -> str:
    lines = [
        f"### Store size over {recorder.days} simulated days",
        "",
        measured_line(),
        "",
        "`python bench/bench_store.py --write docs/performance.md`: the demo's runner, a push",
        "and an adapt cycle a day. Goal: under 20 MB at a year.",
        "",
        "| day | database | of which free pages | plan versions | their JSON "
        "| the same versions in full (before 0003) |",
        "|---|---|---|---|---|---|",
    ]
    for s in recorder.samples:
        lines.append(
            f"| {s.day_number} | {s.total_bytes / MB:.1f} MB | {s.free_bytes / MB:.2f} MB | "
            f"{s.versions} | {s.plan_bytes / MB:.2f} MB | {s.full_bytes / MB:.1f} MB |"
        )
    lines += [
        "",
        f"After `VACUUM` at the end: {recorder.after_vacuum_bytes / MB:.1f} MB.",
        "",
        "| table | rows | JSON and text kept |",
        "|---|---|---|",
    ]
    for table, (rows, json_bytes) in recorder.tables.items():
        lines.append(f"| {table} | {rows} | {json_bytes / MB:.2f} MB |")
    return "\n".join(lines)


def write(path: Path, section: str) -> None:
    """Replace the store section of ``path`` (or put it before ``<!-- figures -->``, which
    ``bench_cycle.py`` rewrites everything after)."""
    content = path.read_text()
    if START in content and END in content:
        replace_between(path, START, END, f"\n\n{section}\n\n")
        return
    before, after = content.split("<!-- figures -->", 1)
    path.write_text(f"{before}{START}\n\n{section}\n\n{END}\n\n<!-- figures -->{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="simulated days (default 365)")
    parser.add_argument("--write", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    recorder = Recorder(args.days)
    simulate(args.days, each_day=recorder)
    print(f"\nthe worst case: a new plan version on each of {args.days} days")
    daily = bench_daily_versions(args.days)
    section = (
        report(recorder)
        + "\n\n"
        + "\n".join(
            [
                f"The worst case, a new plan version every day for {args.days} days (a marathon "
                "plan by the training core, one upcoming easy run 100 m longer each day, saved "
                "through `save_plan`):",
                "",
                *daily,
            ]
        )
    )
    print()
    print(section)
    if args.write is not None:
        write(args.write, section)
        print(f"\nwrote {args.write}", file=sys.stderr)


def bench_daily_versions(days: int, every: int = 30) -> list[str]:
    """The worst case: a new plan version every day. A half-marathon plan made by the training
    core, then each day one upcoming easy run 100 m longer (a change the adaptation could make),
    saved through :func:`save_plan` into a fresh SQLite store."""
    from dataclasses import replace

    from ampt_sync.domain import Athlete, Goal, Schedule
    from ampt_sync.store.db import open_store
    from ampt_sync.store.plans import save_plan
    from ampt_sync.training import library
    from ampt_sync.training.fitness import estimate_fitness
    from ampt_sync.training.planner import generate_plan

    first = date(2026, 1, 5)
    athlete = Athlete(
        name="bench", timezone="UTC", units="km", weekly_distance_m=40_000.0,
        schedule=Schedule(run_days=(1, 3, 5, 6), long_run_day=6),
    )  # fmt: skip
    goal = Goal(distance_m=42195.0, day=first + timedelta(days=days + 14), race="Bench Marathon")
    fitness = estimate_fitness([], athlete, first)
    plan = generate_plan(goal, athlete, fitness, [], first)
    rows = [
        "| day | database | of which free pages | plan versions | their JSON "
        "| the same versions in full (before 0003) |",
        "|---|---|---|---|---|---|",
    ]
    full_bytes = 0
    with tempfile.TemporaryDirectory(prefix="ampt-sync-bench-") as folder:
        store = open_store(f"sqlite:///{folder}/state.db")
        try:
            for n in range(days):
                day = first + timedelta(days=n)
                upcoming = [w for d, w in plan.workouts_between(day, date.max) if w.kind == "easy"]
                if upcoming:
                    easy = upcoming[0]
                    longer = library.easy_run(
                        easy.key, plan.fitness.paces, distance_m=easy.distance_m + 100
                    )
                    plan = _with(plan, easy.key, longer)
                plan = replace(plan, generated_on=day)
                with store.transaction() as session:
                    save_plan(session, plan, now=datetime.combine(day, time(20), tzinfo=UTC))
                with store.engine.connect() as connection:
                    versions, plan_bytes, newest = connection.execute(
                        text(
                            f"SELECT count(*), sum({JSON_COLUMNS['plans']}), "  # noqa: S608
                            "max(length(plan_json)) FROM plans"
                        )
                    ).one()
                full_bytes += newest
                if (n + 1) % every and n + 1 != days:
                    continue
                size = sqlite_size(store.engine)
                assert size is not None
                rows.append(
                    f"| {n + 1} | {size.total_bytes / MB:.1f} MB | {size.free_bytes / MB:.2f} MB "
                    f"| {versions} | {plan_bytes / MB:.2f} MB | {full_bytes / MB:.1f} MB |"
                )
                print(rows[-1], flush=True)
        finally:
            store.close()
    return rows


def _with(plan: Plan, key: str, workout: Workout) -> Plan:
    """``plan`` with the workout ``key`` replaced by ``workout`` (same day)."""
    from dataclasses import replace

    weeks = tuple(
        replace(
            week,
            days=tuple(
                replace(d, workouts=tuple(workout if w.key == key else w for w in d.workouts))
                for d in week.days
            ),
        )
        for week in plan.weeks
    )
    return replace(plan, weeks=weeks, changes=())


if __name__ == "__main__":
    main()
