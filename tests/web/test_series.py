"""The charts' series from a real store: a plan made by the training core, runs stored as Strava
sends them, and the fitness of each plan version."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from web_helpers import MONDAY, add_runs, history, plan_on, settings, summary

from ampt_sync.store.activities import load_activities
from ampt_sync.store.db import Store, open_store
from ampt_sync.store.plans import load_plan
from ampt_sync.training.fitness import race_time
from ampt_sync.training.load import RunLog, ewma_loads
from ampt_sync.web.series import build_charts, fitness_series, load_series

SVG = "{http://www.w3.org/2000/svg}"
TODAY = MONDAY + timedelta(days=9)  # Wednesday of the plan's second week


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path}/state.db")
    yield opened
    opened.close()


def planned_store(store: Store, units: str = "km") -> None:
    """History, a plan on MONDAY, the first week run and Tuesday of the second, and the plan
    brought up to date on TODAY."""
    cfg = settings(units)
    add_runs(store, history())
    plan_on(store, cfg, MONDAY)
    add_runs(
        store,
        [
            summary(MONDAY + timedelta(days=1), 9000.0),
            summary(MONDAY + timedelta(days=3), 9000.0),
            summary(MONDAY + timedelta(days=6), 14000.0),
            summary(MONDAY + timedelta(days=8), 8000.0),
        ],
    )
    plan_on(store, cfg, TODAY)


def rects(svg: str, cls: str) -> list[ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    return [e for e in root.iter(f"{SVG}rect") if {"bar", cls} <= set(e.get("class", "").split())]


def test_the_four_charts_come_from_the_plan_and_the_runs(store: Store) -> None:
    planned_store(store)
    cfg = settings()
    with store.transaction() as session:
        charts = build_charts(session, cfg, TODAY)
        plan = load_plan(session)
    assert plan is not None
    assert [c.slug for c in charts] == ["weekly-distance", "long-runs", "fitness", "load"]
    weekly, long_runs, fitness, load = charts

    # one planned bar per plan week, one done bar for each of the two weeks begun
    assert len(rects(weekly.svg, "chart-planned")) == len(plan.weeks)
    done = rects(weekly.svg, "chart-done")
    assert len(done) == 2
    assert weekly.bar_count == len(plan.weeks) + 2
    first_week_m = sum(w.distance_m for d in plan.weeks[0].days for w in d.workouts if w.is_run)
    assert done[0].find(f"{SVG}title").text == (
        f"Week of 2 Mar: {first_week_m / 1000:.1f} km planned, 32.0 km done"
    )
    assert done[1].find(f"{SVG}title").text.endswith(", 8.0 km done")

    # long runs: a planned bar for every week with a long run; the 14 km Sunday is the longest
    with_long = [w for w in plan.weeks if any(x.kind == "long" for d in w.days for x in d.workouts)]
    assert len(rects(long_runs.svg, "chart-planned")) == len(with_long)
    assert "Your longest run so far: 14.0 km (week of 2 Mar)." in long_runs.summary

    # fitness: the VDOT the newest plan was made with, and the goal time from the config
    assert f"VDOT {plan.fitness.vdot:.1f}" in fitness.summary
    assert "your goal of 1:45:00" in fitness.summary
    predicted = race_time(plan.fitness.vdot, plan.goal.distance_m)
    assert f"predicted Spring Half time {_hms(predicted)}" in fitness.summary

    # load: a point on each Sunday of the plan so far and today, two lines
    assert load.bar_count == 2 * 2
    assert load.explanation


def _hms(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def test_a_runner_in_miles_reads_miles(store: Store) -> None:
    planned_store(store, "mi")
    with store.transaction() as session:
        charts = build_charts(session, settings("mi"), TODAY)
    weekly = charts[0]
    assert "(mi)" in weekly.title
    assert " mi " in weekly.summary
    assert "km" not in weekly.summary
    assert "km" not in charts[1].summary
    tips = [r.find(f"{SVG}title").text for r in rects(weekly.svg, "chart-done")]
    assert tips[1].endswith(f", {8000 / 1609.344:.1f} mi done")


def test_before_the_first_plan_every_chart_says_so(store: Store) -> None:
    with store.transaction() as session:
        charts = build_charts(session, settings(), TODAY)
    assert [c.bar_count for c in charts] == [0, 0, 0, 0]
    assert all("yet" in c.summary for c in charts)


def test_fitness_series_keeps_the_last_version_of_each_week() -> None:
    versions = [
        (MONDAY, 48.0),
        (MONDAY + timedelta(days=2), 48.6),
        (MONDAY + timedelta(days=8), 49.1),
        (MONDAY + timedelta(days=9), 49.4),
        (MONDAY + timedelta(days=20), 50.0),
    ]
    points = fitness_series(versions, 21097.5)
    assert [(p.day, p.vdot) for p in points] == [
        (MONDAY + timedelta(days=2), 48.6),
        (MONDAY + timedelta(days=9), 49.4),
        (MONDAY + timedelta(days=20), 50.0),
    ]
    assert points[-1].predicted_s == race_time(50.0, 21097.5)
    assert points[0].predicted_s > points[-1].predicted_s


def test_load_series_is_the_training_cores_ewma_per_week(store: Store) -> None:
    add_runs(store, history())
    with store.transaction() as session:
        activities = load_activities(session)
    today = MONDAY + timedelta(days=3)
    points = load_series(activities, MONDAY - timedelta(weeks=3), today)
    sundays = [MONDAY - timedelta(days=1) - timedelta(weeks=n) for n in (2, 1, 0)]
    assert [p.day for p in points] == [*sundays, today]
    log = RunLog(activities)
    for point in points:
        acute, chronic = ewma_loads(log, point.day)
        assert point.acute_m_per_week == pytest.approx(acute * 7)
        assert point.chronic_m_per_week == pytest.approx(chronic * 7)
    # steady 40 km weeks: the chronic load has settled near 40 km a week
    assert points[2].chronic_m_per_week == pytest.approx(40000, rel=0.15)
