"""Matching what the runner did to what was planned: done, partial, missed, or extra.

Pure. Science note §5.4 (compliance): a run matches a planned workout on its day or one day
either side, by kind and volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ampt_sync.domain import QUALITY_KINDS, Activity, Athlete, Fitness, Plan, WorkoutKind
from ampt_sync.training.classify import classify
from ampt_sync.training.load import counts_as_run

K = WorkoutKind

#: Share of the planned volume that makes a session done / partial (§5.4).
DONE_SHARE, PARTIAL_SHARE = 0.70, 0.30
#: An activity matches a planned workout on its day or one day either side (§5.4).
MATCH_WINDOW_DAYS = 1
#: Non-run activities that count as doing a strength session.
STRENGTH_SPORTS = frozenset({"WeightTraining", "Workout", "Crossfit"})


class Status(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    PARTIAL = "partial"
    MISSED = "missed"


@dataclass(frozen=True)
class Match:
    """How a planned workout went: ``activity_id`` is the run (or strength session) that did
    it; ``share`` its distance over the planned distance (0 when missed or for strength)."""

    key: str
    day: date
    kind: WorkoutKind
    status: Status
    activity_id: int | None = None
    share: float = 0.0


@dataclass(frozen=True)
class Matching:
    """Planned workouts up to today, by key, and the runs that matched none (extra)."""

    by_key: dict[str, Match]
    extra: tuple[Activity, ...]

    def activity_for(self, key: str) -> int | None:
        match = self.by_key.get(key)
        return None if match is None else match.activity_id


def _family(kind: WorkoutKind | None) -> str:
    if kind in QUALITY_KINDS:
        return "quality"
    if kind in (K.LONG, K.RACE):
        return kind.value
    return "easy"


def match_activities(
    plan: Plan,
    activities: Sequence[Activity],
    today: date,
    *,
    kinds: dict[int, WorkoutKind | None] | None = None,
) -> Matching:
    """Match the runs up to ``today`` to the plan's run workouts up to ``today``.

    Only runs from the plan's first day on count. A run matches a workout on the same day
    first, else one day either side (today's workout only by today's run); among candidates
    the one of the same kind family (quality, long, race, easy), then the closest in distance.
    It needs at least 30 % of the planned distance. Status: ≥ 70 % done, 30–70 % partial; a
    workout before today with no match is missed, today's stays planned. Strength sessions are
    done when a strength-type activity (``WeightTraining``, ``Workout``, ``Crossfit``) is on
    the same day ±1. ``kinds`` (activity id → classified kind) helps prefer the same family.
    """
    kinds = kinds or {}
    days = plan.days()
    if not days:
        return Matching({}, ())
    # Runs before the plan's first day were not run for it, whatever their day.
    first = days[0].day
    runs = sorted(
        (a for a in activities if counts_as_run(a) and first <= a.day <= today),
        key=lambda a: (a.day, a.start, a.id),
    )
    others = sorted(
        (a for a in activities if a.sport in STRENGTH_SPORTS and first <= a.day <= today),
        key=lambda a: (a.day, a.start, a.id),
    )
    planned = [(d.day, w) for d in days if d.day <= today for w in d.workouts if w.is_run]
    used: set[int] = set()
    found: dict[str, tuple[Activity, float]] = {}
    for window in (0, MATCH_WINDOW_DAYS):
        for day, w in planned:
            if w.key in found or w.distance_m <= 0:
                continue
            best = None
            for a in runs:
                if a.id in used or abs((a.day - day).days) > window:
                    continue
                if day == today and a.day != day:
                    continue  # today's session is still to be run: only today's run does it
                share = a.distance_m / w.distance_m
                if share < PARTIAL_SHARE:
                    continue
                score = (
                    0 if _family(kinds.get(a.id)) == _family(w.kind) else 1,
                    abs(share - 1),
                    a.id,
                )
                if best is None or score < best[0]:
                    best = (score, a, share)
            if best is not None:
                found[w.key] = (best[1], best[2])
                used.add(best[1].id)
    by_key: dict[str, Match] = {}
    for day, w in planned:
        if w.key in found:
            a, share = found[w.key]
            status = Status.DONE if share >= DONE_SHARE else Status.PARTIAL
            by_key[w.key] = Match(w.key, day, w.kind, status, a.id, round(share, 3))
        else:
            status = Status.MISSED if day < today else Status.PLANNED
            by_key[w.key] = Match(w.key, day, w.kind, status)
    strength_used: set[int] = set()
    for d in days:
        if d.day > today:
            break
        for w in d.workouts:
            if w.kind is not K.STRENGTH:
                continue
            session = next(
                (
                    a
                    for a in others
                    if a.id not in strength_used and abs((a.day - d.day).days) <= MATCH_WINDOW_DAYS
                ),
                None,
            )
            if session is not None:
                strength_used.add(session.id)
                by_key[w.key] = Match(w.key, d.day, w.kind, Status.DONE, session.id)
            else:
                status = Status.MISSED if d.day < today else Status.PLANNED
                by_key[w.key] = Match(w.key, d.day, w.kind, status)
    extra = tuple(a for a in runs if a.id not in used)
    return Matching(by_key, extra)


def classify_recent(
    activities: Sequence[Activity], fitness: Fitness, athlete: Athlete, first: date, today: date
) -> dict[int, WorkoutKind | None]:
    """The kind of every run between ``first`` and ``today``, judged with ``fitness``' paces."""
    window = [a for a in activities if first - timedelta(days=28) <= a.day <= today]
    return {
        a.id: classify(a, fitness.paces, hr_max_bpm=athlete.hr_max_bpm, recent=window).kind
        for a in window
        if first <= a.day and a.is_run
    }
