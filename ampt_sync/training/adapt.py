"""The adaptation engine: the plan in force + what the runner actually did → the plan brought up
to date, with a reason for every change.

Pure and deterministic like the planner (no clock: ``today`` comes in). The days before today
are history and stay as they were; only today (when nothing was run yet) and the future change.
One exception: a missed session that moves takes its key with it, so it leaves its past day.

This module orchestrates; the rules live along their jobs: where a session may go and why not
in :mod:`~ampt_sync.training.adapt_state`, missed sessions, runs beyond plan and overreaching in
:mod:`~ampt_sync.training.adapt_rules`, the safety caps in :mod:`~ampt_sync.training.adapt_caps`.

What happens, in this order, and which rule wins: of 1–3 the first that applies plans the
future afresh, and 6–8 are then skipped (the fresh plan already knows the history); from 4 on
each rule works on what the earlier ones left, so where two touch the same day the later one
wins (a long run moved by 6 onto the day after a run far beyond plan is eased by 7), and the
caps of 9 always have the last word. Each rule is idempotent: adapting the adapted plan again
on the same day with the same activities changes nothing, and the same plan comes back.

1. **A new goal** (distance or date) → the future is planned afresh for it.
2. **Run days changed** in the config → the future is planned afresh on the new days.
3. **A gap** of 6+ days without running, newly seen → the future is planned afresh from the
   history: fitness lowered by the time off (``estimate_fitness`` does the VDOT part), volume
   back in Daniels' return-to-load steps, no quality in the first half of the return period
   (§5.5).
4. **New paces** (VDOT up or down by 0.5 or more, e.g. after a race or a best effort) → every
   workout from today on is rendered again with the new paces: same keys, same sizes.
4½. **The runner's instructions** in force (move, swap, skip, unwell, tune-up race:
   :mod:`~ampt_sync.training.instructions`) are applied to what 1–4 left, so that a plan made
   afresh still honours them; the rules below then work on the plan the runner asked for. A
   session the runner moved onto another day, or a tune-up race, is no sign that the run days
   changed (1–3); a tune-up race, like the goal race, is exempt from the single-run cap (9)
   and is never made up when missed (6).
5. **Matching** of the activities to the planned workouts (same day ±1 by kind and volume:
   ≥ 70 % done, 30–70 % partial, else missed; runs left over are extra; §5.4).
6. **Missed sessions** since the last adaptation (§5.4): an easy run is let go; a quality
   session or long run moves to the first of the next 3 days whose easy run it may replace (an
   easy run there, no hard day either side, no strength the day before, room in the week; a long
   run also into the next week, at least 5 days before the next long run and 7 before the race,
   and shortened to the single-run cap there), else it is dropped and the reason names what
   stands in the way on each of those days. A session moves once; a long run never replaces the
   next long run (when that comes too soon, the missed one is let go).
7. **A run far beyond plan** (a long run ≥ 50 % longer, another run ≥ 25 % longer, any run
   ≥ 5 % faster than planned, a race, or a hard run not planned) → the next day becomes a
   30-minute recovery run, with a reason naming the run and by how much; a quality session or
   long run there first swaps with a later easy run of its week when the rules of 6 allow.
8. **Overreaching** (any two signs: EWMA acute:chronic ratio above 1.5; monotony above 2 with a
   rising load; the efficiency factor of easy runs 5 % below its 4-week median on 3+ runs) →
   next week becomes a recovery week (−30 %, no intervals, hills or fartlek; §5.5).
9. **Safety caps** on the future (§3.1): every run within 1.10 × the longest run done or planned
   in the 30 days before it, every week outside the taper within the weekly build cap of the
   three weeks before it (done weeks count what was done). The caps only ever shorten: a run far
   beyond plan never makes a later run longer.

Science note sections: §5.4 (compliance, missed sessions), §5.5 (gaps, overreaching), §4.3
(recovery runs), §3.1 (caps), §3.2–3.3 (ACWR, monotony).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from ampt_sync.domain import (
    Activity,
    Athlete,
    Change,
    Fitness,
    Goal,
    Instruction,
    InstructionKind,
    Plan,
    WorkoutKind,
)
from ampt_sync.training.adapt_caps import apply_caps
from ampt_sync.training.adapt_rules import missed_sessions, overreaching, overshoot
from ampt_sync.training.adapt_state import Adapter, Context
from ampt_sync.training.instructions import apply_instructions
from ampt_sync.training.load import (
    ROUND_M,
    WEEKLY_SMALL_VOLUME_M,
    RunLog,
    counts_as_run,
    week_start,
    weekly_build_cap_m,
)
from ampt_sync.training.matching import classify_recent, match_activities
from ampt_sync.training.measure import is_fixed_race, is_goal_race
from ampt_sync.training.periodise import BEGINNER_M_PER_RUN_DAY, STALE_HISTORY_DAYS, baseline
from ampt_sync.training.planner import plan_warnings
from ampt_sync.training.render import Renderer
from ampt_sync.training.replan import extend_plan, replan_from
from ampt_sync.training.weeks import FREE_DAY_WARNING, build_warnings
from ampt_sync.training.wording import day_name, session_name
from ampt_sync.units import Units, format_distance

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Parameters

#: VDOT must move this much before every workout is rendered again with new paces [H]: small
#: daily drifts of the estimate would otherwise rewrite the watch every day.
VDOT_RERENDER_MIN = 0.5
#: How far back the adaptation reads activities: the planner's half year without running that
#: makes history stale, and the 4 chronic weeks before that.
RECENT_DAYS = STALE_HISTORY_DAYS + 35
#: Weeks of the plan that ended longer ago than this are dropped from it (the store keeps them).
PLAN_HISTORY_DAYS = 12 * 7
#: Why a plan is made afresh for new run days or a new long-run day: it then keeps the volume of
#: the weeks the plan in force holds (:func:`~ampt_sync.training.replan.replan_from`).
RUN_DAYS_CHANGED = "Your run days changed: the plan from today follows the new ones."
LONG_RUN_DAY_CHANGED = "Your long-run day changed: the plan from today follows it."


# ------------------------------------------------------------------------------------------------
# Public API


def adapt_plan(
    previous: Plan,
    activities: Sequence[Activity],
    athlete: Athlete,
    goal: Goal,
    fitness: Fitness,
    today: date,
    instructions: Sequence[Instruction] = (),
) -> Plan:
    """``previous`` brought up to ``today`` with what the runner did. The returned plan's
    ``changes`` are the changes made now, each with its reason; when there is nothing to change,
    ``previous`` itself comes back (same content, same ``generated_on``), so saving it is a
    no-op. ``fitness`` is today's estimate; ``activities`` every activity known (any order);
    ``instructions`` the runner's instructions in force, oldest first."""
    if today < previous.generated_on:
        return previous
    changes: list[Change] = []
    history = [a for a in activities if a.day < today]  # for the planner, when it plans afresh
    # Every rule here looks back at most half a year (the planner's "stale history" limit and
    # the chronic weeks before it), so the cost does not grow with years of history.
    activities = [a for a in activities if today - timedelta(days=RECENT_DAYS) <= a.day <= today]
    plan = previous
    replanned = False

    # 1–3: a new goal, new run days, a gap: plan the future afresh
    # The sessions the runner placed: by key, and by day (a plan made afresh may have given
    # the session a runner moved a new key, see instructions' "a plan made afresh").
    trades = [i for i in instructions if i.kind in (InstructionKind.MOVE, InstructionKind.SWAP)]
    placed = frozenset(key for i in trades for key in i.keys)
    placed_days = frozenset(d for i in trades for d in (i.day, i.to_day) if d is not None)
    why = _replan_reason(previous, activities, athlete, goal, today, placed, placed_days)
    if why is not None:
        # new days re-lay the build where it stands; a new goal or a gap plans it anew
        relaid = why in (RUN_DAYS_CHANGED, LONG_RUN_DAY_CHANGED)
        fresh = replan_from(previous, goal, athlete, fitness, history, today, keep_volume=relaid)
        changes.append(Change(today, None, why))
        capped = _week_cap_note(previous, fresh, activities, today, athlete.units)
        changes.extend(_diff_changes(previous, fresh, today, why, athlete.units, capped))
        plan, replanned = fresh, True
    else:
        if goal != previous.goal:  # the same race, renamed or with a new target
            plan = replace(plan, goal=goal)
        plan = extend_plan(plan, athlete, plan.fitness, history, today)
        # 4: new paces
        old_vdot = previous.fitness.vdot
        if abs(fitness.vdot - old_vdot) >= VDOT_RERENDER_MIN or (
            previous.fitness.needs_time_trial and not fitness.needs_time_trial
        ):
            plan = _rerender(plan, athlete, goal, fitness, today, activities)
            direction = "faster" if fitness.vdot > old_vdot else "slower"
            changes.append(
                Change(
                    today,
                    None,
                    f"New paces from {fitness.source.split(';')[0]}: VDOT {old_vdot:.1f} → "
                    f"{fitness.vdot:.1f}. Workouts from today use the {direction} paces.",
                )
            )
        elif goal != previous.goal:
            plan = _rerender_race(plan, athlete, goal, today)

    # 4½: the runner's instructions
    plan, steered = apply_instructions(
        plan, instructions, athlete=athlete, goal=goal, today=today, activities=activities,
        fresh=replanned,
    )  # fmt: skip
    changes.extend(steered)

    # 5: matching, then 6–9
    past_log = RunLog(a for a in activities if a.day < today)
    start = baseline(athlete, past_log, today)
    first = plan.days()[0].day if plan.weeks else today
    kinds = classify_recent(activities, plan.fitness, athlete, first, today)
    matching = match_activities(plan, activities, today, kinds=kinds)
    ctx = Context(
        athlete=athlete,
        goal=goal,
        today=today,
        since=previous.generated_on,
        render=Renderer(athlete, goal, plan.fitness.paces, plan.fitness.vdot),
        matching=matching,
        kinds=kinds,
        # what the rules look at: the plan's days and the 5 weeks before today (efficiency)
        activities=[
            a for a in activities if min(first, today - timedelta(days=35)) <= a.day <= today
        ],
        done=RunLog(a for a in activities if a.day <= today),
        units="mi" if athlete.units == "mi" else "km",
        baseline=start,
        assumed_weekly_m=athlete.weekly_distance_m
        or BEGINNER_M_PER_RUN_DAY * len(athlete.schedule.run_days),
        first_recent_run=next(
            (d for d in past_log.run_days if d >= today - timedelta(days=STALE_HISTORY_DAYS)),
            None,
        ),
    )
    adapter = Adapter(plan, ctx)
    if not replanned:
        missed_sessions(adapter)
        overshoot(adapter)
        overreaching(adapter)
    apply_caps(adapter)
    changes.extend(adapter.changes)
    plan = adapter.draft.to_plan(plan)

    # Today's warnings (fitness, goal, a return from a gap), and the build's own, which only a
    # replan makes afresh.
    warnings = plan_warnings(goal, athlete, plan.fitness, today, start)
    plan = replace(plan, warnings=warnings + build_warnings(plan.warnings))
    plan = _prune(plan, today)
    if not changes and _same_content(plan, previous):
        return previous
    return replace(plan, generated_on=today, changes=tuple(changes))


def _prune(plan: Plan, today: date) -> Plan:
    """``plan`` without the weeks that ended more than 12 weeks ago: the store keeps them in
    the older versions, and a plan that runs on for years stays small."""
    horizon = today - timedelta(days=PLAN_HISTORY_DAYS)
    kept = tuple(w for w in plan.weeks if not w.days or w.days[-1].day >= horizon)
    return plan if len(kept) == len(plan.weeks) else replace(plan, weeks=kept)


def _same_content(a: Plan, b: Plan) -> bool:
    return (a.weeks, a.fitness, a.goal, a.warnings) == (b.weeks, b.fitness, b.goal, b.warnings)


def _replan_reason(
    previous: Plan,
    activities: Sequence[Activity],
    athlete: Athlete,
    goal: Goal,
    today: date,
    placed: frozenset[str] = frozenset(),
    placed_days: frozenset[date] = frozenset(),
) -> str | None:
    """Why the future must be planned afresh, or ``None``. ``placed`` are the keys of sessions
    the runner moved, ``placed_days`` the days of their moves and swaps: what stands there says
    nothing about the run days."""
    schedule = athlete.schedule
    old = previous.goal
    if (old.distance_m, old.day) != (goal.distance_m, goal.day):
        name = goal.race or "your race"
        return f"New goal: {name} on {goal.day.isoformat()}. The plan from today is built for it."
    future = [d for d in previous.days() if d.day >= today]
    # A moved long run lands at most 3 days after its day, so at most in next week.
    settled = week_start(today) + timedelta(weeks=1)
    # A run day the plan left free is no change when the plan says it leaves days free (a
    # volume too small for runs of 2 km on every run day); otherwise a run day that holds no
    # run anywhere in the future plan is a new one.
    leaves_days_free = any(FREE_DAY_WARNING in w for w in previous.warnings)
    used_weekdays = {d.day.weekday() for d in future if any(w.is_run for w in d.workouts)}
    full_weeks = {week_start(d.day) for d in future if d.day.weekday() == 6}
    unused = [day for day in schedule.run_days if day not in used_weekdays]
    if unused and not leaves_days_free and len(full_weeks) >= 2:
        return RUN_DAYS_CHANGED
    for d in future:
        if d.day in placed_days:
            continue
        runs = [w for w in d.workouts if w.is_run and w.key not in placed]
        off_day = d.day.weekday() not in schedule.run_days
        if any(off_day and not is_fixed_race(w, d.day, previous.goal) for w in runs):
            return RUN_DAYS_CHANGED
        if week_start(d.day) > settled and any(
            w.kind is K.LONG and d.day.weekday() != schedule.long_run_day for w in runs
        ):
            return LONG_RUN_DAY_CHANGED
    log = RunLog(a for a in activities if a.day < today)
    gaps = log.gaps(today - timedelta(weeks=8), today)
    if gaps and gaps[-1].last >= previous.generated_on:
        gap = gaps[-1]
        ongoing = gap.last >= today - timedelta(days=1)
        days = (today - gap.first).days if ongoing else gap.days
        since = "" if ongoing else f" until {day_name(gap.last, today)}"
        return (
            f"{days} days without running{since}: easing back in at about half your usual "
            "volume, then three quarters, with easy running only at first; paces allow for the "
            "time off."
        )
    return None


def _week_cap_note(
    previous: Plan, fresh: Plan, activities: Sequence[Activity], today: date, units: str
) -> str | None:
    """Why a plan made afresh holds less this week than the plan in force did, when the reason
    is the weekly build cap (science note §3.1: at most 10 % over the biggest of the three weeks
    before, or 5 km under 20 km): what was run this week, often a long run moved there from last
    week, leaves less room than the plan in force gave. ``None`` when the plan in force was
    within the cap too (then the week was not cut for it)."""
    unit: Units = "mi" if units == "mi" else "km"
    monday = week_start(today)
    end = monday + timedelta(days=7)
    log = RunLog(a for a in activities if a.day < today)
    reference_m = log.largest_recent_week_m(today)
    if reference_m <= 0:
        return None
    cap_m = weekly_build_cap_m(reference_m)
    done_m = log.distance_between(monday, today)

    def week_m(plan: Plan) -> float:
        return done_m + sum(
            w.distance_m
            for d, w in plan.workouts_between(today, end)
            if w.is_run and not is_goal_race(w, d, plan.goal)
        )

    if week_m(previous) <= cap_m + ROUND_M or week_m(fresh) > cap_m + ROUND_M:
        return None
    long_days = [d for d, w in previous.workouts_between(monday, today) if w.kind is K.LONG]
    long_runs = [(log.longest_before(d + timedelta(days=1), 1), d) for d in long_days]
    long_m, long_day = max(long_runs, default=(0.0, today))
    held = (
        f"a long run ({format_distance(long_m, unit)} on {day_name(long_day, today)}) and "
        if long_m > 0
        else ""
    )
    step = "10% more" if reference_m >= WEEKLY_SMALL_VOLUME_M else "5 km more"
    return (
        f"this week already holds {held}{format_distance(done_m, unit)} in all; "
        f"{format_distance(week_m(fresh), unit)} is the most a week may hold after your biggest "
        f"recent week of {format_distance(reference_m, unit)} ({step})"
    )


def _diff_changes(
    previous: Plan,
    fresh: Plan,
    today: date,
    why: str,
    units: str,
    capped: str | None = None,
) -> list[Change]:
    """One change per workout of the next 7 days that the replan moved, resized, changed or
    removed, with the replan's reason; ``capped`` (:func:`_week_cap_note`) is the reason of
    this week's runs that came out shorter or were removed."""
    unit: Units = "mi" if units == "mi" else "km"
    horizon = today + timedelta(days=7)
    this_week_end = week_start(today) + timedelta(days=7)
    old = {
        w.key: (d.day, w) for d in previous.days() if today <= d.day < horizon for w in d.workouts
    }
    new = {w.key: (d.day, w) for d in fresh.days() if d.day >= today for w in d.workouts}
    short = why.split(":")[0]
    changes = []
    for key, (day, w) in sorted(old.items(), key=lambda item: (item[1][0], item[0])):
        cut = capped if capped is not None and day < this_week_end else None
        if key not in new:
            text = f"{day_name(day, today)}'s {session_name(w)} removed"
            changes.append(Change(day, key, f"{text}: {cut or short}."))
            continue
        new_day, n = new[key]
        if (new_day, n) == (day, w):
            continue
        if new_day != day or n.distance_m >= w.distance_m:
            cut = None
        if new_day != day:
            text = f"{day_name(day, today)}'s {session_name(w)} moved to {day_name(new_day, today)}"
        elif n.kind is not w.kind:
            text = f"{day_name(day, today)}'s {session_name(w)} is now an {session_name(n)}"
        elif n.distance_m != w.distance_m:
            now, was = format_distance(n.distance_m, unit), format_distance(w.distance_m, unit)
            text = f"{day_name(day, today)}'s {session_name(w)} now {now} instead of {was}"
        else:
            text = f"{day_name(day, today)}'s {session_name(w)} updated"
        changes.append(Change(new_day, key, f"{text}: {cut or short}."))
    for key, (day, n) in sorted(new.items(), key=lambda item: (item[1][0], item[0])):
        if (
            day < horizon
            and key not in old
            and not any(key == w.key for d in previous.days() for w in d.workouts)
        ):
            text = f"{day_name(day, today)}: {session_name(n)} added: {short}."
            changes.append(Change(day, key, text))
    return changes


def _rerender(
    plan: Plan,
    athlete: Athlete,
    goal: Goal,
    fitness: Fitness,
    today: date,
    activities: Sequence[Activity],
) -> Plan:
    """Every workout from today on again with ``fitness``' paces: same keys, same sizes."""
    render = Renderer(athlete, goal, fitness.paces, fitness.vdot)
    ran_today = any(a.day == today and counts_as_run(a) for a in activities)
    weeks = []
    for week in plan.weeks:
        days = []
        for d in week.days:
            if d.day < today or (d.day == today and ran_today):
                days.append(d)
                continue
            days.append(
                replace(
                    d,
                    workouts=tuple(render.rerender(w, week.planned_distance_m) for w in d.workouts),
                )
            )
        weeks.append(replace(week, days=tuple(days)))
    return replace(plan, fitness=fitness, goal=goal, weeks=tuple(weeks))


def _rerender_race(plan: Plan, athlete: Athlete, goal: Goal, today: date) -> Plan:
    render = Renderer(athlete, goal, plan.fitness.paces, plan.fitness.vdot)
    weeks = []
    for week in plan.weeks:
        days = tuple(
            replace(
                d,
                workouts=tuple(
                    render.race(w.key) if d.day >= today and is_goal_race(w, d.day, goal) else w
                    for w in d.workouts
                ),
            )
            for d in week.days
        )
        weeks.append(replace(week, days=days))
    return replace(plan, goal=goal, weeks=tuple(weeks))


__all__ = ["adapt_plan"]
