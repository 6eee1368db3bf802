"""The runner's instructions applied to a plan: move, swap, skip, unwell (issue 11).

Pure and deterministic, like the rest of the core: no clock (``today`` comes in), no I/O.
:func:`apply_instructions` runs inside the adaptation every cycle (step 4½ of
:mod:`~ampt_sync.training.adapt`: after a replan or new paces, before the matching, the rules
and the caps), so a plan made again still honours what the runner said. :func:`prepare` checks
a new instruction against the plan in force and fills in the sessions it concerns.

Invariants:

* **Only today and later change.** The days before today are history, as in the adaptation.
* **Idempotent.** Applying the same instructions to the plan they made changes nothing and
  notes no change, so adapting again on the same day stores no new version.
* **Keys stay.** A moved or swapped session keeps its key (on Garmin it is one workout moved,
  not one deleted and another created); an eased session keeps its key too. Only ``skip`` and
  an ``ill`` spell take sessions out of the plan.
* **A plan made afresh still honours them.** A session keeps its key through a replan only
  when the new plan puts the same kind on the same day (keys hash the goal, the day and the
  kind). When the plan was made afresh (``fresh``: a new goal, new run days, a return from a
  gap) and a move, swap or skip no longer finds its session, it takes the session that now
  stands on the day the runner named; when that day holds none, a change says that the
  instruction has nothing left to do. Never silently dropped.
* **Every change names its instruction** ("… (your instruction #4, move Tuesday's session to
  Thursday)."), and says what and why when the plan did something else than asked.

What each kind does:

``move``  The session goes to the new day; the run that stood there takes its old day (the
          week keeps its sessions and its volume, and the change names what else moved).
``swap``  The two days trade their sessions (strength stays where it is). A later move or
          swap of the same session replaces an earlier one.
``skip``  The session is dropped and not made up later; nothing else is stacked to replace it.
``unwell``
          ``tired``: for the N days no quality, every run easy and at most
          :data:`TIRED_RUN_MAX_S`, the long run at most :data:`TIRED_LONG_MAX_S`, strength light.
          ``ill``: the N days are rest days. Afterwards a return of as many days (at most
          :data:`RETURN_MAX_DAYS`) as after a break: no quality, runs at most
          :data:`RETURN_RUN_MAX_S`, the long run at most :data:`RETURN_LONG_MAX_S`.
          ``unwell_end`` ends the spell on its day (the return starts there). The goal race is
          never eased nor dropped: the change says so.
``race``  A tune-up race on its day (the run there gives way to it, strength too): easy days
          before it (3 for a B race, 2 for a C race: quality and long runs become easy runs,
          no strength the day before), a 30-minute recovery run the day after (and no quality
          the day after that, for a B race), and it counts as the week's quality: the week keeps
          at most one other quality session. A race stays on its date: moves and swaps do not
          take it away. ``race remove`` takes the instruction back.

When a move or swap would break a safety rule, the plan does the nearest safe thing and says so
(science note §4.3, §3.1): a quality session next to another hard day (quality, long run, race)
or the day before a long run becomes an easy run of about its length (the session the runner
moved gives way; a moved long run keeps its place and the quality session beside it is eased);
a long run moved next to another long run or a race becomes an easy run of half its length; a
run beyond the single-run cap (1.10 × the longest run done or planned in the 30 days before it)
is shortened to the cap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ampt_sync.domain import (
    CONFIG_INSTRUCTIONS,
    Activity,
    Athlete,
    Change,
    Goal,
    Instruction,
    InstructionKind,
    Plan,
    Workout,
    WorkoutKind,
)
from ampt_sync.training import library
from ampt_sync.training.draft import Draft
from ampt_sync.training.fitness import race_time
from ampt_sync.training.layout import MAX_QUALITY
from ampt_sync.training.load import RunLog, floor_m, single_run_cap_m, week_start
from ampt_sync.training.measure import TUNE_UP_PREFIX, is_fixed_race, is_goal_race
from ampt_sync.training.render import Renderer
from ampt_sync.training.wording import dated_name, day_name, minutes_text, session_name
from ampt_sync.units import Units, distance_label, format_distance

K = WorkoutKind
I = InstructionKind  # noqa: E741 - the kind's initial, as K is the workout kind's

#: While tired: every run at most this long, at the middle of easy pace [H] (Runna's "Not
#: Feeling 100 %" dials runs back to short easy ones).
TIRED_RUN_MAX_S = 30 * 60
#: While tired: the long run at most this long [H].
TIRED_LONG_MAX_S = 60 * 60
#: The return after an unwell spell lasts as many days as the spell, at most this many [H].
RETURN_MAX_DAYS = 7
#: During the return: runs at most this long, no quality (as after a gap, §5.5) [H].
RETURN_RUN_MAX_S = 45 * 60
#: During the return: the long run at most this long [H].
RETURN_LONG_MAX_S = 75 * 60
#: A long run moved beside another hard day becomes an easy run of this share of it [H].
EASED_LONG_SHARE = 0.5
#: Easy days before a tune-up race, by its priority (b: it matters; c: a hard workout) [H].
RACE_TAPER_DAYS = {"b": 3, "c": 2}
#: A tune-up race is refused this close to another race (either side): easy days between [H].
RACE_MIN_GAP_DAYS = 2
#: The day after a tune-up race: a recovery run of at most this long (§4.3) [H].
RACE_RECOVERY_S = 30 * 60


class InstructionRefused(ValueError):
    """The instruction cannot apply to this plan; the message says why and what to do."""


# ------------------------------------------------------------------------------------------------
# Words


def summary(instruction: Instruction, today: date) -> str:
    """What the runner asked, in a few words: "move Tuesday's session to Thursday"."""
    ins = instruction
    day = day_name(ins.day, today)
    other = day_name(ins.to_day, today) if ins.to_day is not None else ""
    if ins.kind is I.MOVE:
        return f"move {day}'s session to {other}"
    if ins.kind is I.SWAP:
        return f"swap {day}'s and {other}'s sessions"
    if ins.kind is I.SKIP:
        return f"skip {day}'s session" + (f" ({ins.why})" if ins.why else "")
    if ins.kind is I.UNWELL:
        feeling = "tired" if ins.level == "tired" else "ill"
        days = "1 day" if ins.days == 1 else f"{ins.days} days"
        return f"{feeling}, {days} from {day}"
    if ins.kind is I.RACE:
        return f"{race_name(ins)} on {day} ({ins.priority.upper()} race)"
    if ins.kind is I.GOAL:
        after = {key: new for key, _old, new in ins.config}
        distance = after.get("distance")
        what = after.get("race") or (
            distance_label(float(distance)) if isinstance(distance, int | float) else distance
        )
        when = after.get("date")
        race_day = date.fromisoformat(when) if isinstance(when, str) else when
        on = f" on {day_name(race_day, today)}" if isinstance(race_day, date) else ""
        return f"new goal: {what}{on}"
    if ins.kind is I.DAYS:
        after = {key: new for key, _old, new in ins.config}
        runs = ", ".join(str(d).capitalize() for d in after.get("run_days") or ())
        long = after.get("long_run_day")
        text = f"run days {runs}" + (f", long run {str(long).capitalize()}" if long else "")
        # given for a later day (pending until then): the day they start, as a date
        return text + (f" from {dated_name(ins.day)}" if ins.day > ins.given_on else "")
    return f"unwell spell ended {day}"


def race_name(instruction: Instruction) -> str:
    """A tune-up race's name: the runner's, else its distance ("10K race")."""
    return instruction.name or f"{distance_label(instruction.distance_m, 'km')} race"


def tune_up_key(instruction: Instruction) -> str:
    """The tune-up race's workout key: stable for its day and distance."""
    seed = f"tune-up|{instruction.day.isoformat()}|{instruction.distance_m:g}"
    return TUNE_UP_PREFIX + hashlib.sha256(seed.encode()).hexdigest()[:10]


def _label(instruction: Instruction, today: date) -> str:
    number = f" #{instruction.id}" if instruction.id is not None else ""
    return f"your instruction{number}, {summary(instruction, today)}"


# ------------------------------------------------------------------------------------------------
# Public API


def apply_instructions(
    plan: Plan,
    instructions: Sequence[Instruction],
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    activities: Sequence[Activity] = (),
    fresh: bool = False,
) -> tuple[Plan, tuple[Change, ...]]:
    """``plan`` with ``instructions`` applied from ``today`` on, and the changes that made
    (none when the plan already honours them: then ``plan`` itself comes back). Tune-up races
    apply first (they are fixed on their dates), then moves, swaps and skips, oldest first, then
    the unwell spells ease what stands on their days. ``fresh``: ``plan`` was just made afresh,
    so none of the instructions is in it yet (see "a plan made afresh" in the module)."""
    if not instructions or not plan.weeks:
        return plan, ()
    steer = _Steer(plan, athlete, goal, today, activities, fresh)
    # Where sessions go first, then how the unwell days are eased: easing caps whatever stands
    # on a day, so it must see the days as the moves left them, or applying again would ease
    # what a later move brought there, and the plan would change every cycle.
    for instruction in instructions:
        if instruction.kind is I.RACE:
            steer.apply(instruction, instructions)
    for n, instruction in enumerate(instructions):
        if instruction.kind in (I.MOVE, I.SWAP, I.SKIP) and not _superseded(
            instruction, instructions[n + 1 :]
        ):
            steer.apply(instruction, instructions)
    for instruction in instructions:
        if instruction.kind is I.UNWELL:
            steer.apply(instruction, instructions)
    if not steer.changes:
        return plan, ()
    return steer.draft.to_plan(plan), tuple(steer.changes)


def _superseded(instruction: Instruction, later: Sequence[Instruction]) -> bool:
    """A move or swap is replaced by a later move or swap of one of its sessions: the newest
    word on where a session goes is the one that counts (and applying both again would undo
    and redo the first every cycle)."""
    if instruction.kind not in (I.MOVE, I.SWAP):
        return False
    keys = set(instruction.keys)
    return any(i.kind in (I.MOVE, I.SWAP) and keys & set(i.keys) for i in later)


def unwell_window(
    instruction: Instruction, instructions: Sequence[Instruction]
) -> tuple[date, date, date]:
    """``(first, end, return_end)`` of an unwell spell: eased or rest days ``first <= d < end``
    (ended early by the first ``unwell_end`` given after it), then the return until
    ``return_end``."""
    first = instruction.day
    end = first + timedelta(days=instruction.days)
    after = False
    for other in instructions:
        if other is instruction or (other.id is not None and other.id == instruction.id):
            after = True
            continue
        if after and other.kind is I.UNWELL_END and other.day >= first:
            end = min(end, other.day)
            break
    length = (end - first).days
    return first, end, end + timedelta(days=min(length, RETURN_MAX_DAYS))


def last_day(instruction: Instruction, instructions: Sequence[Instruction]) -> date:
    """The last day an instruction can still change: after it, it is history."""
    if instruction.kind is I.UNWELL:
        return unwell_window(instruction, instructions)[2] - timedelta(days=1)
    return max(instruction.day, instruction.to_day or instruction.day)


def in_force(instructions: Sequence[Instruction], today: date) -> list[Instruction]:
    """The instructions that can still change the plan from ``today`` on (the end of an unwell
    spell stays while its spell does; a new goal until its race day, and new run days, while no
    later one of its kind replaced them), oldest first as given. New run days given for a later
    day (``pending``) count as given: the newest run days, now or pending, are the ones in
    force, so later days replace pending ones and pending ones replace those of before."""
    newest = {i.kind: i for i in instructions if i.kind in CONFIG_INSTRUCTIONS}
    newest_config = {k: i for k, i in newest.items() if _config_in_force(i, today)}
    kept = [
        i
        for i in instructions
        if (newest_config.get(i.kind) is i)
        or (
            i.kind not in CONFIG_INSTRUCTIONS
            and i.kind is not I.UNWELL_END
            and last_day(i, instructions) >= today
        )
    ]
    spells = [i for i in kept if i.kind is I.UNWELL]
    earliest = min((i.day for i in spells), default=None)
    return [
        i
        for i in instructions
        if i in kept or (i.kind is I.UNWELL_END and earliest is not None and i.day >= earliest)
    ]


def _config_in_force(instruction: Instruction, today: date) -> bool:
    """A new goal is history once its race day has passed; new run days stay."""
    if instruction.kind is not I.GOAL:
        return True
    race_day = {key: new for key, _old, new in instruction.config}.get("date")
    if isinstance(race_day, str):
        race_day = date.fromisoformat(race_day)
    return not isinstance(race_day, date) or race_day >= today


def session_on(plan: Plan, day: date) -> Workout | None:
    """The session an instruction about ``day`` means: its run, else its first workout."""
    planned = next((d for d in plan.days() if d.day == day), None)
    return _first_session(planned.workouts if planned is not None else ())


def session_on_draft(draft: Draft, day: date) -> Workout | None:
    """:func:`session_on` for a plan being edited."""
    return _first_session(draft.days.get(day, ()))


def _first_session(workouts: Sequence[Workout]) -> Workout | None:
    return next((w for w in workouts if w.is_run), workouts[0] if workouts else None)


def prepare(
    plan: Plan, instruction: Instruction, today: date, active: Sequence[Instruction] = ()
) -> Instruction:
    """``instruction`` checked against the plan in force, with the keys of the sessions it
    concerns filled in. Raises :class:`InstructionRefused` naming the cause and the fix."""
    ins = instruction
    days = [d.day for d in plan.days()]
    if not days:
        raise InstructionRefused("there is no plan yet; run `ampt-sync plan` first")
    if ins.kind in CONFIG_INSTRUCTIONS:
        return ins  # checked as the config is (config_edit), and applied through it
    first, last = max(days[0], today), days[-1]
    for day in (ins.day, ins.to_day):
        if day is None or ins.kind in (I.UNWELL, I.UNWELL_END):
            continue
        if day < today:
            raise InstructionRefused(
                f"{day.isoformat()} is in the past; give a day from today ({today.isoformat()}) on"
            )
        if not first <= day <= last:
            raise InstructionRefused(
                f"{day.isoformat()} is outside the plan ({first.isoformat()} to "
                f"{last.isoformat()}); give a day inside it"
            )
    if ins.kind in (I.MOVE, I.SWAP, I.SKIP):
        return _prepare_session(plan, ins, today)
    if ins.kind is I.RACE:
        if ins.day == plan.goal.day:
            raise InstructionRefused(
                f"{ins.day.isoformat()} is your goal race's day; give another day for a tune-up"
            )
        if any(a.kind is I.RACE and a.day == ins.day for a in active):
            raise InstructionRefused(
                f"a race on {ins.day.isoformat()} is in the plan already; "
                "`ampt-sync race remove` takes it out"
            )
        races = [plan.goal.day] + [a.day for a in active if a.kind is I.RACE]
        near = [d for d in races if abs((d - ins.day).days) <= RACE_MIN_GAP_DAYS]
        if near:
            raise InstructionRefused(
                f"{ins.day.isoformat()} is within {RACE_MIN_GAP_DAYS} days of your race on "
                f"{near[0].isoformat()}; races need easy days between them, give another day"
            )
    if ins.kind is I.UNWELL_END:
        spells = [
            a
            for a in active
            if a.kind is I.UNWELL and unwell_window(a, active)[0] <= today
            and unwell_window(a, active)[1] > today
        ]  # fmt: skip
        if not spells:
            raise InstructionRefused("you are not marked unwell today; nothing to end")
    return ins


def _prepare_session(plan: Plan, ins: Instruction, today: date) -> Instruction:
    session = session_on(plan, ins.day)
    other = session_on(plan, ins.to_day) if ins.to_day is not None else None
    for day, workout in ((ins.day, session), (ins.to_day, other)):
        if workout is not None and day is not None and is_goal_race(workout, day, plan.goal):
            raise InstructionRefused(
                f"{day.isoformat()} is your goal race, which stays on its date; to change the "
                "race, edit [goal] in the config file"
            )
        if workout is not None and day is not None and is_fixed_race(workout, day, plan.goal):
            raise InstructionRefused(
                f"{day.isoformat()} is a tune-up race, which stays on its date; "
                "`ampt-sync race remove` takes it out"
            )
    if ins.kind is I.SWAP:
        if session is None and other is None:
            raise InstructionRefused(
                f"neither {ins.day.isoformat()} nor {ins.to_day} holds a session; nothing to swap"
            )
        if session is not None:
            # What the trade moves: the other day's session in the same place (a run for a
            # run, a strength circuit for a strength circuit), as for a move; naming the run
            # there when a strength circuit trades would leave an earlier move of the circuit
            # unsuperseded, and applying both again would change the plan every cycle.
            target = next((d for d in plan.days() if d.day == ins.to_day), None)
            same = [w for w in (target.workouts if target else ()) if w.is_run == session.is_run]
            keys = (session.key, *(w.key for w in same[:1]))
        else:
            keys = tuple(w.key for w in (other,) if w is not None)
        if session is None and ins.to_day is not None:
            # a swap with an empty day moves the other day's session there
            return replace(ins, day=ins.to_day, to_day=ins.day, keys=keys)
        return replace(ins, keys=keys)
    if session is None:
        raise InstructionRefused(
            f"{ins.day.isoformat()} holds no session; `ampt-sync plan` shows the days that do"
        )
    if ins.kind is I.MOVE and ins.to_day is not None:
        # What the move displaces: the target day's session of the same place (a run for a
        # run, a strength circuit for a strength circuit), as the trade does it; recording it
        # lets a later move of that session supersede this one.
        target = next((d for d in plan.days() if d.day == ins.to_day), None)
        displaced = [w for w in (target.workouts if target else ()) if w.is_run == session.is_run]
        return replace(ins, keys=(session.key, *(w.key for w in displaced[:1])))
    return replace(ins, keys=(session.key,))


# ------------------------------------------------------------------------------------------------
# The editing


@dataclass
class _Steer:
    plan: Plan
    athlete: Athlete
    goal: Goal
    today: date
    activities: Sequence[Activity]
    fresh: bool = False

    def __post_init__(self) -> None:
        self.draft = Draft(self.plan)
        self.changes: list[Change] = []
        fitness = self.plan.fitness
        self.render = Renderer(self.athlete, self.goal, fitness.paces, fitness.vdot)
        self.done = RunLog(a for a in self.activities if a.day < self.today)
        self.units: Units = "mi" if self.athlete.units == "mi" else "km"

    # -- helpers -------------------------------------------------------------------------------

    def name(self, day: date) -> str:
        return day_name(day, self.today)

    def where(self, key: str) -> tuple[date, Workout] | None:
        for day in self.draft.order:
            for w in self.draft.days[day]:
                if w.key == key:
                    return day, w
        return None

    def session(self, ins: Instruction, key: str, day: date) -> tuple[date, Workout] | None:
        """Where the instruction's session ``key`` is now. In a plan made afresh that lost
        the key, the session now on ``day`` (the day the runner named) stands for it; when
        there is none, a change says the instruction has nothing left to do there."""
        found = self.where(key)
        if found is not None or not self.fresh or not self.open_day(day):
            return found
        workout = session_on_draft(self.draft, day)
        if workout is None:
            self.note(
                day, None,
                f"The plan made afresh has no session on {self.name(day)}: nothing to "
                f"{ins.kind.value} there any more", ins,
            )  # fmt: skip
            return None
        return day, workout

    def open_day(self, day: date) -> bool:
        return day >= self.today and day in self.draft.days

    def note(self, day: date, key: str | None, effect: str, ins: Instruction) -> None:
        self.changes.append(Change(day, key, f"{effect} ({_label(ins, self.today)})."))

    def week_m(self, day: date) -> float:
        week = self.draft.week_of(day)
        return 0.0 if week is None else week.planned_distance_m

    def minutes_m(self, duration_s: float) -> float:
        """The distance of ``duration_s`` at the middle of easy pace, never under the
        shortest run."""
        size = floor_m(duration_s / self.render.easy_mid_s_per_km * 1000)
        return max(self.render.min_run_m(), size)

    def replace(self, day: date, old: Workout, new: Workout) -> bool:
        if new == old:
            return False
        self.draft.replace(day, old, new)
        return True

    # -- dispatch ------------------------------------------------------------------------------

    def apply(self, ins: Instruction, every: Sequence[Instruction]) -> None:
        if ins.kind in (I.MOVE, I.SWAP):
            self.trade(ins)
        elif ins.kind is I.SKIP:
            self.skip(ins)
        elif ins.kind is I.UNWELL:
            self.unwell(ins, every)
        elif ins.kind is I.RACE:
            self.race(ins)

    # -- move and swap -------------------------------------------------------------------------

    def trade(self, ins: Instruction) -> None:
        """``keys[0]`` onto ``to_day``; what stood there (``keys[1]``, or another run the plan
        has put there since) onto the day ``keys[0]`` leaves."""
        if not ins.keys or ins.to_day is None:
            return
        found = self.session(ins, ins.keys[0], ins.day)
        target = ins.to_day
        if found is None or found[0] == target:
            return  # gone from the plan (made again without it), or already there
        origin, moving = found
        if not self.open_day(origin) or not self.open_day(target):
            return
        if is_fixed_race(moving, origin, self.goal):
            return
        for w in self.draft.days[target]:
            if is_fixed_race(w, target, self.goal):
                self.note(
                    origin, moving.key, f"{self.name(origin)}'s {session_name(moving)} stays: "
                    f"{self.name(target)} is race day", ins,
                )  # fmt: skip
                return
        moved = [moving.key]
        self.draft.remove(origin, moving)
        # What stands on the target day in the same place (a run for a run) takes the old day.
        displaced = [w for w in self.draft.days[target] if w.is_run == moving.is_run]
        for w in displaced:
            self.draft.remove(target, w)
            self.draft.put(origin, w)
            moved.append(w.key)
        self.draft.put(target, moving)
        self.note(
            target, moving.key,
            f"{self.name(origin)}'s {session_name(moving)} moved to {self.name(target)}", ins,
        )  # fmt: skip
        room = "" if ins.kind is I.SWAP else " to make room"
        for w in displaced:
            self.note(
                origin, w.key,
                f"{self.name(target)}'s {session_name(w)} moved to {self.name(origin)}{room}", ins,
            )  # fmt: skip
        for day in sorted({target, origin}):
            self.make_safe(day, set(moved), ins)

    def make_safe(self, day: date, moved: set[str], ins: Instruction) -> None:
        """The nearest safe thing on ``day`` (and beside it) after a move: see the module."""
        run = self.draft.run_on(day)
        if run is None or is_goal_race(run, day, self.goal):
            return

        def quality(w: Workout, on: date) -> bool:
            # a time trial (a race the plan set, not the runner's) gives way like quality
            return w.is_quality or (w.kind is K.RACE and not is_fixed_race(w, on, self.goal))

        for side in (day - timedelta(days=1), day + timedelta(days=1)):
            other = self.draft.run_on(side)
            if not _hard(run) or not _hard(other) or other is None:
                continue
            before = "the day before" if side > day else "the day after"
            clash = f"{before} {self.name(side)}'s {session_name(other)}"
            if quality(run, day) and (run.key in moved or not quality(other, side)):
                why = f"{session_name(run)} {clash} would make two hard days in a row"
                self.ease(day, run, why, ins)
                return
            if quality(other, side) and not is_goal_race(other, side, self.goal):
                here = f"the day {'after' if side > day else 'before'} {self.name(day)}'s "
                self.ease(
                    side, other,
                    f"{session_name(other)} {here}{session_name(run)} would make two hard days "
                    "in a row",
                    ins,
                )  # fmt: skip
                continue
            if run.kind is K.LONG:  # beside another long run or a race
                self.ease(day, run, f"a long run {clash} would make two hard days in a row", ins)
                return
            if other.kind is K.LONG:  # a time trial moved beside a long run
                here = f"the day {'after' if side > day else 'before'} {self.name(day)}'s "
                self.ease(
                    side, other,
                    f"a long run {here}{session_name(run)} would make two hard days in a row",
                    ins,
                )  # fmt: skip
        self.cap(day, ins)

    def ease(self, day: date, workout: Workout, why: str, ins: Instruction) -> None:
        share = EASED_LONG_SHARE if workout.kind is K.LONG else 1.0
        size = max(self.render.min_run_m(), floor_m(share * workout.distance_m))
        easy = self.render.easy(workout.key, size)
        if self.replace(day, workout, easy):
            self.note(
                day, workout.key,
                f"{self.name(day)}'s {session_name(workout)} is an easy run of "
                f"{format_distance(size, self.units)} instead: {why}", ins,
            )  # fmt: skip

    def cap(self, day: date, ins: Instruction) -> None:
        """The single-run cap on ``day``'s run: 1.10 × the longest run done or planned in the
        30 days before it."""
        run = self.draft.run_on(day)
        if run is None or run.kind is K.RACE:
            return
        start = day - timedelta(days=30)
        planned = [w.distance_m for d, w in self.draft.runs_between(max(start, self.today), day)]
        longest = max([self.done.longest_before(day), *planned])
        limit = floor_m(single_run_cap_m(longest))
        if longest <= 0 or run.distance_m <= limit + 1:
            return
        week_m = self.week_m(day)
        if run.kind is K.LONG:
            new = self.render.long(run.key, limit, week_m)
        elif run.is_quality:
            new = self.render.shortened_quality(run, week_m, limit) or self.render.easy(
                run.key, max(self.render.min_run_m(), limit)
            )
        else:
            new = self.render.easy(run.key, max(self.render.min_run_m(), limit))
        if self.replace(day, run, new):
            self.note(
                day, run.key,
                f"{self.name(day)}'s {session_name(run)} shortened to "
                f"{format_distance(new.distance_m, self.units)}: on {self.name(day)} it would be "
                f"more than 1.1 × your longest run of the 30 days before "
                f"({format_distance(longest, self.units)})", ins,
            )  # fmt: skip

    # -- tune-up race --------------------------------------------------------------------------

    def race(self, ins: Instruction) -> None:
        day = ins.day
        key = tune_up_key(ins)
        if not self.open_day(day) or any(w.key == key for w in self.draft.days[day]):
            return  # in the past, beyond the plan, or there already
        if any(is_goal_race(w, day, self.goal) for w in self.draft.days[day]):
            return  # (refused when given; a new goal on that day wins)
        name = race_name(ins)
        on = f"your race on {self.name(day)}"
        for w in list(self.draft.days[day]):
            self.draft.remove(day, w)
            self.note(day, w.key, f"{self.name(day)}'s {session_name(w)} gives way to {on}", ins)
        self.draft.put(day, self.tune_up(ins, key, name))
        self.note(day, key, f"{name} added on {self.name(day)}", ins)
        # Easy days before it; no strength the day before.
        for n in range(1, RACE_TAPER_DAYS[ins.priority] + 1):
            before = day - timedelta(days=n)
            if not self.open_day(before):
                continue
            for w in list(self.draft.days[before]):
                if n == 1 and w.kind is K.STRENGTH:
                    self.draft.remove(before, w)
                    self.note(before, w.key, f"{self.name(before)}'s strength circuit off: "
                              f"the day before {on}", ins)  # fmt: skip
                elif w.is_run and _hard(w) and not is_fixed_race(w, before, self.goal):
                    self.ease(before, w, f"easy days before {on}", ins)
        # Recovery after it.
        after = day + timedelta(days=1)
        run = self.draft.run_on(after) if self.open_day(after) else None
        recovered = (
            run is None
            or is_fixed_race(run, after, self.goal)
            or (run.kind is K.RECOVERY and run.duration_s <= RACE_RECOVERY_S)
        )
        if run is not None and not recovered:
            self.replace(after, run, self.render.recovery(run.key, RACE_RECOVERY_S))
            self.note(after, run.key, f"{self.name(after)}'s {session_name(run)} is a "
                      f"{minutes_text(RACE_RECOVERY_S)} recovery run: the day after {on}",
                      ins)  # fmt: skip
        if ins.priority == "b":
            later = day + timedelta(days=2)
            run = self.draft.run_on(later) if self.open_day(later) else None
            if run is not None and run.is_quality:
                self.ease(later, run, f"two days after {on}, no quality yet", ins)
        # It counts as the week's quality: at most one other, the nearest to it eased first.
        monday = week_start(day)
        quality = sorted(
            (abs((d - day).days), d, w.key)
            for d, w in self.draft.runs_between(monday, monday + timedelta(days=7))
            if w.is_quality and self.open_day(d)
        )
        for _gap, d, _key in quality[: max(0, len(quality) - (MAX_QUALITY - 1))]:
            run = self.draft.run_on(d)
            if run is not None:
                self.ease(d, run, f"{on} is this week's hard session", ins)

    def tune_up(self, ins: Instruction, key: str, name: str) -> Workout:
        fitness = self.plan.fitness
        race_goal = Goal(distance_m=ins.distance_m, day=ins.day, race=name)
        predicted_s = race_time(fitness.vdot, ins.distance_m)
        return library.race(key, race_goal, predicted_s, units=self.units)

    # -- skip ----------------------------------------------------------------------------------

    def skip(self, ins: Instruction) -> None:
        if not ins.keys:
            return
        found = self.session(ins, ins.keys[0], ins.day)
        if found is None or not self.open_day(found[0]):
            return
        day, workout = found
        self.draft.remove(day, workout)
        self.note(
            day, workout.key,
            f"{self.name(day)}'s {session_name(workout)} skipped, not made up later", ins,
        )  # fmt: skip

    # -- unwell --------------------------------------------------------------------------------

    def unwell(self, ins: Instruction, every: Sequence[Instruction]) -> None:
        first, end, return_end = unwell_window(ins, every)
        day = max(first, self.today)
        noted = len(self.changes)
        races: list[tuple[date, Workout]] = []
        while day < return_end:
            if day in self.draft.days:
                if day < end:
                    self.unwell_day(day, ins)
                    races += [(day, w) for w in self.draft.days[day] if w.kind is K.RACE]
                else:
                    self.return_day(day, ins)
            day += timedelta(days=1)
        # Said once, with the spell's other changes (so applying again says nothing new).
        if len(self.changes) > noted:
            for day, race in races:
                self.note(day, race.key, f"{self.name(day)}'s race stays: run it as you feel", ins)

    def unwell_day(self, day: date, ins: Instruction) -> None:
        ill = ins.level == "ill"
        for w in list(self.draft.days[day]):
            if is_fixed_race(w, day, self.goal):
                continue
            if ill:
                self.draft.remove(day, w)
                self.note(day, w.key, f"{self.name(day)}'s {session_name(w)} off: a rest day", ins)
                continue
            if w.kind is K.STRENGTH:
                new = self.render.strength(w.key, light=True)
            elif w.is_run:
                new = self.capped(day, w, TIRED_RUN_MAX_S, TIRED_LONG_MAX_S)
            else:
                continue
            if self.replace(day, w, new):
                self.note(day, w.key, self.eased_text(day, w, new), ins)

    def return_day(self, day: date, ins: Instruction) -> None:
        for w in list(self.draft.days[day]):
            if not w.is_run or is_fixed_race(w, day, self.goal):
                continue
            new = self.capped(day, w, RETURN_RUN_MAX_S, RETURN_LONG_MAX_S)
            if self.replace(day, w, new):
                self.note(day, w.key, self.eased_text(day, w, new) + " (easing back in)", ins)

    def capped(self, day: date, w: Workout, run_max_s: float, long_max_s: float) -> Workout:
        """``w`` as an easy run of at most ``run_max_s`` (a long run: at most ``long_max_s``,
        still a long run); a run already within is kept as it is, so applying twice is once."""
        if w.kind is K.LONG:
            limit = self.minutes_m(long_max_s)
            if w.distance_m <= limit:
                return w
            return self.render.long(w.key, limit, self.week_m(day))
        limit = self.minutes_m(run_max_s)
        if w.kind is K.RECOVERY:
            return w if w.duration_s <= run_max_s else self.render.recovery(w.key, run_max_s)
        if w.kind is K.EASY and w.distance_m <= limit:
            return w
        return self.render.easy(w.key, min(limit, max(self.render.min_run_m(), w.distance_m)))

    def eased_text(self, day: date, old: Workout, new: Workout) -> str:
        if new.kind is K.STRENGTH:
            return f"{self.name(day)}'s strength circuit is a light one"
        what = f"{self.name(day)}'s {session_name(old)}"
        if new.kind is K.RECOVERY:
            return f"{what} cut to a {minutes_text(new.duration_s)} recovery run"
        size = format_distance(new.distance_m, self.units)
        if new.kind is old.kind:
            return f"{what} cut to {size}"
        return f"{what} is an easy run of {size}"


def _hard(workout: Workout | None) -> bool:
    return workout is not None and (workout.is_quality or workout.kind in (K.LONG, K.RACE))


__all__ = [
    "InstructionRefused",
    "apply_instructions",
    "in_force",
    "last_day",
    "prepare",
    "session_on",
    "summary",
    "unwell_window",
]
