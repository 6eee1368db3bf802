"""`ampt-sync demo`: the main job, offline, on a simulated runner.

It starts the simulated Strava and Garmin Connect on loopback (:mod:`ampt_sync.sim.accounts`),
seeds Strava (Garmin Connect's activity list with ``source="garmin"``, intervals.icu's with
``source="intervals"``, where the runs are then recorded and read from) with four months of a
synthetic runner's history (races included), and then lives ``days`` simulated days: every
morning the daemon's push cycle runs at ``sync.push_at`` and we read what the watch would show;
the runner then does, shortens or misses the day's workout (a seeded choice) and it appears on
Strava (or Garmin Connect, or intervals.icu); every evening
the adapt cycle runs at ``sync.adapt_at`` and we keep the changes it made, with their reasons.
Everything goes through the real cycle (:func:`ampt_sync.service.run_cycle`) and the real
stravalib and garminconnect clients.

With ``delivery="intervals"`` (``ampt-sync demo --delivery intervals``) the workouts go to the
simulated intervals.icu instead of Garmin, through the real intervals.icu client, and "the watch"
is what intervals.icu's calendar holds (what it passes on to the watch).

It uses its own embedded config, a temporary state dir, a temporary token store and key: it never
touches the runner's config, state or keyring.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from ampt_sync import plan_json
from ampt_sync.config import Settings
from ampt_sync.domain import Plan, Workout, WorkoutKind
from ampt_sync.plan_text import day_label, day_label_with_year, workout_lines
from ampt_sync.service_names import ROAD_NAMES
from ampt_sync.units import (
    Units,
    format_distance,
    format_duration,
    format_pace,
    format_pace_range,
)

if TYPE_CHECKING:
    from ampt_sync.store.db import Store

#: The embedded runner: the README's example athlete, her goal 21 weeks out.
DEMO_RUNNER = """
[athlete]
name = "Sam (simulated)"
timezone = "America/New_York"
units = "mi"
hr_max = 188
hr_rest = 52
weight_kg = 61

[goal]
race = "AMPT Half"
distance = "half"
date = {goal_day}
target_time = "1:45:00"

[schedule]
run_days = ["mon", "tue", "thu", "sat", "sun"]
long_run_day = "sun"
strength_days = ["tue", "fri"]
hills = "outdoor"

[sync]
push_at = "04:30"
adapt_at = "20:00"
horizon_days = 7
poll_minutes = 0
"""
#: Where the demo can send the workouts (``--delivery``).
DELIVERIES = ("garmin", "intervals")
GOAL_WEEKS_AHEAD = 21
HISTORY_DAYS = 120
SEED = 7
#: How the simulated runner treats a planned workout: mostly as planned, sometimes not. On top of
#: the chance, the first long run is missed and the third workout cut short, so that every demo
#: shows the adaptation rules at work.
OUTCOME_WEIGHTS = {"done": 0.8, "shortened": 0.12, "missed": 0.08}
VERBS = {"done": "ran", "shortened": "cut short", "missed": "missed"}
FIRST_NEW_ACTIVITY_ID = 16_000_000_000


@dataclass
class DemoDay:
    day: date
    #: What the watch's calendar (Garmin's, or intervals.icu's) held that morning from the day on:
    #: ``{"date", "title"}``.
    watch: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    #: The morning plan's workouts for the day (rest left out): what the watch shows in full.
    workouts: list[Workout] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "activities": self.activities,
            "changes": self.changes,
            "watch": self.watch,
            "cycles": self.results,
        }


@dataclass
class DemoRun:
    start: date
    plan: Plan
    days: list[DemoDay]
    api_calls: dict[str, int]
    cycles: int
    #: What Garmin holds once the last day is over, from the next day on: ``{"date", "title"}``.
    watch_now: list[dict[str, Any]] = field(default_factory=list)
    #: Where the workouts went: "garmin" or "intervals" (its calendar is then "the watch").
    delivery: str = "garmin"

    def to_json(self) -> dict[str, Any]:
        return {
            "delivery": self.delivery,
            "plan": plan_json.plan_to_dict(self.plan),
            "days": [d.to_json() for d in self.days],
            "watch_now": self.watch_now,
            "api_calls": {**self.api_calls, "cycles": self.cycles},
        }


@dataclass
class DemoState:
    """A finished demo whose state is still on disk: what ``demo --serve`` and the page's tests
    read. ``config_path`` is the demo's config written out; ``environ`` points at its token key;
    ``now`` is the simulated moment the demo ended (aware)."""

    run: DemoRun
    settings: Settings
    environ: dict[str, str]
    config_path: Path
    now: datetime


@contextmanager
def _demo_accounts(folder: Path, delivery: str = "garmin", source: str = "strava") -> Iterator[Any]:
    from ampt_sync.sim.accounts import config_for, simulated_accounts

    today = date.today()
    config = DEMO_RUNNER.format(goal_day=today + timedelta(weeks=GOAL_WEEKS_AHEAD))
    config += f'\n[delivery]\ntarget = "{delivery}"\n'
    (folder / "config.toml").write_text(config_for(folder, config, source=source), encoding="utf-8")
    with simulated_accounts(
        folder, config, history_days=HISTORY_DAYS, seed=SEED, source=source
    ) as accounts:
        yield accounts


def simulate(
    days: int,
    *,
    progress: Console | None = None,
    each_day: Callable[[date, Store], None] | None = None,
    delivery: str = "garmin",
    source: str = "strava",
) -> DemoRun:
    """Live ``days`` simulated days; returns what happened (the state is deleted).
    ``each_day(day, store)``, when given, runs after each day's evening cycle
    (``bench/bench_store.py`` measures the store); ``delivery`` is one of :data:`DELIVERIES`;
    ``source`` is where runs are recorded and read from: ``"strava"``, ``"garmin"`` (Garmin
    Connect's activity list) or ``"intervals"`` (intervals.icu's)."""
    with demo_state(
        days, progress=progress, each_day=each_day, delivery=delivery, source=source
    ) as finished:
        return finished.run


@contextmanager
def demo_state(
    days: int,
    *,
    progress: Console | None = None,
    folder: Path | None = None,
    each_day: Callable[[date, Store], None] | None = None,
    delivery: str = "garmin",
    source: str = "strava",
) -> Iterator[DemoState]:
    """Live ``days`` simulated days and keep the state (in ``folder``, else a temporary folder
    deleted when the block ends). The simulators are stopped by the time this yields."""
    if folder is not None:
        yield _simulate_in(folder, days, progress, each_day, delivery, source)
        return
    with tempfile.TemporaryDirectory(prefix="ampt-sync-demo-") as tmp:
        yield _simulate_in(Path(tmp), days, progress, each_day, delivery, source)


def _simulate_in(
    folder: Path,
    days: int,
    progress: Console | None,
    each_day: Callable[[date, Store], None] | None,
    delivery: str = "garmin",
    source: str = "strava",
) -> DemoState:
    from ampt_sync.alerts import Alerter
    from ampt_sync.service import CycleDeps, run_cycle
    from ampt_sync.sim.runner import activity_for_workout, garmin_view, intervals_view
    from ampt_sync.store.db import open_store
    from ampt_sync.store.plans import load_plan

    rng = random.Random(SEED)
    next_id = FIRST_NEW_ACTIVITY_ID
    if delivery not in DELIVERIES:
        from ampt_sync.errors import ConfigError

        raise ConfigError(
            f"--delivery: found {delivery!r}, expected one of {', '.join(DELIVERIES)}"
        )
    with _demo_accounts(folder, delivery, source) as accounts:
        settings = accounts.settings
        # What "the watch" is fed from: Garmin's calendar, or intervals.icu's.
        watch = accounts.intervals if delivery == "intervals" else accounts.garmin
        zone = settings.zone()
        store = open_store(settings.database_url(accounts.environ))
        deps = CycleDeps(
            settings=settings,
            environ=accounts.environ,
            now=accounts.now,
            epoch=accounts.strava.now,
            store=store,
            token_store=accounts.token_store,
            alerter=Alerter(),  # the demo sends no alerts anywhere
        )
        horizon = settings.sync.horizon_days
        start = accounts.local_today() + timedelta(days=1)
        calls = {"strava": 0, "garmin": 0}
        if "intervals" in (delivery, source):
            calls["intervals"] = 0
        record: list[DemoDay] = []
        cycles = workouts_seen = long_runs_seen = 0
        try:
            for offset in range(days):
                day = start + timedelta(days=offset)
                today = DemoDay(day)
                accounts.advance_to(datetime.combine(day, settings.sync.push_time(), zone))
                morning = run_cycle(deps, "push")
                cycles += 1
                today.results.append(f"push: {morning.result}")
                with store.transaction() as session:
                    plan = load_plan(session)
                if plan is None:
                    raise RuntimeError(f"no plan after the morning cycle: {morning.errors}")
                today.changes.extend((morning.plan or {}).get("changes", []))
                today.watch = [
                    {"date": d.isoformat(), "title": title}
                    for d, _id, title, _desc in watch.calendar(day, day + timedelta(days=horizon))
                ]
                for _day, workout in plan.workouts_between(day, day + timedelta(days=1)):
                    if workout.kind is WorkoutKind.REST:
                        continue
                    today.workouts.append(workout)
                    outcome = _outcome(workout, workouts_seen, long_runs_seen, rng)
                    workouts_seen += 1
                    long_runs_seen += workout.kind is WorkoutKind.LONG
                    activity = activity_for_workout(
                        workout,
                        day,
                        outcome,  # type: ignore[arg-type]
                        zone=settings.athlete.timezone,
                        activity_id=next_id,
                        start=time(6, 30) if workout.kind is not WorkoutKind.STRENGTH else time(18),
                    )
                    next_id += 1
                    today.activities.append(_activity_line(workout, outcome, activity))
                    if activity is None:
                        pass
                    elif source == "garmin":
                        # Recorded on the watch from the workout ampt-sync put there.
                        accounts.garmin.add_recorded_activity(
                            *garmin_view(activity, structured=True)
                        )
                    elif source == "intervals":
                        # Uploaded there by the watch, paired with the planned workout.
                        accounts.intervals.add_activity(*intervals_view(activity, structured=True))
                    else:
                        accounts.strava.add_activities([activity])
                accounts.advance_to(datetime.combine(day, settings.sync.adapt_time(), zone))
                evening = run_cycle(deps, "adapt")
                cycles += 1
                today.results.append(f"adapt: {evening.result}")
                today.changes.extend((evening.plan or {}).get("changes", []))
                for report in (morning, evening):
                    for service in calls:
                        calls[service] += report.api_calls.get(service, 0)
                record.append(today)
                if each_day is not None:
                    each_day(day, store)
                if progress is not None:
                    progress.print(f"simulated {day} ({offset + 1}/{days})")
            with store.transaction() as session:
                final = load_plan(session)
            after = start + timedelta(days=days)
            watch_now = [
                {"date": d.isoformat(), "title": title}
                for d, _id, title, _desc in watch.calendar(after, after + timedelta(days=horizon))
            ]
        finally:
            store.close()
        ended = accounts.now()
        environ = dict(accounts.environ)
    if final is None:
        raise RuntimeError("the demo made no plan")
    return DemoState(
        run=DemoRun(
            start=start,
            plan=final,
            days=record,
            api_calls=calls,
            cycles=cycles,
            watch_now=watch_now,
            delivery=delivery,
        ),
        settings=settings,
        environ=environ,
        config_path=folder / "config.toml",
        now=ended,
    )


def _outcome(workout: Workout, index: int, long_runs: int, rng: random.Random) -> str:
    if workout.kind is WorkoutKind.LONG and long_runs == 0:
        return "missed"
    if index == 2:
        return "shortened"
    return rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]


def _activity_line(
    workout: Workout, outcome: str, activity: dict[str, Any] | None
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "planned": workout.title,
        "kind": workout.kind.value,
        "outcome": outcome,
        "planned_distance_m": round(workout.distance_m, 1) if workout.is_run else 0.0,
    }
    if activity is not None:
        line.update(
            {
                "sport": activity["sport_type"],
                "distance_m": round(activity["distance"], 1),
                "moving_time_s": activity["moving_time"],
            }
        )
    return line


# ------------------------------------------------------------------------------------------------
# Output


def run_demo(
    *,
    output: str,
    stdout: Console,
    stderr: Console,
    days: int = 14,
    verbose: bool = False,
    delivery: str = "garmin",
    source: str = "strava",
) -> None:
    """Run the demo and print it: text for a runner (the API calls too with ``verbose``), or
    ``output="json"``: one JSON document with the plan, the days, the watch now and the API
    calls."""
    if not 1 <= days <= 60:
        from ampt_sync.errors import ConfigError

        raise ConfigError(f"--days: found {days}, expected 1 to 60 simulated days")
    road = ROAD_NAMES.get(delivery, "Garmin")
    stderr.print(f"starting the simulated Strava and {road}; living {days} days…")
    result = simulate(days, progress=stderr, delivery=delivery, source=source)
    if output == "json":
        from ampt_sync.cli.base import emit_json

        emit_json(result.to_json())
        return
    _render(result, stdout, verbose=verbose)


def serve_demo(
    *,
    stdout: Console,
    stderr: Console,
    days: int = 14,
    listen: str = "127.0.0.1:8765",
    verbose: bool = False,
    delivery: str = "garmin",
    source: str = "strava",
) -> None:
    """Run the demo, then serve the runner's page over its state until Ctrl-C.

    The page's clock starts at the demo's last simulated moment and runs on in real time, so
    "today" is the demo's last day. A sign-in link is printed; the state (and so the link) is
    gone once the page stops."""
    from datetime import UTC

    from ampt_sync.config import WebConfig
    from ampt_sync.errors import ConfigError
    from ampt_sync.store.db import open_store
    from ampt_sync.web import auth
    from ampt_sync.web.app import Page
    from ampt_sync.web.serve import check_may_listen, listen_of, page_address, serve_foreground

    if not 1 <= days <= 60:
        raise ConfigError(f"--days: found {days}, expected 1 to 60 simulated days")
    try:
        web = WebConfig(listen=listen)
    except ValueError as exc:
        raise ConfigError(f"--listen: {str(exc).splitlines()[-1]}") from None
    road = ROAD_NAMES.get(delivery, "Garmin")
    stderr.print(f"starting the simulated Strava and {road}; living {days} days…")
    with demo_state(days, progress=stderr, delivery=delivery, source=source) as finished:
        _render(finished.run, stdout, verbose=verbose)
        settings = finished.settings.model_copy(update={"web": web})
        where = listen_of(settings)
        if where is None:
            raise ConfigError(
                '--listen: "" serves nothing; give a host:port such as 127.0.0.1:8765'
            )
        store = open_store(settings.database_url(finished.environ))
        try:
            check_may_listen(where, store, source="--listen")
            started = datetime.now(UTC)

            def clock() -> datetime:
                return finished.now + (datetime.now(UTC) - started)

            with store.transaction() as session:
                token = auth.new_sign_in_token(session, now=clock())
            stdout.print(
                f"\nThe runner's page over the demo's state, until Ctrl-C. Sign in (once, within "
                f"10 minutes):\n{page_address(settings, where)}/signin?token={token}"
            )
            page = Page(
                settings=settings,
                store=store,
                config_path=finished.config_path,
                environ=finished.environ,
                clock=clock,
            )
            serve_foreground(page, where)
        finally:
            store.close()


#: The demo's runner writes miles (``DEMO_RUNNER``'s ``athlete.units``).
UNITS: Units = "mi"
#: How many of the plan's change reasons the summary quotes.
MAIN_REASONS = 3


def _render(result: DemoRun, console: Console, *, verbose: bool = False) -> None:
    plan = result.plan
    units = UNITS
    fitness = plan.fitness
    paces = fitness.paces
    console.print(
        f"ampt-sync demo: a simulated runner training for {plan.goal.race} on "
        f"{day_label_with_year(plan.goal.day)}; {_days(len(result.days))} simulated from "
        f"{day_label(result.start)}."
    )
    console.print(
        f"Fitness: VDOT {fitness.vdot:.1f} ({_dated(fitness.source)}). Paces: easy "
        f"{format_pace_range(*paces.easy, units)}, marathon "
        f"{format_pace(paces.marathon, units)}, threshold {format_pace(paces.threshold, units)}, "
        f"interval {format_pace(paces.interval, units)}."
    )
    for warning in plan.warnings:
        console.print(f"Note: {warning}")

    weeks = Table(title="The plan, week by week (first 8 weeks)", title_justify="left")
    # "from": the week's first plan day (the first week starts on the plan's first day);
    # "runs planned": the running the plan holds in those days (the race left out).
    for column in ("from", "phase", "runs planned", "key sessions"):
        weeks.add_column(column)
    for week in plan.weeks[:8]:
        workouts = [w for d in week.days for w in d.workouts]
        key = [
            w.title
            for w in workouts
            if w.kind
            not in (WorkoutKind.EASY, WorkoutKind.RECOVERY, WorkoutKind.REST, WorkoutKind.STRENGTH)
        ]
        strength = sum(w.kind is WorkoutKind.STRENGTH for w in workouts)
        if strength:
            key.append(f"strength circuit × {strength}")
        weeks.add_row(
            day_label_with_year(week.start),
            week.phase.value + (" (cutback)" if week.cutback else ""),
            format_distance(week.planned_distance_m, units),
            ", ".join(key),
        )
    console.print(weeks)

    console.print("Day by day:")
    shown_kinds: set[WorkoutKind] = set()
    for day in result.days:
        console.print(f"[{day_label(day.day)}]")
        # In full on the first day and the first time a kind of session comes up; after that
        # the title says enough.
        new = [w for w in day.workouts if w.kind not in shown_kinds]
        shown_kinds.update(w.kind for w in day.workouts)
        if new:
            console.print(f"  on the watch at {day.day:%a} 04:30:")
            for workout in day.workouts:
                lines = workout_lines(workout, units) if workout in new else [workout.title]
                for line in lines:
                    console.print(f"    {line}")
        else:
            today = [g["title"] for g in day.watch if g["date"] == day.day.isoformat()]
            console.print(f"  on the watch at {day.day:%a} 04:30: {', '.join(today) or 'rest day'}")
        ahead = _next_days(day.watch, after=day.day)
        if ahead:
            console.print(f"  next days: {ahead}")
        for act in day.activities:
            verb = VERBS[act["outcome"]]
            if act["kind"] == WorkoutKind.STRENGTH and act["outcome"] == "done":
                verb = "did"
            if act["outcome"] == "missed" or act.get("sport") == "WeightTraining":
                console.print(f"  the runner {verb}: {act['planned']}")
            else:
                console.print(
                    f"  the runner {verb}: {act['planned']} → "
                    f"{format_distance(act['distance_m'], units)} in "
                    f"{format_duration(act['moving_time_s'])}"
                )
        for change in day.changes:
            console.print(
                f"  plan change ({day_label(date.fromisoformat(change['date']))}): "
                f"{change['reason']}"
            )
    for line in summary_lines(result, units):
        console.print(line)
    if verbose:
        calls = result.api_calls
        extra = f", intervals.icu {calls['intervals']}" if "intervals" in calls else ""
        console.print(
            f"API calls over {result.cycles} cycles: Strava {calls['strava']}, "
            f"Garmin {calls['garmin']}{extra}."
        )


def _days(count: int) -> str:
    return f"{count} day" + ("" if count == 1 else "s")


def _dated(text: str) -> str:
    """``"race 2026-11-29 10K"`` → ``"race Sun 29 Nov 2026 10K"``: the fitness source's dates
    with their weekday."""
    return re.sub(
        r"\b\d{4}-\d\d-\d\d\b", lambda m: day_label_with_year(date.fromisoformat(m[0])), text
    )


def _next_days(entries: list[dict[str, Any]], *, after: date) -> str:
    """Garmin calendar entries after ``after``, briefly, a day's workouts together: ``"Thu Easy
    4.7 mi · Fri Strength circuit 3 rounds · Tue Easy 4.6 mi, Strength circuit 3 rounds"``."""
    by_day: dict[str, list[str]] = {}
    for entry in sorted(entries, key=lambda g: g["date"]):
        if entry["date"] > after.isoformat():
            by_day.setdefault(entry["date"], []).append(entry["title"])
    return " · ".join(
        f"{date.fromisoformat(day):%a} {', '.join(titles)}" for day, titles in by_day.items()
    )


def summary_lines(result: DemoRun, units: Units) -> list[str]:
    """The demo's last words, for a runner: what was run against the plan, what changed in the
    plan and why, and what is on the watch now. Pure."""
    acts = [a for d in result.days for a in d.activities]
    runs = [a for a in acts if a["kind"] != WorkoutKind.STRENGTH.value]
    planned_m = sum(a.get("planned_distance_m", 0.0) for a in runs)
    done_m = sum(a.get("distance_m", 0.0) for a in runs if a["outcome"] != "missed")
    count = {o: sum(a["outcome"] == o for a in acts) for o in ("done", "shortened", "missed")}
    changes = [c for d in result.days for c in d.changes]
    lines = [
        f"In {_days(len(result.days))} the runner ran {format_distance(done_m, units)} of the "
        f"{format_distance(planned_m, units)} on the watch those mornings; of {len(acts)} "
        "sessions, "
        f"{count['done']} done, {count['shortened']} cut short, {count['missed']} missed.",
    ]
    if changes:
        reasons = list(dict.fromkeys(c["reason"] for c in changes))
        lines.append(
            f"The plan changed {len(changes)} time{'s' if len(changes) != 1 else ''}"
            + (", mainly:" if len(reasons) > MAIN_REASONS else ":")
        )
        lines += [f"  - {reason}" for reason in reasons[:MAIN_REASONS]]
    else:
        lines.append("The plan did not need to change.")
    watch = _next_days(result.watch_now, after=result.start - timedelta(days=1))
    lines.append(f"On the watch now: {watch or 'nothing (rest days ahead)'}.")
    return lines
