"""How big the store grows in a year of daily cycles.

Runs the demo's machinery (:func:`ampt_sync.demo.simulate`: the simulated Strava and Garmin on
loopback through the real clients, a push cycle every morning and an adapt cycle every evening,
a seeded runner who does, shortens or misses each workout) for 365 simulated days, and prints at
the end of every 30 days:

* the SQLite database's size (pages in use, WAL included) and how much of it is free pages;
* the plan versions stored and the bytes their JSON takes (the newest in full, the older ones as
  deltas);
* beside it, what those versions would take stored in full, as before migration 0004 (each new
  version counted at the size of the newest plan's JSON when it was made).

Then it compacts the file (``VACUUM``) and prints the size after, and which tables hold the
bytes. Nothing is asserted (machines differ); the goal (issue 14) is under 20 MB at a year.

Run with ``python bench/bench_store.py [--days 365] [--write docs/performance.md]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text

from ampt_sync.demo import simulate
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
        self.started = time.perf_counter()

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
            self.full_bytes, time.perf_counter() - self.started,
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
        f"Measured {date.today().isoformat()} with Python {platform.python_version()} "
        f"on {os.cpu_count()} cores.",
        "",
        "`python bench/bench_store.py --write docs/performance.md`: the demo's runner, a push",
        "and an adapt cycle a day. Goal: under 20 MB at a year.",
        "",
        "| day | database | of which free pages | plan versions | their JSON "
        "| the same versions in full (before 0004) |",
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
    block = f"{START}\n\n{section}\n\n{END}"
    if START in content and END in content:
        before, rest = content.split(START, 1)
        content = before + block + rest.split(END, 1)[1]
    else:
        before, after = content.split("<!-- figures -->", 1)
        content = before + block + "\n\n<!-- figures -->" + after
    path.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="simulated days (default 365)")
    parser.add_argument("--write", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    recorder = Recorder(args.days)
    simulate(args.days, each_day=recorder)
    section = report(recorder)
    print()
    print(section)
    if args.write is not None:
        write(args.write, section)
        print(f"\nwrote {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
