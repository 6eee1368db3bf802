"""The page's charts: series in, inline SVG out. Pure; no store, no clock, no I/O.

Each chart is a :class:`Chart`: complete ``<svg>`` markup plus a text alternative a runner can
read (``summary``) and, where a chart needs one, a one-line ``explanation``.

Why hand-built SVG and not a charting library: measured on this machine (Python 3.13, one
30-week planned-vs-done bar chart; resident memory added over an interpreter that already holds
``ampt_sync.domain``, then the time per chart over 50 renders), pygal 3.1.3 adds 9.7 MB and takes
11–13 ms a chart (35 KB of SVG with an inline ``<style>`` and ``<script>`` that a strict
Content-Security-Policy refuses); these few functions add 1.7 MB and take 0.3 ms a chart (9 KB,
nothing inline). Four simple chart shapes (paired bars, lines) do not earn a dependency on a 1 GB
Pi.

The SVG:

* is sized by ``viewBox`` only (``width="100%"``), so it scales down to a 360 px phone; text is
  sized for that (about 10 px at 360 px wide);
* has ``role="img"``, a ``<title>`` and a ``<desc>`` (the summary), and a ``<title>`` on every bar
  and point so that hovering or a screen reader gives the exact figure;
* escapes every text it writes (:func:`html.escape`: ``& < > " '``, valid XML too; not
  ``xml.sax.saxutils``, which imports ``urllib.request``: 8 MB more), so a race named
  ``<b>`` stays text;
* has no ``<style>``, no ``style=`` attribute and no script. Colours are set by CSS classes
  (listed in :data:`CSS_CLASSES`) that the page's stylesheet may restyle; each shape also has a
  ``fill``/``stroke`` presentation attribute as a default, which any CSS rule overrides, so a
  chart reads even without the stylesheet.

Units: series carry SI quantities (``distance_m``, ``duration_s``); each chart function takes the
runner's ``units`` (``"km"`` or ``"mi"``) and labels its axis in them, to one decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from ampt_sync.training.wording import MONTH_NAMES
from ampt_sync.units import Units, format_distance, format_duration, metres_per_unit

#: The CSS classes the charts use, with their default colours (the presentation attributes).
CSS_CLASSES: dict[str, str] = {
    "chart-axis": "#6b7280",
    "chart-grid": "#e5e7eb",
    "chart-text": "#374151",
    "chart-planned": "#c7d2fe",
    "chart-done": "#2563eb",
    "chart-current": "#f59e0b",
    "chart-vdot": "#059669",
    "chart-predicted": "#7c3aed",
    "chart-goal": "#dc2626",
    "chart-acute": "#ea580c",
    "chart-chronic": "#2563eb",
}

#: The drawing's coordinate system (``viewBox``); the page scales it to the screen.
WIDTH = 480
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 10, 30, 34
FONT_SIZE = 14
#: At most this many date labels on an x axis, so that they never overlap at phone width.
MAX_X_LABELS = 6

_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Chart:
    """One chart for the page. ``svg`` is complete ``<svg>`` markup; ``summary`` its text
    alternative; ``bar_count`` the bars (bar charts) or points (line charts) drawn."""

    slug: str
    title: str
    svg: str
    summary: str
    explanation: str
    bar_count: int


# ------------------------------------------------------------------------------------------------
# Series (built by :mod:`ampt_sync.web.series`)


@dataclass(frozen=True)
class WeekBars:
    """One Monday-started week: what was planned and what was run, in metres.

    ``done_m`` is ``None`` for weeks that have not started (nothing to compare yet); 0.0 for a
    past week with no running.
    """

    monday: date
    planned_m: float
    done_m: float | None


@dataclass(frozen=True)
class FitnessPoint:
    """The fitness the plan used from ``day``: its VDOT and the goal race time it predicts."""

    day: date
    vdot: float
    predicted_s: float


@dataclass(frozen=True)
class LoadPoint:
    """Acute (7-day) and chronic (28-day) running load on ``day``, in metres per week."""

    day: date
    acute_m_per_week: float
    chronic_m_per_week: float


# ------------------------------------------------------------------------------------------------
# Small helpers


def day_label(day: date) -> str:
    """``date(2026, 3, 2)`` → ``"2 Mar"``: how the CLI writes a day, without the weekday."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


def _num(value: float) -> str:
    """A coordinate with at most one decimal (keeps the markup small)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 up to at least ``top``: steps of 1, 2, 2.5 or 5 × 10ⁿ."""
    if top < 1e-6 or not math.isfinite(top):  # nothing to scale: a plain 0-to-1 axis
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(top / step)
    if steps * step < top:  # floating point: ceil landed a hair short
        steps += 1
    return [i * step for i in range(steps + 1)]


def _label_every(count: int) -> int:
    return max(1, math.ceil(count / MAX_X_LABELS))


class _Canvas:
    """Collects SVG elements for one drawing of ``height`` units."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.parts: list[str] = []

    @property
    def plot_left(self) -> float:
        return MARGIN_LEFT

    @property
    def plot_right(self) -> float:
        return WIDTH - MARGIN_RIGHT

    def text(
        self, x: float, y: float, content: str, *, anchor: str = "middle", cls: str = "chart-text"
    ) -> None:
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" class="{cls}" '
            f'fill="{CSS_CLASSES[cls]}">{escape(content)}</text>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, cls: str, *, dashed: bool = False
    ) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            f'class="{cls}" stroke="{CSS_CLASSES[cls]}"{dash}/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, cls: str, tip: str) -> None:
        self.parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
            f'class="bar {cls}" fill="{CSS_CLASSES[cls]}"><title>{escape(tip)}</title></rect>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], cls: str) -> None:
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coords}" class="{cls}" fill="none" '
            f'stroke="{CSS_CLASSES[cls]}" stroke-width="2"/>'
        )

    def dot(self, x: float, y: float, cls: str, tip: str) -> None:
        self.parts.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" class="point {cls}" '
            f'fill="{CSS_CLASSES[cls]}"><title>{escape(tip)}</title></circle>'
        )

    def legend(self, entries: Sequence[tuple[str, str]]) -> None:
        """Coloured squares and names along the top edge."""
        x = self.plot_left
        for cls, name in entries:
            self.parts.append(
                f'<rect x="{_num(x)}" y="8" width="12" height="12" class="{cls}" '
                f'fill="{CSS_CLASSES[cls]}"/>'
            )
            self.text(x + 16, 19, name, anchor="start")
            x += 16 + 7.5 * len(name) + 16

    def y_axis(
        self, top: float, bottom: float, ticks: Sequence[float], labels: Sequence[str], unit: str
    ) -> None:
        """Grid lines at ``ticks`` (values from ticks[0] at ``bottom`` to ticks[-1] at ``top``)."""
        low, high = ticks[0], ticks[-1]
        for value, label in zip(ticks, labels, strict=True):
            y = bottom - (value - low) / (high - low) * (bottom - top)
            self.line(self.plot_left, y, self.plot_right, y, "chart-grid")
            self.text(self.plot_left - 6, y + 4, label, anchor="end")
        self.text(self.plot_left - 6, top - 14, unit, anchor="end", cls="chart-axis")
        self.line(self.plot_left, bottom, self.plot_right, bottom, "chart-axis")

    def svg(self, title: str, desc: str) -> str:
        body = "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {self.height}" '
            f'width="100%" role="img" font-family="sans-serif" font-size="{FONT_SIZE}" '
            f'aria-label="{escape(title)}" class="chart">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
        )


def _empty(slug: str, title: str, message: str, explanation: str = "") -> Chart:
    canvas = _Canvas(120)
    canvas.text(WIDTH / 2, 64, message)
    return Chart(slug, title, canvas.svg(title, message), message, explanation, 0)


def _in_units(distance_m: float, units: Units) -> float:
    return distance_m / metres_per_unit(units)


# ------------------------------------------------------------------------------------------------
# Bar charts: weekly distance, long runs


def _week_bars(
    slug: str,
    title: str,
    weeks: Sequence[WeekBars],
    units: Units,
    today: date,
    *,
    what: str,
    summary: str,
) -> tuple[str, int]:
    """A planned-vs-done bar pair per week: the planned bar wide and pale, the done bar narrow
    and dark in front of it. Returns the SVG and the number of bars drawn."""
    height = 250
    canvas = _Canvas(height)
    top, bottom = MARGIN_TOP + 18, height - MARGIN_BOTTOM
    largest_m = max([w.planned_m for w in weeks] + [w.done_m or 0.0 for w in weeks], default=0.0)
    ticks = nice_ticks(_in_units(largest_m, units))
    canvas.legend([("chart-planned", "planned"), ("chart-done", "done")])
    canvas.y_axis(top, bottom, ticks, [f"{t:g}" for t in ticks], units)
    scale = (bottom - top) / ticks[-1]
    slot = (canvas.plot_right - canvas.plot_left) / len(weeks)
    every = _label_every(len(weeks))
    bars = 0
    for i, week in enumerate(weeks):
        x = canvas.plot_left + i * slot
        current = week.monday <= today < week.monday + _WEEK
        planned_text = format_distance(week.planned_m, units)
        done_text = "" if week.done_m is None else f", {format_distance(week.done_m, units)} done"
        tip = f"Week of {day_label(week.monday)}: {what}{planned_text} planned{done_text}"
        if week.planned_m > 0:
            h = _in_units(week.planned_m, units) * scale
            canvas.rect(x + slot * 0.1, bottom - h, slot * 0.8, h, "chart-planned", tip)
            bars += 1
        if week.done_m is not None and week.done_m > 0:
            h = _in_units(week.done_m, units) * scale
            canvas.rect(x + slot * 0.3, bottom - h, slot * 0.4, h, "chart-done", tip)
            bars += 1
        if current:
            middle = x + slot / 2
            canvas.line(middle, top - 4, middle, bottom, "chart-current", dashed=True)
            anchor = "end" if middle > (canvas.plot_left + canvas.plot_right) / 2 else "start"
            shift = -4 if anchor == "end" else 4
            canvas.text(middle + shift, top + 8, "this week", anchor=anchor, cls="chart-current")
        if i % every == 0:
            canvas.text(x + slot / 2, bottom + 16, day_label(week.monday))
    return canvas.svg(title, summary), bars


def weekly_distance_chart(weeks: Sequence[WeekBars], units: Units, today: date) -> Chart:
    """Weekly running distance, planned against done, through the whole build."""
    slug, title = "weekly-distance", f"Weekly distance, planned and done ({units})"
    if not weeks:
        return _empty(slug, title, "No plan yet: the weekly distances appear with the first plan.")
    summary = _weekly_summary(weeks, units, today)
    svg, bars = _week_bars(slug, title, weeks, units, today, what="", summary=summary)
    return Chart(slug, title, svg, summary, "", bars)


def _weekly_summary(weeks: Sequence[WeekBars], units: Units, today: date) -> str:
    peak = max(weeks, key=lambda w: w.planned_m)
    parts = [
        f"{len(weeks)} weeks from {day_label(weeks[0].monday)} to {day_label(weeks[-1].monday)}; "
        f"the biggest planned week is {format_distance(peak.planned_m, units)} "
        f"(week of {day_label(peak.monday)})."
    ]
    current = next((w for w in weeks if w.monday <= today and (today - w.monday).days < 7), None)
    if current is not None:
        done = format_distance(current.done_m or 0.0, units)
        parts.append(
            f"This week: {format_distance(current.planned_m, units)} planned, {done} done so far."
        )
    past = [w for w in weeks if w.done_m is not None and w.monday + _WEEK <= today]
    if past:
        planned_m = sum(w.planned_m for w in past)
        done_m = sum(w.done_m or 0.0 for w in past)
        parts.append(
            f"Weeks finished: {format_distance(done_m, units)} run of "
            f"{format_distance(planned_m, units)} planned."
        )
    return " ".join(parts)


def long_run_chart(weeks: Sequence[WeekBars], units: Units, today: date) -> Chart:
    """The long run of each week: the planned one against the longest run done."""
    slug, title = "long-runs", f"Long run by week ({units})"
    if not weeks:
        return _empty(slug, title, "No plan yet: the long runs appear with the first plan.")
    peak = max(weeks, key=lambda w: w.planned_m)
    summary = (
        f"The longest planned run is {format_distance(peak.planned_m, units)} "
        f"(week of {day_label(peak.monday)})."
    )
    done = [w for w in weeks if w.done_m]
    if done:
        best = max(done, key=lambda w: w.done_m or 0.0)
        summary += (
            f" Your longest run so far: {format_distance(best.done_m or 0.0, units)} "
            f"(week of {day_label(best.monday)})."
        )
    svg, bars = _week_bars(slug, title, weeks, units, today, what="long run ", summary=summary)
    return Chart(slug, title, svg, summary, "", bars)


# ------------------------------------------------------------------------------------------------
# Line charts: fitness, load


def _x_of(day: date, first: date, last: date, canvas: _Canvas) -> float:
    span = max(1, (last - first).days)
    width = canvas.plot_right - canvas.plot_left - 12
    return canvas.plot_left + 6 + (day - first).days / span * width


def _date_labels(canvas: _Canvas, days: Sequence[date], y: float) -> None:
    first, last = days[0], days[-1]
    every = _label_every(len(days))
    for i, day in enumerate(days):
        if i % every == 0:
            x = _x_of(day, first, last, canvas)
            # a label centred on the last point would run off the right edge
            anchor = "end" if x > canvas.plot_right - 24 else "middle"
            canvas.text(x, y, day_label(day), anchor=anchor)


def _range_ticks(low: float, high: float, count: int = 4, min_step: float = 0.0) -> list[float]:
    """Round ticks spanning ``low``..``high`` (not from zero: a VDOT moves a few points), at
    least ``min_step`` apart."""
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    raw = max((high - low) / count, min_step)
    power = 10 ** math.floor(math.log10(raw))
    # 2.5 would put ticks between whole units (half minutes) when a minimum step is asked for
    steps = (1, 2, 5, 10) if min_step else (1, 2, 2.5, 5, 10)
    step = next(m * power for m in steps if m * power >= raw - 1e-12)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _panel(
    canvas: _Canvas,
    top: float,
    bottom: float,
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[float], Sequence[str]]],
    ticks: Sequence[float],
    tick_labels: Sequence[str],
    unit: str,
) -> int:
    """Lines over shared dates within ``top``..``bottom``; returns the points drawn."""
    canvas.y_axis(top, bottom, ticks, tick_labels, unit)
    low, high = ticks[0], ticks[-1]
    points = 0
    for cls, values, tips in series:
        coords = [
            (
                _x_of(day, days[0], days[-1], canvas),
                bottom - (value - low) / (high - low) * (bottom - top),
            )
            for day, value in zip(days, values, strict=True)
        ]
        canvas.polyline(coords, cls)
        for (x, y), tip in zip(coords, tips, strict=True):
            canvas.dot(x, y, cls, tip)
            points += 1
    return points


def _minutes_label(minutes: float) -> str:
    """A time axis tick at whole minutes: ``"1:45"`` (hours and minutes) or ``"24:00"``."""
    total = round(minutes)
    hours, rest = divmod(total, 60)
    return f"{hours}:{rest:02d}" if hours else f"{rest}:00"


def fitness_chart(points: Sequence[FitnessPoint], *, race: str, goal_s: float | None) -> Chart:
    """VDOT over time (top panel) and the predicted time for the goal race (bottom panel), with
    the goal time as a dashed line when one is set."""
    slug, title = "fitness", f"Fitness: VDOT and predicted {race} time"
    if not points:
        return _empty(slug, title, "No fitness estimate yet: it appears with the first plan.")
    height = 340
    canvas = _Canvas(height)
    days = [p.day for p in points]
    legend = [("chart-vdot", "VDOT"), ("chart-predicted", "predicted time")]
    if goal_s is not None:
        legend.append(("chart-goal", "goal"))
    canvas.legend(legend)

    top1, bottom1 = MARGIN_TOP + 22, 150
    vdots = [p.vdot for p in points]
    ticks = _range_ticks(min(vdots), max(vdots))
    count = _panel(
        canvas, top1, bottom1, days,
        [("chart-vdot", vdots, [f"{day_label(p.day)}: VDOT {p.vdot:.1f}" for p in points])],
        ticks, [f"{t:g}" for t in ticks], "VDOT",
    )  # fmt: skip

    top2, bottom2 = 200, height - MARGIN_BOTTOM
    times = [p.predicted_s for p in points]
    low, high = min(times), max(times)
    if goal_s is not None:
        low, high = min(low, goal_s), max(high, goal_s)
    ticks = _range_ticks(low / 60, high / 60, min_step=1)  # in minutes, whole ones
    count += _panel(
        canvas, top2, bottom2, days,
        [(
            "chart-predicted", times,
            [f"{day_label(p.day)}: {race} in {format_duration(p.predicted_s)}" for p in points],
        )],
        [t * 60 for t in ticks], [_minutes_label(t) for t in ticks], "time",
    )  # fmt: skip
    if goal_s is not None:
        span = ticks[-1] * 60 - ticks[0] * 60
        y = bottom2 - (goal_s - ticks[0] * 60) / span * (bottom2 - top2)
        canvas.line(canvas.plot_left, y, canvas.plot_right, y, "chart-goal", dashed=True)
    _date_labels(canvas, days, bottom2 + 16)

    first, last = points[0], points[-1]
    summary = (
        f"VDOT {last.vdot:.1f} on {day_label(last.day)}"
        + (f" (from {first.vdot:.1f} on {day_label(first.day)})" if len(points) > 1 else "")
        + f"; predicted {race} time {format_duration(last.predicted_s)}"
    )
    if goal_s is not None:
        gap_s = last.predicted_s - goal_s
        verdict = (
            f"{format_duration(abs(gap_s))} slower than"
            if gap_s > 0
            else f"{format_duration(-gap_s)} faster than"
            if gap_s < 0
            else "exactly"
        )
        summary += f", {verdict} your goal of {format_duration(goal_s)}"
    summary += "."
    svg = canvas.svg(title, summary)
    return Chart(slug, title, svg, summary, "", count)


LOAD_EXPLANATION = (
    "Acute load is your running over about the last 7 days, chronic load over about the last 28, "
    "both per week: acute well above chronic (more than about 1.3 times) means you are adding "
    "load faster than your body has got used to."
)


def load_chart(points: Sequence[LoadPoint], units: Units) -> Chart:
    """Acute (7-day) against chronic (28-day) running load, per week, in the runner's unit."""
    slug, title = "load", f"Training load: acute and chronic ({units} per week)"
    if not points:
        return _empty(
            slug, title, "Not enough running yet: the load needs four weeks of runs.",
            LOAD_EXPLANATION,
        )  # fmt: skip
    height = 240
    canvas = _Canvas(height)
    canvas.legend([("chart-acute", "acute (7 days)"), ("chart-chronic", "chronic (28 days)")])
    top, bottom = MARGIN_TOP + 18, height - MARGIN_BOTTOM
    days = [p.day for p in points]
    acute = [_in_units(p.acute_m_per_week, units) for p in points]
    chronic = [_in_units(p.chronic_m_per_week, units) for p in points]
    ticks = nice_ticks(max(acute + chronic))

    def tips(values: Sequence[float], what: str) -> list[str]:
        return [f"{day_label(d)}: {what} {v:.1f} {units}/week" for d, v in zip(days, values)]  # noqa: B905

    count = _panel(
        canvas, top, bottom, days,
        [("chart-chronic", chronic, tips(chronic, "chronic")),
         ("chart-acute", acute, tips(acute, "acute"))],
        ticks, [f"{t:g}" for t in ticks], f"{units}/wk",
    )  # fmt: skip
    _date_labels(canvas, days, bottom + 16)
    last = points[-1]
    ratio = last.acute_m_per_week / last.chronic_m_per_week if last.chronic_m_per_week else None
    summary = (
        f"On {day_label(last.day)}: acute {format_distance(last.acute_m_per_week, units)} a week, "
        f"chronic {format_distance(last.chronic_m_per_week, units)} a week"
        + (f" (ratio {ratio:.2f})." if ratio is not None else ".")
    )
    return Chart(slug, title, canvas.svg(title, summary), summary, LOAD_EXPLANATION, count)
