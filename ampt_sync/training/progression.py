"""Speed sessions that grow through a build: the *shape* of each intervals, tempo and fartlek
session (reps and rep length, continuous or cruise, fartlek on/off), and the shape read back
from a rendered workout. Pure and deterministic: no clock, no randomness.

Daniels' limits (science note §1.4, §3.7, §4.4), as a share of ``week_m``, the week's planned
running in metres; every shape returned keeps to them for weeks of 10 km and more:

* I (intervals, and the hard time of a fartlek): at most min(10 km, 8 % of the week) per
  session (:func:`~ampt_sync.training.library.interval_budget_m`). I reps last 3–5 min, never
  more than 5 min: a distance rep is offered only if it takes ≤ 5 min at I pace (so mile
  repeats, "1 mile" on the watch, only when a mile at I pace takes ≤ 5 min, from about
  VDOT 67); otherwise the longer reps are by time, 4 and 5 min (each at least 15 s longer than
  the longest distance rep that fits). 800 m reps are the entry rung the build starts from;
  when the week cannot hold three 800s, or a finer ladder is needed, 600 m reps come first
  (400 m only when three 600s do not fit either: a rep that short barely reaches VO2max).
  Jogs are the library's (no longer than the rep).
* T (tempo): at most 10 % of the week per session
  (:func:`~ampt_sync.training.library.threshold_budget_m`); continuous tempo at most 20 min;
  more T goes as cruise intervals (1000 m, 1 mile, and 2-mile reps for half and marathon
  runners; at most 6 reps; the library's 1 min rest per mile).
* Fartlek: Daniels' "H" bouts by time, 1/1, 2/1, 3/2 and 4/3 min on/off (§4.4), at most 10
  reps, the hard time counted as I running.
* R (≤ min(8 km, 5 %)) is not used here: strides carry the R work.

The smallest session worth a quality day ([H], docs/training.md "The week"): intervals and
fartlek at least 3 reps (:data:`MIN_REPS`), a fartlek at least 4 minutes of hard running
(:data:`MIN_FARTLEK_HARD_S`), a tempo at least 10 minutes at T pace, continuous or as cruise
intervals (:data:`MIN_TEMPO_MIN`; a cruise session of 1000 m reps then has 3 or more). No chain
holds a smaller shape. A week whose limits cannot hold a kind's smallest session gets what a
coach writes instead (:func:`slot_shape`): a fartlek for a tempo or intervals, else (the caller)
an easy run with strides.

Time-based work (time reps, fartlek, continuous tempo) is converted to metres at the faster of
the runner's pace and the middle of the watch's pace range, and must fit the limit at paces
:data:`TIME_HEADROOM` (3 %) faster still, so re-rendering a shape with paces up to about 3 %
faster (or any slower) keeps every rep; beyond that the library's limits win and clip reps.

How a build progresses ([H], on Daniels' numbers):

1. Each kind has a *ladder* of rungs, shortest rep first: intervals 800 m → 1000 m → 1200 m →
   1 mile (or 4 → 5 min by time); fartlek 1 → 2 → 3 → 4 min on; tempo continuous 15 → 20 min
   then cruise intervals by the mile.
2. A *chain* of sessions climbs the ladder from a start of about half the session limit
   (:data:`START_SHARE`, on the shortest rung that needs at most 6 reps for it; 0.4, 0.3 or
   0.2 of the limit when the chain must be longer): each step adds a rep, or lengthens the rep
   with the fewest reps that do at least the same work, until the limit stops both. The
   chain's total work never decreases and no shape appears twice.
3. The ``count`` sessions of the build are spread evenly over the chain, first session on its
   first step and the last on its top. When the chain is shorter than ``count``, sessions
   repeat, at most twice in a row (Daniels holds a load for a few weeks before stepping up,
   §3.6): a chain is refined (more reps per rung, a lower start, finer continuous minutes, at
   last every shape within the limit ordered by work) until it has at least
   ⌈(count + 1) / 2⌉ steps. Weeks too small to hold that many shapes (below about 30 km,
   36 km from VDOT 60, whose I minutes are fewer) repeat a shape more often;
   :func:`slot_shape` then alternates the kind with its fartlek substitute when the week holds
   one.

Race distance (``race_distance_m``) tilts the ladder: 5K–10K runners (under 20 km) lengthen
their interval reps as soon as the limit allows, reaching the longer reps sooner; half and
marathon runners do one more rep at each length before lengthening, and their tempo goes on
from mile cruise intervals to 2-mile reps. Fartlek is the same for everyone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ampt_sync.domain import Paces, Repeat, Step, StepRole, Workout, WorkoutKind
from ampt_sync.training import library
from ampt_sync.training.library import (
    MAX_REPS,
    MILE_M,
    interval_budget_m,
    threshold_budget_m,
)
from ampt_sync.units import Units

#: The first session does about this share of the session limit (I or T metres) [H], with at
#: least 3 reps where the limit holds them: two reps make no session a coach would set.
START_SHARE = 0.5
START_MIN_REPS = 3
#: The smallest session worth a quality day [H] (docs/training.md, "The week"): intervals and
#: fartlek have at least 3 reps; a fartlek at least 4 minutes of hard running (4 × 1 min); a
#: tempo, continuous or cruise, at least 10 minutes at T pace (Daniels' cruise intervals start
#: from about 2 × 5 min; his steady T run is 20 min); a cruise session at least 2 reps. A week
#: whose limit cannot hold that gets a smaller kind instead (:func:`slot_shape`).
MIN_REPS = 3
MIN_FARTLEK_HARD_S = 240.0
MIN_TEMPO_MIN = 10
MIN_CRUISE_REPS = 2
#: The first session is on the shortest rung that needs at most this many reps [H].
START_MAX_REPS = 6
#: Time-based work must fit the limit at paces this much faster (see the module docstring).
TIME_HEADROOM = 0.03
#: Races from this distance on (half, marathon) tilt the ladder toward volume (metres).
LONG_RACE_M = 20_000.0

#: Daniels' longest I rep and longest continuous tempo (seconds).
I_MAX_REP_S = 300.0
T_MAX_CONTINUOUS_MIN = 20
#: Interval rungs by distance (metres) and, beyond the longest distance that fits, by time (s).
INTERVAL_RUNGS_M = (800.0, 1000.0, 1200.0, MILE_M)
INTERVAL_RUNGS_S = (240.0, 300.0)
#: Entry rungs for small weeks, shortest first; 400 m only when three 600s do not fit.
ENTRY_REPS_M = (400.0, 600.0)
#: A time rung must be this much longer than the longest distance rung to be a step up (s).
TIME_RUNG_STEP_S = 15.0
#: Fartlek rungs: (on, off) seconds, after Daniels' "H" bouts (§4.4).
FARTLEK_RUNGS_S = ((60.0, 60.0), (120.0, 60.0), (180.0, 120.0), (240.0, 180.0))
#: Cruise-interval rungs (metres); half and marathon runners go on to 2-mile reps.
CRUISE_RUNGS_M = (1000.0, MILE_M)
LONG_CRUISE_RUNGS_M = (1000.0, MILE_M, 2 * MILE_M)
MAX_CRUISE_REPS = 6
#: Continuous tempo minutes, coarse to fine; the longest that fits is always added.
CONTINUOUS_STAGES_MIN = (
    (15, 20),
    (10, 12, 15, 18, 20),
    tuple(range(5, 21)),
)


@dataclass(frozen=True)
class SessionShape:
    """What a speed session is, without paces: the planner's unit of progression.

    * ``INTERVALS``: ``reps`` × ``rep_m`` (metres) or ``reps`` × ``rep_s`` (seconds) at I pace.
    * ``TEMPO``: ``minutes`` continuous at T pace, or (``cruise``) ``reps`` × ``rep_m`` metres.
    * ``FARTLEK``: ``reps`` × (``on_s`` hard, ``off_s`` easy jog), seconds.
    """

    kind: WorkoutKind
    reps: int | None = None
    rep_m: float | None = None
    rep_s: float | None = None
    minutes: int | None = None
    cruise: bool = False
    on_s: float | None = None
    off_s: float | None = None


# ------------------------------------------------------------------------------------------------
# paces and work


def _is_mile(distance_m: float) -> bool:
    return abs(distance_m - MILE_M) < 1


def _range_middle(pace_s_per_km: float, share: float) -> float:
    """The middle of the library's watch range (whole seconds at each end), s/km."""
    return (round(pace_s_per_km * (1 - share)) + round(pace_s_per_km * (1 + share))) / 2


def _limit_pace(pace_s_per_km: float, share: float) -> float:
    """The pace (s/km) time-based work is held to: the faster of the pace and the range's
    middle, then :data:`TIME_HEADROOM` faster."""
    return min(pace_s_per_km, _range_middle(pace_s_per_km, share)) * (1 - TIME_HEADROOM)


def shape_work_m(shape: SessionShape, paces: Paces) -> float:
    """Metres of hard running in ``shape``: the reps' distance, or their time at I pace
    (intervals, fartlek) or T pace (continuous tempo). This is the "total work" that never
    decreases through a build."""
    if shape.kind is WorkoutKind.TEMPO and not shape.cruise:
        return (shape.minutes or 0) * 60 / paces.threshold * 1000
    reps = shape.reps or 0
    if shape.rep_m is not None:
        return reps * shape.rep_m
    seconds = shape.rep_s if shape.kind is WorkoutKind.INTERVALS else shape.on_s
    return reps * (seconds or 0.0) / paces.interval * 1000


# ------------------------------------------------------------------------------------------------
# ladders and chains


@dataclass(frozen=True)
class _Rung:
    """One rep length: its work per rep (m, at the runner's pace), the most reps the limit
    allows, how to make the shape for a number of reps, and the fewest reps a session of it
    has (:data:`MIN_REPS`, or more for a session's minimum work). The rung fits the week when
    ``most >= fewest``."""

    rep_work_m: float
    most: int
    make: Callable[[int], SessionShape]
    fewest: int = MIN_REPS

    @property
    def fits(self) -> bool:
        return self.most >= self.fewest


def _most(budget: float, per_rep: float, cap: int) -> int:
    # The library's own test (budget // per rep), so a shape that fits here is never clipped.
    return min(cap, int(budget // per_rep))


def _climb(rungs: Sequence[_Rung], k: int, reps: int, hold: int) -> list[SessionShape]:
    """The chain from ``reps`` on rung ``k``: add a rep, or (after ``hold`` sessions on a rung,
    or when no rep can be added) lengthen the rep with the fewest reps that do at least the same
    work, until the limit stops both. Work never decreases; shapes never repeat."""
    chain = [rungs[k].make(reps)]
    on_rung = 1
    while True:
        work_m = reps * rungs[k].rep_work_m
        longer = None
        for k_next in range(k + 1, len(rungs)):
            reps_next = max(rungs[k_next].fewest, math.ceil(work_m / rungs[k_next].rep_work_m))
            if reps_next <= rungs[k_next].most:
                longer = (k_next, reps_next)
                break
        if longer is not None and (on_rung >= hold or reps + 1 > rungs[k].most):
            k, reps = longer
            on_rung = 1
        elif reps + 1 <= rungs[k].most:
            reps += 1
            on_rung += 1
        else:
            return chain
        chain.append(rungs[k].make(reps))


def _start(rungs: Sequence[_Rung], budget_m: float, share: float) -> tuple[int, int] | None:
    """The first session: about ``share`` of the limit on the shortest rung needing at most
    :data:`START_MAX_REPS` reps for it (at least the rung's fewest); None if no rung fits."""
    fitting = [k for k, rung in enumerate(rungs) if rung.fits]
    if not fitting:
        return None
    for k in fitting:
        least = max(rungs[k].fewest, min(START_MIN_REPS, rungs[k].most))
        reps = max(least, min(rungs[k].most, round(share * budget_m / rungs[k].rep_work_m)))
        if reps <= START_MAX_REPS:
            return k, reps
    k = fitting[-1]
    rung = rungs[k]
    return k, max(rung.fewest, min(rung.most, round(share * budget_m / rung.rep_work_m)))


def _by_work(rungs: Sequence[_Rung]) -> list[SessionShape]:
    """Every shape within the limit (each rung's fewest reps and up), ordered by work, then rep
    length."""
    shapes = [
        (reps * rung.rep_work_m, k, rung.make(reps))
        for k, rung in enumerate(rungs)
        for reps in range(rung.fewest, rung.most + 1)
    ]
    return [shape for _work, _k, shape in sorted(shapes, key=lambda s: (s[0], s[1]))]


def _staircases(rungs: Sequence[_Rung], budget_m: float, hold: int) -> list[list[SessionShape]]:
    """Chains from coarse to fine for a ladder: more reps per rung, then lower starts, then
    every shape by work."""
    chains = []
    for share in (START_SHARE, 0.4, 0.3, 0.2):
        start = _start(rungs, budget_m, share)
        if start is not None:
            chains += [_climb(rungs, *start, hold=hold + extra) for extra in (0, 1, 2)]
    chains.append(_by_work(rungs))
    return chains


def _interval_rungs(paces: Paces, budget_m: float, *, entry: bool) -> list[_Rung]:
    i_slow = max(paces.interval, _range_middle(paces.interval, 0.02))
    i_limit = _limit_pace(paces.interval, 0.02)
    distances = [d for d in INTERVAL_RUNGS_M if d / 1000 * i_slow <= I_MAX_REP_S]
    if entry:
        entry_m = [d for d in ENTRY_REPS_M if not distances or d < distances[0]]
        if len(entry_m) > 1 and budget_m >= MIN_REPS * entry_m[1]:
            entry_m = entry_m[1:]
        distances[:0] = entry_m
    rungs = [_Rung(d, _most(budget_m, d, MAX_REPS), _interval_shape(rep_m=d)) for d in distances]
    if not any(_is_mile(d) for d in distances):
        longest_s = distances[-1] / 1000 * i_slow if distances else 0.0
        for seconds in INTERVAL_RUNGS_S:
            if seconds >= longest_s + TIME_RUNG_STEP_S:
                rungs.append(
                    _Rung(
                        seconds / paces.interval * 1000,
                        _most(budget_m, seconds / i_limit * 1000, MAX_REPS),
                        _interval_shape(rep_s=seconds),
                    )
                )
    return rungs


def _interval_shape(
    *, rep_m: float | None = None, rep_s: float | None = None
) -> Callable[[int], SessionShape]:
    return lambda reps: SessionShape(WorkoutKind.INTERVALS, reps=reps, rep_m=rep_m, rep_s=rep_s)


def _interval_chains(paces: Paces, week_m: float, long_race: bool) -> list[list[SessionShape]]:
    budget_m = interval_budget_m(week_m)
    hold = 2 if long_race else 1
    main = _interval_rungs(paces, budget_m, entry=False)
    needs_entry = not main or not main[0].fits
    chains = _staircases(_interval_rungs(paces, budget_m, entry=needs_entry), budget_m, hold)
    if not needs_entry:
        chains += _staircases(_interval_rungs(paces, budget_m, entry=True), budget_m, hold)
    return chains


def _fartlek_chains(paces: Paces, week_m: float) -> list[list[SessionShape]]:
    budget_m = interval_budget_m(week_m)
    budget_s = budget_m / 1000 * _limit_pace(paces.interval, 0.03)
    rungs = [
        _Rung(
            on_s / paces.interval * 1000,
            _most(budget_s, on_s, MAX_REPS),
            _fartlek_shape(on_s, off_s),
            max(MIN_REPS, math.ceil(MIN_FARTLEK_HARD_S / on_s)),
        )
        for on_s, off_s in FARTLEK_RUNGS_S
    ]
    return _staircases(rungs, budget_m, 2)


def _fartlek_shape(on_s: float, off_s: float) -> Callable[[int], SessionShape]:
    return lambda reps: SessionShape(WorkoutKind.FARTLEK, reps=reps, on_s=on_s, off_s=off_s)


def _cruise_shape(rep_m: float) -> Callable[[int], SessionShape]:
    return lambda reps: SessionShape(WorkoutKind.TEMPO, reps=reps, rep_m=rep_m, cruise=True)


def _tempo_chains(paces: Paces, week_m: float, long_race: bool) -> list[list[SessionShape]]:
    budget_m = threshold_budget_m(week_m)
    t_limit = _limit_pace(paces.threshold, 0.02)
    most_min = min(T_MAX_CONTINUOUS_MIN, int(budget_m / 1000 * t_limit // 60))
    if most_min < MIN_TEMPO_MIN:
        return []  # under 10 minutes of T: no tempo worth the name (slot_shape offers another)
    # A cruise session holds at least MIN_TEMPO_MIN at T pace (whole reps).
    fewest_s = MIN_TEMPO_MIN * 60
    rungs = [
        _Rung(
            rep_m,
            _most(budget_m, rep_m, MAX_CRUISE_REPS),
            _cruise_shape(rep_m),
            max(MIN_CRUISE_REPS, math.ceil(fewest_s / (rep_m / 1000 * paces.threshold))),
        )
        for rep_m in (LONG_CRUISE_RUNGS_M if long_race else CRUISE_RUNGS_M)
    ]
    chains = []
    for stage, minutes in enumerate(CONTINUOUS_STAGES_MIN):
        fitting = sorted({m for m in minutes if MIN_TEMPO_MIN <= m <= most_min} | {most_min})
        chain = [SessionShape(WorkoutKind.TEMPO, minutes=m) for m in fitting]
        chain += _cruise_after(rungs, fitting[-1] * 60 / paces.threshold * 1000, 2 + stage)
        chains.append(chain)
    # Small weeks: every minute from half the longest that fits, and at least the minimum.
    fewest_min = max(MIN_TEMPO_MIN, (most_min + 1) // 2)
    chains.append(
        [SessionShape(WorkoutKind.TEMPO, minutes=m) for m in range(fewest_min, most_min + 1)]
        + _cruise_after(rungs, most_min * 60 / paces.threshold * 1000, 6)
    )
    return chains


def _cruise_after(rungs: Sequence[_Rung], work_m: float, hold: int) -> list[SessionShape]:
    """Cruise intervals that carry on from ``work_m`` of continuous tempo: 3 or more reps of a
    mile, else of 1000 m (as few as the rung's fewest as a last resort), climbing from there."""
    mile = next(k for k, rung in enumerate(rungs) if _is_mile(rung.rep_work_m))
    for k, fewest in ((mile, 3), (0, 3), (0, rungs[0].fewest)):
        reps = max(fewest, rungs[k].fewest, math.ceil(work_m / rungs[k].rep_work_m))
        if reps <= rungs[k].most:
            return _climb(rungs, k, reps, hold)
    return []


def _chains(
    kind: WorkoutKind, paces: Paces, week_m: float, race_distance_m: float
) -> list[list[SessionShape]]:
    long_race = race_distance_m >= LONG_RACE_M
    if kind is WorkoutKind.INTERVALS:
        return _interval_chains(paces, week_m, long_race)
    if kind is WorkoutKind.TEMPO:
        return _tempo_chains(paces, week_m, long_race)
    if kind is WorkoutKind.FARTLEK:
        return _fartlek_chains(paces, week_m)
    raise ValueError(f"{kind} has no progression; expected intervals, tempo or fartlek")


def session_chain(
    kind: WorkoutKind, *, count: int, week_m: float, paces: Paces, race_distance_m: float
) -> list[SessionShape]:
    """The chain of distinct shapes a build of ``count`` sessions of ``kind`` is spread over,
    first to top: the first chain (coarse to fine) with at least ⌈(count + 1) / 2⌉ steps, or
    the longest there is; empty when the week's limit cannot hold the kind's smallest session
    (:data:`MIN_REPS`, :data:`MIN_FARTLEK_HARD_S`, :data:`MIN_TEMPO_MIN`)."""
    if count < 1:
        raise ValueError("a build holds at least one session of a kind")
    if not week_m > 0:
        raise ValueError("a week's volume must be positive")
    need = (count + 2) // 2
    chains = [c for c in _chains(kind, paces, week_m, race_distance_m) if c]
    for chain in chains:
        if len(chain) >= need:
            return chain
    return max(chains, key=len, default=[])


def session_shape(
    kind: WorkoutKind,
    *,
    index: int,
    count: int,
    week_m: float,
    paces: Paces,
    race_distance_m: float,
) -> SessionShape | None:
    """The shape of the ``index``-th (0-based) of ``count`` sessions of ``kind`` in a build,
    in a week of ``week_m`` metres, for a runner with ``paces`` training for a race of
    ``race_distance_m`` metres; ``None`` when the week's limit cannot hold the kind's smallest
    session (see :data:`MIN_REPS`; :func:`slot_shape` then offers a smaller kind).

    Invariants: Daniels' per-session limits hold (module docstring); every shape has at least
    the minimums (intervals and fartlek 3 reps, fartlek 4 min hard, tempo 10 min at T); at the
    same ``week_m``, :func:`shape_work_m` never decreases with ``index``; the same shape comes
    at most twice in a row when the chain has ⌈(count + 1) / 2⌉ shapes (:func:`slot_shape`
    alternates with a fartlek when it has fewer). The last session (and the only one when
    ``count`` is 1) is the top of the chain. An ``index`` past ``count - 1`` stays at the top.
    Raises ``ValueError`` for a negative ``index``, a ``count`` below 1 or another kind."""
    if index < 0:
        raise ValueError("a session's index is 0 or more")
    chain = session_chain(
        kind, count=count, week_m=week_m, paces=paces, race_distance_m=race_distance_m
    )
    return _spread(chain, index, count)


def _spread(chain: Sequence[SessionShape], index: int, count: int) -> SessionShape | None:
    """The ``index``-th of ``count`` sessions spread evenly over ``chain`` (first to top; the
    only session is the top; past the last, the top); ``None`` for an empty chain."""
    if not chain:
        return None
    if count == 1:
        return chain[-1]
    index = min(index, count - 1)
    steps = len(chain) - 1
    # Evenly spread, rounding half up, in integers: round(index * steps / (count - 1)).
    return chain[(2 * index * steps + count - 1) // (2 * (count - 1))]


#: What a coach writes instead when a week cannot hold a session of a kind at its minimum: a
#: fartlek (hard time within the I limit, 8 %, which is tighter than T's 10 %), else nothing
#: (the caller gives the day strides).
SUBSTITUTES: dict[WorkoutKind, tuple[WorkoutKind, ...]] = {
    WorkoutKind.TEMPO: (WorkoutKind.FARTLEK,),
    WorkoutKind.INTERVALS: (WorkoutKind.FARTLEK,),
    WorkoutKind.FARTLEK: (),
}


def slot_shape(
    kind: WorkoutKind,
    *,
    index: int,
    count: int,
    week_m: float,
    paces: Paces,
    race_distance_m: float,
) -> SessionShape | None:
    """The session for the ``index``-th (0-based) of ``count`` quality days planned as
    ``kind`` in a build, in a week of ``week_m`` metres. The shape's ``kind`` says what it is:

    * :func:`session_shape` of ``kind`` when the week holds enough shapes of it to change
      (⌈(count + 1) / 2⌉, as :func:`session_chain` wants), or it has no substitute that fits;
    * when the week holds a few shapes of ``kind`` but too few to avoid the same session three
      times running, ``kind`` and its first fitting :data:`SUBSTITUTES` alternate (even
      ``index`` ``kind``, odd the substitute, each spread over its half of the build): a coach
      varies the week's session rather than repeat one (the AMPT "never the same run");
    * when the week cannot hold ``kind``'s smallest session, the substitute's, at the same place
      in the build;
    * ``None`` when nothing fits: the week is too small for any speed session worth doing (the
      caller makes the day an easy run with strides).

    From about 30 km a week (36 km from VDOT 60) a kind's quality days never hold the same
    session three times running. Raises ``ValueError`` as :func:`session_shape` does."""
    if index < 0:
        raise ValueError("a session's index is 0 or more")

    def chain(of: WorkoutKind, sessions: int) -> list[SessionShape]:
        return session_chain(
            of, count=sessions, week_m=week_m, paces=paces, race_distance_m=race_distance_m
        )

    own = chain(kind, count)
    if len(own) >= (count + 2) // 2:
        return _spread(own, index, count)
    for substitute in SUBSTITUTES.get(kind, ()):
        if not own:
            other = chain(substitute, count)
            if other:
                return _spread(other, index, count)
            continue
        if count < 2 or not chain(substitute, max(1, count // 2)):
            continue
        if index % 2 == 0:
            return _spread(chain(kind, (count + 1) // 2), index // 2, (count + 1) // 2)
        return _spread(chain(substitute, count // 2), index // 2, count // 2)
    return _spread(own, index, count)


# ------------------------------------------------------------------------------------------------
# rendering and reading back


def render_session(
    key: str,
    shape: SessionShape,
    paces: Paces,
    *,
    week_m: float,
    warmup_m: float | None,
    units: Units,
) -> Workout:
    """The workout for ``shape`` from the library (:func:`~ampt_sync.training.library.intervals`,
    :func:`~ampt_sync.training.library.tempo` or :func:`~ampt_sync.training.library.fartlek`),
    within the limits of a ``week_m``-metre week. ``warmup_m`` (metres; None for the library's
    default) sets the warm-up; a fartlek's warm-up is by time, ``warmup_m`` at the middle of E
    pace in whole minutes (at least 1). The library clips reps that no longer fit the limit
    (new, faster paces beyond :data:`TIME_HEADROOM`, or a smaller week)."""
    extra: dict[str, Any] = {} if warmup_m is None else {"warmup_m": warmup_m}
    if shape.kind is WorkoutKind.INTERVALS:
        return library.intervals(
            key, paces, weekly_distance_m=week_m, rep_m=shape.rep_m, rep_s=shape.rep_s,
            reps=shape.reps, units=units, **extra,
        )  # fmt: skip
    if shape.kind is WorkoutKind.TEMPO:
        return library.tempo(
            key, paces, weekly_distance_m=week_m, cruise=shape.cruise, minutes=shape.minutes,
            reps=shape.reps, rep_m=shape.rep_m, units=units, **extra,
        )  # fmt: skip
    if shape.kind is WorkoutKind.FARTLEK:
        warmup: dict[str, Any] = {}
        if warmup_m is not None:
            easy_s_per_km = sum(paces.easy) / 2
            warmup["warmup_s"] = max(60.0, round(warmup_m / 1000 * easy_s_per_km / 60) * 60.0)
        return library.fartlek(
            key, paces, weekly_distance_m=week_m, reps=shape.reps, on_s=shape.on_s,
            off_s=shape.off_s, units=units, **warmup,
        )  # fmt: skip
    raise ValueError(f"{shape.kind} is not a speed session")


def _work_and_rest(workout: Workout) -> tuple[int, Step, Step | None]:
    """(reps, work step, recovery step) of a workout: its repeat, or its single work step."""

    def role(steps: Sequence[Step | Repeat], wanted: StepRole) -> list[Step]:
        return [s for s in steps if isinstance(s, Step) and s.role is wanted]

    repeats = [s for s in workout.steps if isinstance(s, Repeat)]
    reps, steps = (repeats[0].times, repeats[0].steps) if len(repeats) == 1 else (1, workout.steps)
    works, rests = role(steps, StepRole.WORK), role(steps, StepRole.RECOVERY)
    if len(repeats) > 1 or len(works) != 1:
        raise ValueError(f"{workout.title!r} is not a session render_session makes")
    return reps, works[0], rests[0] if rests else None


def shape_of(workout: Workout) -> SessionShape:
    """The shape of a workout :func:`render_session` made, so that
    ``render_session(w.key, shape_of(w), new_paces, …)`` keeps its reps and lengths.
    Raises ``ValueError`` for other kinds or structures."""
    reps, work, rest = _work_and_rest(workout)
    end = work.end
    if workout.kind is WorkoutKind.INTERVALS and reps >= 2:
        return SessionShape(
            WorkoutKind.INTERVALS, reps=reps, rep_m=end.distance_m, rep_s=end.duration_s
        )
    if workout.kind is WorkoutKind.TEMPO and reps >= 2 and end.distance_m is not None:
        return SessionShape(WorkoutKind.TEMPO, reps=reps, rep_m=end.distance_m, cruise=True)
    if workout.kind is WorkoutKind.TEMPO and reps == 1 and end.duration_s is not None:
        return SessionShape(WorkoutKind.TEMPO, minutes=round(end.duration_s / 60))
    if (
        workout.kind is WorkoutKind.FARTLEK
        and reps >= 2
        and end.duration_s is not None
        and rest is not None
        and rest.end.duration_s is not None
    ):
        return SessionShape(
            WorkoutKind.FARTLEK, reps=reps, on_s=end.duration_s, off_s=rest.end.duration_s
        )
    raise ValueError(f"{workout.title!r} is not a session render_session makes")
