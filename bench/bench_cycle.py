"""What a cycle costs, against what it could cost at best.

Figures, all against the simulated Strava and Garmin on loopback through the real clients
(``ampt_sync.sim.accounts``), none asserted (machines differ):

1. API calls per cycle, per service, in four situations, beside the minimum possible:
   * steady state: a second cycle with nothing new;
   * one change: one planned workout in the horizon edited, then pushed;
   * a new week: the clock moved 7 days on (a week of the horizon leaves, a week arrives);
   * a new day: the clock moved 1 day on (the daily cycle: yesterday leaves, a day arrives).
   The minimum is one write per needed change plus the one read the steady state needs: for
   Garmin, one calendar read per month in the window, and per action its bare writes (create +
   schedule, a PUT, unschedule + delete, one write for a move), without any read-back, look-up
   or library listing; for Strava, the listing, the detail fetches and the token refreshes. The
   Garmin ratio is printed beside issue 14's goal of 1.5 times the minimum.
2. Cycle wall time with a simulated network latency per request, beside the floor
   (requests × latency), for a first and a steady cycle.
3. The daemon's idle memory (RSS after its first cycle, on a store set-up has already made)
   beside the memory of a Python that merely imports the dependencies the idle daemon holds
   (:data:`DAEMON_DEPENDENCIES`), with issue 14's goal of 1.15 times that floor; and the same
   daemon started on a new store, which imports Alembic to create it.
4. ``ampt-sync --help`` start-up time beside importing Typer and Rich alone, with issue 14's
   goal of 1.5 times that floor.

Run with ``make bench`` or ``python bench/bench_cycle.py [--write docs/performance.md]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from report import replace_between, sections_text

from ampt_sync.config import load_config
from ampt_sync.service import CycleDeps, CycleReport, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan, save_plan

RUNNER = """
[athlete]
timezone = "Europe/London"
[goal]
distance = "half"
date = {goal}
[schedule]
run_days = ["mon", "tue", "thu", "sat", "sun"]
long_run_day = "sun"
[sync]
horizon_days = 7
poll_minutes = 0
"""
LATENCY_S = 0.05
#: Bare writes per push action, by the first word
#: :func:`ampt_sync.garmin.push_report.describe` gives it. A move is Garmin's one reschedule
#: write (or one schedule when the workout was on no day).
BARE_WRITES = {"create": 2, "update": 1, "move": 1, "unschedule": 1, "remove": 2, "record": 0}
#: Issue 14's goal for the Garmin calls of a push that writes, as a multiple of its minimum.
GOAL_RATIO = 1.5
#: What the idle daemon must hold, as a Python that imports only that: the clients of both
#: services, the scheduler, the store (SQLAlchemy's ORM, its SQLite dialect and the sqlite3
#: driver itself, which the dialect imports only when an engine is made), the secrets,
#: the CLI it starts from, the config's validation, and the runner's page that it serves by
#: default (Starlette, uvicorn, Jinja2, python-multipart, itsdangerous). Not Alembic: the daemon
#: imports it only when a migration is pending (see ampt_sync/store/db.py).
DAEMON_DEPENDENCIES = (
    "stravalib, garminconnect, apscheduler.schedulers.background, sqlalchemy.orm, "
    "sqlalchemy.dialects.sqlite, sqlite3, keyring, cryptography.fernet, typer, rich.console, "
    "pydantic, requests, starlette.applications, uvicorn, jinja2, python_multipart, itsdangerous"
)
#: Issue 14's goals: idle daemon memory and ``--help`` time, as multiples of their floors.
GOAL_MEMORY_RATIO = 1.15
GOAL_HELP_RATIO = 1.5


def runner() -> str:
    return RUNNER.format(goal=(date.today() + timedelta(weeks=18)).isoformat())


def deps(accounts: SimulatedAccounts) -> CycleDeps:
    return CycleDeps(
        settings=accounts.settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
    )


def minimum(report: CycleReport, *, strava_listings: int = 1) -> dict[str, int]:
    """The fewest requests that could have done what this cycle did."""
    pushed = report.pushed or {}
    first, end = (date.fromisoformat(d) for d in pushed.get("window", [report.today] * 2))
    months = len({(first + timedelta(days=i)).strftime("%Y-%m") for i in range((end - first).days)})
    writes = sum(BARE_WRITES.get(action[0].split()[0], 2) for action in pushed.get("applied", []))
    details = (report.pulled or {}).get("details_fetched", 0)
    refreshes = (report.pulled or {}).get("token_refreshes", 0)
    return {"strava": strava_listings + details + refreshes, "garmin": months + writes}


def calls_table(rows: list[tuple[str, CycleReport, dict[str, int]]]) -> list[str]:
    lines = [
        "| situation | Strava calls | minimum | Garmin calls | minimum | Garmin ratio "
        f"(goal ≤ {GOAL_RATIO}×) | Garmin actions |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, report, least in rows:
        applied = len((report.pushed or {}).get("applied", []))
        garmin = report.api_calls["garmin"]
        ratio = garmin / least["garmin"] if least["garmin"] else float("nan")
        lines.append(
            f"| {name} | {report.api_calls['strava']} | {least['strava']} | "
            f"{garmin} | {least['garmin']} | {ratio:.2f}× | {applied} |"
        )
    return lines


def bench_calls(folder: Path) -> list[str]:
    with simulated_accounts(folder / "calls", runner(), history_days=84) as accounts:
        run_cycle(deps(accounts), "push")
        steady = run_cycle(deps(accounts), "push")

        # One change: edit one planned workout in the horizon, then cycle.
        store = open_store(accounts.settings.database_url(accounts.environ))
        try:
            with store.transaction() as session:
                plan = load_plan(session)
                today = accounts.local_today()
                _day, workout = next(
                    (d, w)
                    for d, w in plan.workouts_between(
                        today + timedelta(days=1), today + timedelta(days=7)
                    )
                    if w.kind != "rest"
                )
                edited = dataclasses.replace(workout, title=workout.title + " (edited)")
                weeks = tuple(
                    dataclasses.replace(
                        week,
                        days=tuple(
                            dataclasses.replace(
                                pd,
                                workouts=tuple(
                                    edited if w.key == workout.key else w for w in pd.workouts
                                ),
                            )
                            for pd in week.days
                        ),
                    )
                    for week in plan.weeks
                )
                save_plan(session, dataclasses.replace(plan, weeks=weeks), now=accounts.now())
        finally:
            store.close()
        one_change = run_cycle(deps(accounts), "push")

        accounts.advance_to(accounts.now() + timedelta(days=7))
        new_week = run_cycle(deps(accounts), "push")
        accounts.advance_to(accounts.now() + timedelta(days=1))
        new_day = run_cycle(deps(accounts), "push")
    rows = [
        ("steady state (nothing new)", steady, minimum(steady)),
        ("one planned workout changed", one_change, minimum(one_change)),
        ("a new week (clock + 7 days)", new_week, minimum(new_week)),
        ("a new day (clock + 1 day)", new_day, minimum(new_day)),
    ]
    return calls_table(rows)


def bench_latency(folder: Path) -> list[str]:
    lines = [
        f"| cycle | requests | wall time | floor ({LATENCY_S * 1000:.0f} ms × requests) "
        "| overhead |",
        "|---|---|---|---|---|",
    ]
    with simulated_accounts(folder / "latency", runner(), history_days=84) as accounts:
        accounts.strava.latency_s = LATENCY_S
        accounts.garmin.latency_s = LATENCY_S
        for name in ("first cycle (backfill, plan, 7 workouts)", "steady cycle"):
            started = time.perf_counter()
            report = run_cycle(deps(accounts), "push")
            wall = time.perf_counter() - started
            requests = report.api_calls["strava"] + report.api_calls["garmin"]
            floor = requests * LATENCY_S
            lines.append(
                f"| {name} | {requests} | {wall:.2f} s | {floor:.2f} s | {wall - floor:.2f} s |"
            )
    return lines


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def import_floor_kib() -> int:
    """The resident memory of a Python that imports :data:`DAEMON_DEPENDENCIES` and idles."""
    importer = subprocess.Popen(
        [sys.executable, "-c", f"import {DAEMON_DEPENDENCIES}; import time; time.sleep(30)"],
    )
    try:
        time.sleep(4)
        return rss_kib(importer.pid)
    finally:
        importer.kill()
        importer.wait()


def idle_daemon_kib(folder: Path, *, store_made: bool) -> int:
    """The resident memory of ``ampt-sync run`` 3 s after its first cycle (with the page on, as
    by default). ``store_made``: the database exists at head, as after set-up (``auth garmin``
    opens it) or any restart; otherwise the daemon creates it, importing Alembic."""
    executable = str(Path(sys.executable).with_name("ampt-sync"))
    with simulated_accounts(folder, runner(), history_days=84) as accounts:
        config = folder.with_suffix(".toml")
        config.write_text(config_for(folder, runner()))
        if store_made:
            settings = load_config(config).settings
            open_store(settings.database_url(accounts.environ)).close()
        notify = folder.with_suffix(".sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(notify))
        sock.settimeout(60)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMPT_SYNC_")}
        env.update(accounts.environ)
        env.update({"AMPT_SYNC_CONFIG": str(config), "NOTIFY_SOCKET": str(notify)})
        daemon = subprocess.Popen([executable, "run"], env=env, stderr=subprocess.DEVNULL)
        try:
            while "last catch-up" not in sock.recv(4096).decode():
                pass
            time.sleep(3)
            return rss_kib(daemon.pid)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(20)
            sock.close()


def bench_memory(folder: Path) -> list[str]:
    floor_kib = import_floor_kib()
    daemon_kib = idle_daemon_kib(folder / "memory", store_made=True)
    first_kib = idle_daemon_kib(folder / "memory-new", store_made=False)

    def row(name: str, kib: int, goal: str = "") -> str:
        return f"| {name} | {kib / 1024:.0f} MiB | {kib / floor_kib:.2f}× | {goal} |"

    return [
        "| process | resident memory | of the floor | goal |",
        "|---|---|---|---|",
        row("floor: Python importing the dependencies the idle daemon holds", floor_kib),
        row(
            "`ampt-sync run`, idle after its first cycle",
            daemon_kib,
            f"≤ {GOAL_MEMORY_RATIO}×",
        ),
        row("the same, started on a new store (creating it imports Alembic)", first_kib),
        "",
        f"The floor imports `{DAEMON_DEPENDENCIES}`.",
    ]


def medians_s(commands: list[list[str]], rounds: int = 15) -> list[float]:
    """The median wall time of each command, run in turns (one of each per round), so that
    whatever else loads the machine weighs on each command alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(rounds):
        for command, samples in zip(commands, times, strict=True):
            started = time.perf_counter()
            subprocess.run(
                command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            samples.append(time.perf_counter() - started)
    return [statistics.median(samples) for samples in times]


def bench_startup() -> list[str]:
    # Byte-compiled first, as an installed package is (pip compiles at install): without it,
    # under PYTHONDONTWRITEBYTECODE every run would compile ampt_sync's sources again while the
    # floor's Typer and Rich load compiled.
    package = Path(__file__).resolve().parent.parent / "ampt_sync"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    executable = str(Path(sys.executable).with_name("ampt-sync"))
    rows = [
        ("`python -c pass`", [sys.executable, "-c", "pass"], ""),
        (
            "floor: `python -c 'import typer, rich.console'`",
            [sys.executable, "-c", "import typer, rich.console"],
            "",
        ),
        (
            "`python -c 'import ampt_sync.cli'` (every command registered)",
            [sys.executable, "-c", "import ampt_sync.cli"],
            "",
        ),
        ("`ampt-sync --help`", [executable, "--help"], f"≤ {GOAL_HELP_RATIO}×"),
        (
            "`ampt-sync push --help` (one command's help)",
            [executable, "push", "--help"],
            "",
        ),
    ]
    seconds = medians_s([command for _, command, _ in rows])
    floor = seconds[1]
    return [
        "| command | median of 15 runs | of the floor | goal |",
        "|---|---|---|---|",
        *(
            f"| {name} | {taken * 1000:.0f} ms | {taken / floor:.2f}× | {goal} |"
            for (name, _, goal), taken in zip(rows, seconds, strict=True)
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sections = [
            ("API calls per cycle", bench_calls(folder)),
            ("Cycle wall time with simulated network latency", bench_latency(folder)),
            ("Daemon memory", bench_memory(folder)),
            ("Start-up time", bench_startup()),
        ]
    text = sections_text(sections, level=3)
    print(text)
    if args.write:
        replace_between(args.write, "<!-- figures -->", None, f"\n\n{text}")

if __name__ == "__main__":
    main()
