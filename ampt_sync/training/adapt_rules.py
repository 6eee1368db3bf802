"""The rules of the adaptation that answer what the runner did: missed sessions, runs far beyond
plan, and overreaching. Each edits the :class:`~ampt_sync.training.adapt_state.Adapter`'s draft
and notes a reason for every change; each is idempotent (on the plan it produced, on the same
day, it finds nothing to do).

Pure. Distances in metres, durations in seconds.

**Missed sessions** (science note §5.4: never make up a missed session by stacking):

* A missed easy run is let go.
* A missed quality session (or time trial) moves to the first of the next 3 days where
  :meth:`~ampt_sync.training.adapt_state.Adapter.placement` allows it (an easy run to replace,
  48 hours from the next hard day, no strength the day before, room in its week). It moves
  once: missed again, it is dropped. When no day allows it, it is dropped, and the reason names
  what is in the way on each of those days.
* A missed long run moves the same way to the first of the next 3 days, into the next week
  too, when that day also leaves 5 days before the next long run and 7 before the race
  (:data:`~ampt_sync.training.adapt_state.MIN_DAYS_BETWEEN_LONG_RUNS`,
  :data:`~ampt_sync.training.adapt_state.LONG_RUN_MIN_DAYS_BEFORE_RACE`). Coach's choice [H]:
  two long runs are never closer than that, so when the next long run comes too soon the missed
  one is let go and the next long run stays as planned; it never replaces the next long run,
  however much longer the missed one was. The single-run cap
  (1.10 × the longest run of the 30 days before the new day, §3.1) still holds: the moved long
  run is shortened to it, and the reason says so; a day where the cap would leave it no longer
  than the easy run it replaces cannot take it.

**Runs far beyond plan**: a run matched to a planned session that is ≥ 50 % longer (a long run)
or ≥ 25 % longer (any other run), or ≥ 5 % faster, than planned; a race; or a hard run that was
not planned. The day after it becomes a recovery day (§4.3: conversational recovery runs after
hard days): its run becomes a recovery run of :data:`OVERSHOOT_RECOVERY_S` (shorter if the run
was shorter, never under 20 minutes). A quality session or long run on that day first tries to
swap with a later easy run of its week (a long run at most 3 days later), under the placement
rules; the easy run that comes in is the recovery run. A run is acknowledged once: a next day
that already holds a recovery run of at most :data:`OVERSHOOT_RECOVERY_S` needs nothing.

**Overreaching** (§5.5 [H], any two signs: EWMA acute:chronic ratio above 1.5; monotony above 2
with a rising load; the efficiency factor of easy runs 5 % below its 4-week median on 3+ runs):
next week becomes a recovery week (−30 %, no intervals, hills or fartlek).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from ampt_sync.domain import QUALITY_KINDS, Activity, Phase, Workout, WorkoutKind
from ampt_sync.training.adapt_caps import cap_on, longest_before, resized, shortened
from ampt_sync.training.adapt_state import (
    MOVE_WINDOW_DAYS,
    Adapter,
    Refusal,
    is_hard,
    obstacles,
)
from ampt_sync.training.load import (
    counts_as_run,
    efficiency_factors,
    ewma_acwr,
    floor_m,
    monotony,
    week_start,
)
from ampt_sync.training.matching import Status
from ampt_sync.training.measure import is_fixed_race
from ampt_sync.training.render import MIN_RUN_S
from ampt_sync.training.wording import (
    KIND_WORDS,
    capitalised,
    minutes_text,
    percent,
    session_name,
)
from ampt_sync.units import format_pace

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Rule parameters (science note §4.3, §5.4, §5.5; issue 3, issue 9)

#: A long run this much longer than planned is far beyond plan (issue 9) …
OVERSHOOT_LONGER_LONG_RUN = 1.50
#: … any other run this much longer, or any run this much faster (issue 3).
OVERSHOOT_LONGER = 1.25
OVERSHOOT_FASTER = 0.05
#: The recovery run the day after a run far beyond plan: 30 minutes, the middle of the
#: 20–45 minutes of a recovery run (§4.3) [H].
OVERSHOOT_RECOVERY_S = 30 * 60
#: Overreaching signs (§5.5 [H]): any two insert a recovery week of −30 %, no I/R work.
ACWR_WARN = 1.5
MONOTONY_WARN = 2.0
EF_DROP = 0.05
EF_DROP_RUNS = 3
RECOVERY_WEEK_FACTOR = 0.70
OVERREACH_SIGNS_NEEDED = 2

NOT_MADE_UP = "Missed sessions are not made up by squeezing them in."


# ------------------------------------------------------------------------------------------------
# Missed sessions


def missed_sessions(adapter: Adapter) -> None:
    """Every quality session, time trial and long run missed since the last adaptation moves
    or is let go (module docstring)."""
    ctx = adapter.ctx
    missed = sorted(
        (m for m in ctx.matching.by_key.values() if m.status is Status.MISSED),
        key=lambda m: (m.day, m.key),
    )
    for match in missed:
        if not (ctx.since <= match.day < ctx.today):
            continue
        workout = next(
            (w for w in adapter.draft.days.get(match.day, ()) if w.key == match.key), None
        )
        if workout is None:
            continue
        is_trial = workout.kind is K.RACE and not is_fixed_race(workout, match.day, ctx.goal)
        if workout.is_quality or is_trial:
            _missed_quality(adapter, match.day, workout)
        elif workout.kind is K.LONG:
            _missed_long(adapter, match.day, workout)


def _move_onto(
    adapter: Adapter, source: date, workout: Workout, target: date, easy: Workout
) -> None:
    """``workout`` leaves ``source`` and takes the place of ``easy`` on ``target``."""
    adapter.draft.remove(source, workout)
    adapter.draft.replace(target, easy, workout)


def _missed_quality(adapter: Adapter, day: date, workout: Workout) -> None:
    what = session_name(workout)
    name = adapter.name(day)
    if not adapter.on_its_day(day, workout):
        adapter.note(
            day,
            workout.key,
            f"{name}'s {what} dropped: missed again after it had been moved. {NOT_MADE_UP}",
        )
        return
    found = adapter.first_open_day(day, workout, day + timedelta(days=MOVE_WINDOW_DAYS))
    if isinstance(found, list):
        adapter.note(
            day,
            workout.key,
            f"{name}'s {what} dropped: it was missed; {obstacles(found, adapter.ctx.today)}. "
            + NOT_MADE_UP,
        )
        return
    target, easy = found
    _move_onto(adapter, day, workout, target, easy)
    to = adapter.name(target)
    adapter.note(
        target,
        workout.key,
        f"{name}'s {what} moved to {to}: it was missed, and {to} still leaves 48 hours "
        "before the next hard day.",
    )
    adapter.note(
        target,
        easy.key,
        f"{to}'s {session_name(easy)} makes room for the {what} missed on {name}.",
    )


def _missed_long(adapter: Adapter, day: date, workout: Workout) -> None:
    name = adapter.name(day)
    following = adapter.next_long_run(day, workout.key)
    goal_day = adapter.ctx.goal.day
    if following is not None and day <= goal_day < following:
        following = None  # the race comes first: no long run to point to before it
    then = "" if following is None else f"The next long run is on {adapter.name(following)}"
    if not adapter.on_its_day(day, workout):
        adapter.note(
            day,
            workout.key,
            f"{name}'s long run skipped: it was missed after it had been moved once."
            + (f" {then}, as planned." if then else ""),
        )
        return
    refusals: list[Refusal] = []
    for offset in range(1, MOVE_WINDOW_DAYS + 1):
        target = day + timedelta(days=offset)
        found = adapter.placement(target, workout)
        if isinstance(found, Refusal):
            refusals.append(found)
            continue
        moved = _within_cap(adapter, target, workout, found)
        if isinstance(moved, Refusal):
            refusals.append(moved)
            continue
        _move_onto(adapter, day, workout, target, found)
        if moved is not workout:
            adapter.draft.replace(target, workout, moved)
        to = adapter.name(target)
        if moved is workout:
            adapter.note(
                target,
                workout.key,
                f"{name}'s long run moved to {to}: it was missed, and {to} has no hard day "
                "either side of it.",
            )
        else:
            longest = longest_before(adapter, target, workout.key)
            adapter.note(
                target,
                workout.key,
                f"{name}'s long run moved to {to}, shortened from "
                f"{adapter.distance(workout.distance_m)} to {adapter.distance(moved.distance_m)}: "
                "it was missed, and no run goes more than 10% beyond your longest run of the "
                f"30 days before it ({adapter.distance(longest)}).",
            )
        adapter.note(
            target,
            found.key,
            f"{to}'s {session_name(found)} makes room for the long run missed on {name}.",
        )
        return
    text = f"{name}'s long run skipped: it was missed; {obstacles(refusals, adapter.ctx.today)}."
    # The next long run is named once: a day refused for it being too close names it already.
    if following is not None and not any("the next long run" in r.text for r in refusals):
        text += f" {then}, as planned."
    adapter.note(day, workout.key, text)


def _within_cap(
    adapter: Adapter, target: date, workout: Workout, easy: Workout
) -> Workout | Refusal:
    """``workout`` as it may run on ``target``: shortened to the single-run cap there (§3.1);
    a refusal when that leaves it no longer than the easy run it would replace."""
    cap = cap_on(adapter, target, workout.key)
    if workout.distance_m <= cap:
        return workout
    if cap <= easy.distance_m:
        return Refusal(
            target,
            f"{adapter.name(target)} allows a run of only {adapter.distance(cap)} (10% over your "
            "longest recent run)",
        )
    week = adapter.draft.week_of(target)
    return shortened(adapter, workout, cap, week.planned_distance_m if week else 0.0)


# ------------------------------------------------------------------------------------------------
# Runs far beyond plan


def overshoot(adapter: Adapter) -> None:
    """A run far beyond plan (yesterday's or today's) makes the day after it a recovery day."""
    ctx, draft = adapter.ctx, adapter.draft
    first = draft.order[0] if draft.order else ctx.today
    for a in sorted(ctx.activities, key=lambda a: (a.day, a.start, a.id)):
        if not counts_as_run(a) or not (ctx.today - timedelta(days=1) <= a.day <= ctx.today):
            continue
        if a.day < first:
            continue  # run before this plan began: the plan was made knowing it
        why = overshoot_reason(adapter, a)
        if why is None:
            continue
        following = a.day + timedelta(days=1)
        if following < ctx.today or (following == ctx.today and ctx.ran_on(following)):
            continue
        workout = draft.run_on(following)
        if workout is None or is_fixed_race(workout, following, ctx.goal):
            continue  # a rest day is recovery enough; a race stays
        if is_hard(workout):
            _make_easy(adapter, following, workout, why)
        elif not _eased(workout):
            recovery = _recovery_for(adapter, workout)
            draft.replace(following, workout, recovery)
            adapter.note(
                following,
                workout.key,
                f"{capitalised(why)}: {adapter.name(following)}'s {session_name(workout)} "
                f"becomes a {minutes_text(recovery.duration_s)} recovery run.",
            )


def overshoot_reason(adapter: Adapter, a: Activity) -> str | None:
    """Why ``a`` is far beyond plan, in words ("Saturday's long run was 52% longer than planned
    (24.3 km for 16.0 km)"), or ``None``."""
    ctx = adapter.ctx
    name = adapter.name(a.day)
    key = next((m.key for m in ctx.matching.by_key.values() if m.activity_id == a.id), None)
    if key is None:
        kind = ctx.kinds.get(a.id)
        if kind is K.RACE:
            return f"you raced on {name}"
        if kind in QUALITY_KINDS or kind is K.LONG:
            return f"{name}'s hard {KIND_WORDS[kind]} was not in the plan"
        return None
    planned = next((w for d in adapter.plan.days() for w in d.workouts if w.key == key), None)
    if planned is None or planned.kind is K.RACE or planned.distance_m <= 0:
        return None
    if ctx.kinds.get(a.id) is K.RACE:
        return f"you raced on {name}"
    what = f"{name}'s {session_name(planned)}"
    longer = a.distance_m / planned.distance_m
    threshold = OVERSHOOT_LONGER_LONG_RUN if planned.kind is K.LONG else OVERSHOOT_LONGER
    if longer >= threshold:
        return (
            f"{what} was {percent(longer - 1)} longer than planned "
            f"({adapter.distance(a.distance_m)} for {adapter.distance(planned.distance_m)})"
        )
    if planned.duration_s > 0 and a.moving_time_s > 0:
        planned_pace = planned.duration_s / planned.distance_m * 1000
        pace = a.moving_time_s / a.distance_m * 1000
        faster = 1 - pace / planned_pace
        if faster >= OVERSHOOT_FASTER:
            return (
                f"{what} was {percent(faster)} faster than planned "
                f"({format_pace(pace, ctx.units)} for {format_pace(planned_pace, ctx.units)})"
            )
    return None


def _eased(workout: Workout) -> bool:
    """Already a recovery day's run: what the overshoot rule leaves, so it acts once."""
    return workout.kind is K.RECOVERY and workout.duration_s <= OVERSHOOT_RECOVERY_S


def _recovery_for(adapter: Adapter, workout: Workout) -> Workout:
    """The recovery run that takes ``workout``'s place (its key): 30 minutes, or its own time
    when shorter, never under 20 minutes; never longer in distance than ``workout``, as
    recovery pace is slower than any pace it was planned at."""
    minutes = min(OVERSHOOT_RECOVERY_S, max(MIN_RUN_S, workout.duration_s)) // 60
    return adapter.ctx.render.recovery(workout.key, minutes * 60)


def _make_easy(adapter: Adapter, day: date, workout: Workout, why: str) -> None:
    """The hard ``workout`` on ``day`` swaps with a later easy run of its week (which comes
    to ``day`` as the recovery run), else becomes the recovery run."""
    draft = adapter.draft
    what = session_name(workout)
    name = adapter.name(day)
    monday = week_start(day)
    last = monday + timedelta(days=6)
    if workout.kind is K.LONG:
        last = min(last, day + timedelta(days=MOVE_WINDOW_DAYS))
    moved_before = not adapter.on_its_day(day, workout)
    if moved_before:
        last = day  # a session moves once; after that it is made easy where it is
    refusals: list[Refusal] = []
    target = day + timedelta(days=1)
    while target <= last:
        found = _swap_placement(adapter, target, workout, day)
        if isinstance(found, Refusal):
            refusals.append(found)
            target += timedelta(days=1)
            continue
        recovery = _recovery_for(adapter, found)
        draft.replace(day, workout, recovery)
        draft.replace(target, found, workout)
        to = adapter.name(target)
        adapter.note(target, workout.key, f"{name}'s {what} moved to {to}: {why}.")
        for strength in [w for w in draft.days[day] if w.kind is K.STRENGTH]:
            draft.remove(day, strength)
            draft.days[target].append(strength)
            adapter.note(
                target,
                strength.key,
                f"{name}'s strength circuit moved to {to} with the {what}.",
            )
        adapter.note(
            day,
            found.key,
            f"{to}'s {session_name(found)} moved to {name} as a "
            f"{minutes_text(recovery.duration_s)} recovery run: it swaps with the {what}.",
        )
        return
    recovery = _recovery_for(adapter, workout)
    draft.replace(day, workout, recovery)
    if refusals:
        obstacle = f"; {obstacles(refusals, adapter.ctx.today)}"
    elif moved_before:
        obstacle = ", and it has been moved once already"
    else:
        obstacle = ", and it does not move into next week"
    adapter.note(
        day,
        workout.key,
        f"{name}'s {what} becomes a {minutes_text(recovery.duration_s)} recovery run: "
        f"{why}{obstacle}.",
    )


def _swap_placement(
    adapter: Adapter, day: date, moving: Workout, leaving: date
) -> Workout | Refusal:
    """Like :meth:`~ampt_sync.training.adapt_state.Adapter.placement`, with ``leaving`` (which
    becomes a recovery day) not counted hard. A strength session on ``leaving`` goes along with
    the session (it sits with its quality run), so ``day`` must not hold one already."""
    draft = adapter.draft
    original = list(draft.days[leaving])
    strength = [w for w in original if w.kind is K.STRENGTH]
    if strength and draft.has_strength(day):
        return Refusal(day, f"{adapter.name(day)} already has a strength circuit")
    # Pretend the leaving day is empty while looking.
    draft.days[leaving] = [w for w in original if w is not moving and w not in strength]
    try:
        return adapter.placement(day, moving)
    finally:
        draft.days[leaving] = original


# ------------------------------------------------------------------------------------------------
# Overreaching


def overreaching(adapter: Adapter) -> None:
    """Any two signs of overreaching (module docstring) → next week is a recovery week."""
    ctx, draft = adapter.ctx, adapter.draft
    signs = []
    acwr = ewma_acwr(ctx.done, ctx.today)
    if acwr is not None and acwr > ACWR_WARN:
        signs.append(f"your last week's load was {acwr:.1f}× your usual")
    week_now = ctx.done.distance_between(
        ctx.today - timedelta(days=6), ctx.today + timedelta(days=1)
    )
    week_before = ctx.done.distance_between(
        ctx.today - timedelta(days=13), ctx.today - timedelta(days=6)
    )
    if monotony(ctx.done, ctx.today) > MONOTONY_WARN and week_now > week_before:
        signs.append("day after day of the same load while it was rising")
    paces = ctx.render.paces
    recent = efficiency_factors(
        ctx.activities,
        ctx.today - timedelta(days=6),
        ctx.today + timedelta(days=1),
        slower_than_s_per_km=paces.easy[0],
    )
    before = efficiency_factors(
        ctx.activities,
        ctx.today - timedelta(days=34),
        ctx.today - timedelta(days=6),
        slower_than_s_per_km=paces.easy[0],
    )
    if len(before) >= 3 and recent:
        median = statistics.median(ef for _, ef in before)
        low = [ef for _, ef in recent if ef <= (1 - EF_DROP) * median]
        if len(low) >= EF_DROP_RUNS:
            signs.append("your easy runs took more heartbeats than usual")
    if len(signs) < OVERREACH_SIGNS_NEEDED:
        return
    monday = week_start(ctx.today) + timedelta(weeks=1)
    week = draft.week_of(monday)
    current = draft.week_of(ctx.today)
    if week is None or week.cutback or (current is not None and current.cutback):
        return
    if week.phase not in (Phase.BASE, Phase.STRENGTH, Phase.SPEED, Phase.MAINTENANCE):
        return
    target = floor_m(RECOVERY_WEEK_FACTOR * week.planned_distance_m)
    for d in [x for x in draft.order if week_start(x) == monday]:
        for w in list(draft.days[d]):
            new = resized(adapter, w, RECOVERY_WEEK_FACTOR, target, d, no_fast=True)
            if new is not w:
                draft.replace(d, w, new)
    week.cutback = True
    week.planned_distance_m = target
    adapter.note(
        monday,
        None,
        f"Recovery week from {adapter.name(monday)}: {' and '.join(signs)}. Volume is down 30% "
        "with no intervals, hills or fartlek; the build resumes after it.",
    )
