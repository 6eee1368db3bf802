"""The chart drawing: valid SVG that a strict CSP allows, the bars the series ask for, labels in the
runner's unit, every text escaped, and a text alternative with the key numbers."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ampt_sync.web.charts import (
    LOAD_EXPLANATION,
    Chart,
    FitnessPoint,
    LoadPoint,
    WeekBars,
    fitness_chart,
    load_chart,
    long_run_chart,
    nice_ticks,
    weekly_distance_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = date(2026, 3, 2)
MILE = 1609.344


def parsed(chart: Chart) -> ET.Element:
    root = ET.fromstring(chart.svg)  # noqa: S314 - our own markup, not untrusted input
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element, cls: str) -> list[ET.Element]:
    """The bars (not the legend's squares) of class ``cls``."""
    return [e for e in root.iter(f"{SVG}rect") if {"bar", cls} <= set(e.get("class", "").split())]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def weeks(planned_km: list[float], done_km: list[float | None]) -> list[WeekBars]:
    return [
        WeekBars(MONDAY + timedelta(weeks=i), p * 1000, None if d is None else d * 1000)
        for i, (p, d) in enumerate(zip(planned_km, done_km, strict=True))
    ]


def test_weekly_distance_draws_a_planned_bar_per_week_and_a_done_bar_per_week_run() -> None:
    series = weeks([30, 33, 36, 28, 40], [29.5, 31, 0, None, None])
    chart = weekly_distance_chart(series, "km", MONDAY + timedelta(weeks=2, days=3))
    root = parsed(chart)
    assert len(bars(root, "chart-planned")) == 5
    assert len(bars(root, "chart-done")) == 2  # a week of nothing draws no bar
    assert chart.bar_count == 7
    # the tallest planned bar is the 40 km week, the axis reaches past it in km
    heights = [float(b.get("height")) for b in bars(root, "chart-planned")]
    assert max(heights) == heights[4]
    assert "km" in texts(root)
    assert "40" in texts(root)
    assert "40.0 km" in chart.summary
    assert "(week of 30 Mar)" in chart.summary
    assert "This week: 36.0 km planned, 0.0 km done so far." in chart.summary
    assert "60.5 km run of 63.0 km planned" in chart.summary


def test_the_svg_is_accessible_scalable_and_allowed_by_a_strict_csp() -> None:
    chart = weekly_distance_chart(weeks([30, 32], [30, None]), "km", MONDAY)
    root = parsed(chart)
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.summary
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    # every bar says its figures on hover and to a screen reader
    for bar in bars(root, "bar"):
        assert bar.find(f"{SVG}title").text.startswith("Week of ")


def test_distances_are_labelled_in_miles_for_a_runner_in_miles() -> None:
    series = [
        WeekBars(MONDAY, 20 * MILE, 19.5 * MILE),
        WeekBars(MONDAY + timedelta(7), 22 * MILE, None),
    ]
    chart = weekly_distance_chart(series, "mi", MONDAY + timedelta(days=8))
    root = parsed(chart)
    assert "mi" in texts(root)
    assert "km" not in texts(root)
    assert "(mi)" in chart.title
    assert "22.0 mi" in chart.summary
    tips = [b.find(f"{SVG}title").text for b in bars(root, "chart-done")]
    assert tips == ["Week of 2 Mar: 20.0 mi planned, 19.5 mi done"]


def test_long_runs_chart_names_the_longest_planned_and_done() -> None:
    series = weeks([12, 14, 0, 16], [11.8, 14.2, None, None])
    chart = long_run_chart(series, "km", MONDAY + timedelta(weeks=1, days=6))
    assert chart.bar_count == 3 + 2  # no bar for a week without a long run
    assert "16.0 km (week of 23 Mar)" in chart.summary
    assert "14.2 km (week of 9 Mar)" in chart.summary
    parsed(chart)


def test_fitness_chart_shows_vdot_predicted_time_and_the_goal_line() -> None:
    points = [
        FitnessPoint(MONDAY, 48.0, 6000.0),
        FitnessPoint(MONDAY + timedelta(weeks=4), 49.5, 5850.0),
        FitnessPoint(MONDAY + timedelta(weeks=8), 50.2, 5790.0),
    ]
    chart = fitness_chart(points, race="Spring Half", goal_s=5700.0)
    root = parsed(chart)
    assert chart.bar_count == 6  # each point drawn twice: its VDOT and its predicted time
    assert len(list(root.iter(f"{SVG}circle"))) == 6
    assert len([e for e in root.iter(f"{SVG}line") if e.get("class") == "chart-goal"]) == 1
    assert chart.summary == (
        "VDOT 50.2 on 27 Apr (from 48.0 on 2 Mar); predicted Spring Half time 1:36:30, "
        "1:30 slower than your goal of 1:35:00."
    )
    assert {"1:34", "1:40"} <= set(texts(root))  # the time axis in hours and minutes


def test_fitness_chart_without_a_goal_time_draws_no_goal_line() -> None:
    chart = fitness_chart([FitnessPoint(MONDAY, 45.0, 6500.0)], race="10K", goal_s=None)
    root = parsed(chart)
    assert not [e for e in root.iter(f"{SVG}line") if e.get("class") == "chart-goal"]
    assert "goal" not in chart.summary


def test_load_chart_explains_itself_and_gives_the_ratio() -> None:
    points = [
        LoadPoint(MONDAY + timedelta(weeks=i), acute, 30000.0)
        for i, acute in enumerate((30000.0, 42000.0))
    ]
    chart = load_chart(points, "km")
    root = parsed(chart)
    assert chart.explanation == LOAD_EXPLANATION
    assert chart.bar_count == 4
    assert "acute 42.0 km a week, chronic 30.0 km a week (ratio 1.40)" in chart.summary
    assert "km/wk" in texts(root)


@pytest.mark.parametrize(
    "chart",
    [
        weekly_distance_chart([], "km", MONDAY),
        long_run_chart([], "km", MONDAY),
        fitness_chart([], race="Half", goal_s=None),
        load_chart([], "km"),
    ],
)
def test_an_empty_series_gives_a_chart_that_says_why(chart: Chart) -> None:
    root = parsed(chart)
    assert chart.bar_count == 0
    assert chart.summary in texts(root)
    assert "yet" in chart.summary


def test_every_text_is_escaped() -> None:
    race = 'Run <b>"fast"</b> & </svg><script>alert(1)</script>'
    chart = fitness_chart([FitnessPoint(MONDAY, 45.0, 6500.0)], race=race, goal_s=None)
    root = parsed(chart)  # still well-formed XML
    assert not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == f"Fitness: VDOT and predicted {race} time"


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=300_000),
            st.one_of(st.none(), st.floats(min_value=0, max_value=300_000)),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["km", "mi"]),
    st.integers(min_value=-10, max_value=500),
)
def test_any_weekly_series_gives_valid_svg_with_one_bar_per_nonzero_value(
    values: list[tuple[float, float | None]], units: str, today_offset: int
) -> None:
    series = [WeekBars(MONDAY + timedelta(weeks=i), p, d) for i, (p, d) in enumerate(values)]
    chart = weekly_distance_chart(series, units, MONDAY + timedelta(days=today_offset))
    root = parsed(chart)
    expected = sum(1 for p, d in values if p > 0) + sum(1 for _, d in values if d)
    assert chart.bar_count == expected == len(bars(root, "bar"))
    plot_bottom = (
        max(float(b.get("y")) + float(b.get("height")) for b in bars(root, "bar"))
        if expected
        else 0
    )
    for bar in bars(root, "bar"):
        assert float(bar.get("height")) >= 0
        assert float(bar.get("y")) >= 0  # never above the drawing: the axis covers the tallest
        assert float(bar.get("y")) + float(bar.get("height")) == pytest.approx(plot_bottom, abs=0.2)


@given(st.floats(min_value=0.01, max_value=1e6))
def test_nice_ticks_start_at_zero_reach_the_top_and_are_evenly_spaced(top: float) -> None:
    ticks = nice_ticks(top)
    assert ticks[0] == 0
    assert ticks[-1] >= top
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert len(ticks) <= 6
