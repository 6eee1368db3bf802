"""The safety caps of the adaptation, and the resizing helpers the rules share.

Pure. Distances in metres.

* **Single run** (science note §3.1, Frandsen 2025): every run from today on is at most
  1.10 × the longest run done or planned in the 30 days before it (the goal race is exempt, and
  counts as a longest run after it).
* **Week** (§3.1, a convention): every week after this one, outside the taper and race week, is
  at most the weekly build cap of the biggest of the three weeks before it (done weeks count
  what was done), with a 3 % tolerance.

Invariant: the caps only ever shorten. Nothing here lengthens a run, so a run far beyond plan
(which raises "the longest recent run") never lets a later run grow: it keeps its planned
size.
"""

from __future__ import annotations

from datetime import date, timedelta

from ampt_sync.domain import Phase, Workout, WorkoutKind
from ampt_sync.training.adapt_state import Adapter
from ampt_sync.training.draft import WeekRecord
from ampt_sync.training.load import (
    SINGLE_RUN_CAP_FACTOR,
    floor_m,
    single_run_cap_m,
    week_start,
    weekly_build_cap_m,
)
from ampt_sync.training.measure import is_fixed_race, is_goal_race
from ampt_sync.training.wording import dated_name, session_name

K = WorkoutKind

#: The weekly cap is a convention (Buist 2008 found no protection, §3.1): a planned week is
#: trimmed only when it is this much over, so that a small shortfall does not ripple through
#: every later week of the plan day after day.
WEEKLY_CAP_TOLERANCE = 0.03
#: At most this many rounds of the safety caps in one adaptation (they settle in two or three).
CAP_PASSES = 8
#: Shortest run a cap or trim leaves (m).
SHORTEST_RUN_M = 1000.0


def apply_caps(adapter: Adapter) -> None:
    """The single-run and weekly caps until nothing moves. A shortened run or week can lower
    a later cap, so they repeat; settling here is what makes adapting again on the same day
    find nothing to do."""
    for _ in range(CAP_PASSES):
        before = len(adapter.changes)
        single_run_caps(adapter)
        weekly_caps(adapter)
        if len(adapter.changes) == before:
            break


def cap_on(adapter: Adapter, day: date, skip_key: str | None = None) -> float:
    """The single-run cap on ``day`` (≥ today), in metres: 1.10 × :func:`longest_before`."""
    return floor_m(single_run_cap_m(longest_before(adapter, day, skip_key)))


def longest_before(adapter: Adapter, day: date, skip_key: str | None = None) -> float:
    """The longest run of the 30 days before ``day`` (≥ today), in metres: done runs, and
    planned runs from today to the day before (``skip_key`` and the goal race left out); at
    least the stand-in for a runner with no recent run."""
    ctx = adapter.ctx
    longest = ctx.done.longest_before(day)
    for d, w in adapter.draft.runs_between(max(ctx.today, day - timedelta(days=30)), day):
        if w.key == skip_key or is_goal_race(w, d, ctx.goal):
            continue
        if d == ctx.today and ctx.ran_on(d):
            continue
        longest = max(longest, w.distance_m)
    return max(longest, ctx.baseline.longest_floor_m)


def single_run_caps(adapter: Adapter) -> None:
    """Shorten every run from today on that is longer than 1.10 × the longest run in the
    30 days before it: done runs up to today, planned runs from today (in date order, so a
    shortened run lowers the caps after it). One pass with a sliding window."""
    ctx, draft = adapter.ctx, adapter.draft
    window: dict[date, float] = {}  # day → longest run done or planned that counts
    first = ctx.today - timedelta(days=30)
    for n in range(31):
        day = first + timedelta(days=n)
        if day < ctx.today or ctx.ran_on(day):
            window[day] = ctx.done.longest_before(day + timedelta(days=1), 1)
    for d in draft.order:
        if d < ctx.today:
            continue
        workout = draft.run_on(d)
        if d == ctx.today and ctx.ran_on(d):
            workout = None  # today's run is done: it is in the window already
        if workout is not None and is_fixed_race(workout, d, ctx.goal):
            window[d] = workout.distance_m  # exempt from the cap, but a longest run after it
        elif workout is not None:
            # the window holds exactly the 30 days before d (older ones are dropped below)
            longest = max(window.values(), default=0.0)
            cap = floor_m(single_run_cap_m(max(longest, ctx.baseline.longest_floor_m)))
            # With nothing run or planned in the 30 days before (a break, then the rest days
            # of an ill spell) there is nothing to measure by: the first run back is the
            # shortest run the plan writes (15 minutes, 2 km; a coach's "start with 15–20
            # minutes easy"), and the cap grows by 10 % from it. Otherwise the cap wins over
            # the 15-minute minimum, as in the planner's precedence.
            if cap <= 0:
                cap = ctx.render.min_run_m()
                why = "nothing was run or planned in the 30 days before it, so it starts again "
                why += f"from the shortest run, {adapter.distance(cap)}."
            else:
                why = (
                    f"your longest run in the 30 days before it is "
                    f"{adapter.distance(cap / SINGLE_RUN_CAP_FACTOR)}, and no run goes more "
                    "than 10% beyond that."
                )
            if workout.distance_m > cap:
                week = draft.week_of(d)
                week_m = week.planned_distance_m if week is not None else 0.0
                new = shortened(adapter, workout, cap, week_m)
                if new.distance_m < workout.distance_m:  # the caps only ever shorten
                    draft.replace(d, workout, new)
                    adapter.note(
                        d,
                        workout.key,
                        f"{adapter.name(d)}'s {session_name(workout)} shortened from "
                        f"{adapter.distance(workout.distance_m)} to "
                        f"{adapter.distance(new.distance_m)}: {why}",
                    )
                    workout = new
            window[d] = workout.distance_m
        window.pop(d - timedelta(days=30), None)


def weekly_caps(adapter: Adapter) -> None:
    """Trim every later week over its weekly build cap (outside the taper and race week),
    in date order, so a trimmed week lowers the caps after it; one change names the first
    trimmed week and how many follow."""
    ctx, draft = adapter.ctx, adapter.draft
    first_trimmed: tuple[WeekRecord, float, float, float] | None = None
    count = 0
    volumes: dict[date, float] = {}  # week volumes, filled in order (a trim updates its own)

    def volume_of(monday: date) -> float:
        if monday not in volumes:
            volumes[monday] = week_volume(adapter, monday)
        return volumes[monday]

    for week in draft.weeks:
        if week.monday <= ctx.today or week.phase in (Phase.TAPER, Phase.RACE):
            continue
        reference = max(volume_of(week.monday - timedelta(weeks=n)) for n in (1, 2, 3))
        if reference <= 0:
            continue
        cap = floor_m(weekly_build_cap_m(reference))
        # back to the load before a gap (Daniels), as the planner does
        cap = max(cap, floor_m(ctx.baseline.return_allowance_m(week.monday)))
        volume = volume_of(week.monday)
        if volume <= cap * (1 + WEEKLY_CAP_TOLERANCE):
            continue
        factor = cap / volume
        before = volume
        target = floor_m(min(week.planned_distance_m, week.planned_distance_m * factor))
        for d in [x for x in draft.order if week_start(x) == week.monday]:
            for w in list(draft.days[d]):
                new = resized(adapter, w, factor, target, d)
                if new is not w:
                    draft.replace(d, w, new)
        # Rounding up of short runs can leave a little over: trim the longest easy runs.
        trim_week(adapter, week.monday, cap)
        week.planned_distance_m = target
        count += 1
        volumes[week.monday] = week_volume(adapter, week.monday)
        if first_trimmed is None:
            first_trimmed = (week, before, volumes[week.monday], reference)
    if first_trimmed is not None:
        week, before, after, reference = first_trimmed
        more = ""
        if count == 2:
            more = " The week after it follows from there."
        elif count > 2:
            more = f" The {count - 1} weeks after it follow from there."
        adapter.note(
            week.monday,
            None,
            f"Week of {dated_name(week.monday)} trimmed from {adapter.distance(before)} to "
            f"{adapter.distance(after)}: no week goes more than 10% above your biggest recent "
            f"week ({adapter.distance(reference)}).{more}",
        )


def week_volume(adapter: Adapter, monday: date) -> float:
    """Done (to today) and planned (from today) running of the week starting ``monday``, in
    metres, the goal race left out. A week before today with no run recorded in it or before it
    (in the last half year) counts as the volume the planner assumed: the runner's stated
    weekly distance (or a beginner's), as :func:`~ampt_sync.training.periodise.baseline`
    does."""
    ctx = adapter.ctx
    if monday < week_start(ctx.today) and (
        ctx.first_recent_run is None or monday < week_start(ctx.first_recent_run)
    ):
        return ctx.assumed_weekly_m
    end = monday + timedelta(days=7)
    done = ctx.done.distance_between(monday, min(end, ctx.today + timedelta(days=1)))
    planned = sum(
        w.distance_m
        for d, w in adapter.draft.runs_between(max(monday, ctx.today), end)
        if not is_goal_race(w, d, ctx.goal) and not (d == ctx.today and ctx.ran_on(d))
    )
    return done + planned


def trim_week(adapter: Adapter, monday: date, cap_m: float) -> None:
    """Shorten the week's longest easy runs (then its long run) until it is within ``cap_m``."""
    ctx, draft = adapter.ctx, adapter.draft
    while week_volume(adapter, monday) > cap_m:
        runs = [
            (d, w)
            for d, w in draft.runs_between(monday, monday + timedelta(days=7))
            if w.kind in (K.EASY, K.LONG) and w.distance_m > SHORTEST_RUN_M and d >= ctx.today
        ]
        if not runs:
            return
        # Easy runs first: the long run is what the next weeks' single-run caps build on.
        d, w = max(runs, key=lambda item: (item[1].kind is K.EASY, item[1].distance_m, item[0]))
        excess = week_volume(adapter, monday) - cap_m
        size = max(SHORTEST_RUN_M, floor_m(w.distance_m - max(100.0, excess)))
        new = (
            ctx.render.long(w.key, size, 0.0) if w.kind is K.LONG else ctx.render.easy(w.key, size)
        )
        draft.replace(d, w, new)


def resized(
    adapter: Adapter,
    w: Workout,
    factor: float,
    week_m: float,
    day: date,
    *,
    no_fast: bool = False,
) -> Workout:
    """``w`` sized by ``factor`` (< 1) for a ``week_m`` week; ``no_fast`` turns intervals,
    hills and fartlek into easy runs and strength into light strength (a recovery week)."""
    render = adapter.ctx.render
    if w.kind is K.STRENGTH:
        return render.strength(w.key, light=True) if no_fast else w
    if not w.is_run or is_fixed_race(w, day, adapter.ctx.goal):
        return w
    if w.kind is K.RACE:
        return w  # a time trial keeps its distance
    if w.is_quality and (no_fast and w.kind is not K.TEMPO):
        return render.easy(w.key, max(SHORTEST_RUN_M, floor_m(factor * w.distance_m)))
    if w.is_quality:
        return render.rerender(w, week_m)
    if w.kind is K.RECOVERY:
        return render.recovery(w.key, max(20 * 60, 60 * (factor * w.duration_s // 60)))
    size = max(SHORTEST_RUN_M, floor_m(factor * w.distance_m))
    if w.kind is K.LONG:
        return render.long(w.key, size, week_m)
    if w.kind is K.STRIDES:
        return render.strides(w.key, size, week_m)
    return render.easy(w.key, size)


def shortened(adapter: Adapter, w: Workout, cap_m: float, week_m: float) -> Workout:
    """``w`` cut to ``cap_m`` metres: a quality session loses warm-up and cool-down first
    (never under 10 minutes each), else it becomes an easy run."""
    render = adapter.ctx.render
    if w.kind is K.LONG:
        return render.long(w.key, cap_m, week_m)
    if w.kind is K.STRIDES:
        strides = render.strides(w.key, cap_m, week_m)
        if strides.distance_m <= cap_m + 1:
            return strides
        # Too short for strides that last 15 minutes: an easy run within the cap instead.
    if w.kind is K.RECOVERY:
        minutes = int(cap_m / 1000 * render.recovery_s_per_km // 60)
        return render.recovery(w.key, max(60, minutes * 60))
    if w.is_quality:
        trimmed = render.shortened_quality(w, week_m, cap_m)
        if trimmed is not None:
            return trimmed
    return render.easy(w.key, max(SHORTEST_RUN_M, cap_m))
