"""Workout keys: stable names for planned sessions, so that the same session planned again, or
moved by the adaptation, keeps its key (and its Garmin workout).

Every planned workout gets ``"w-"`` + 10 hex digits of SHA-256 over the goal, its day, its kind
and its ordinal that day.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

from ampt_sync.domain import Goal, WorkoutKind


def workout_key(goal: Goal, day: date, kind: WorkoutKind, used: set[str]) -> str:
    """A new key for a ``kind`` session on ``day``, unique within ``used`` (which it joins).

    Derived from stable inputs only (the goal, the day, the kind, an ordinal), never from paces
    or sizes, so the same session planned again gets the same key.
    """
    for ordinal in itertools.count():
        seed = f"{goal.distance_m:g}|{goal.day.isoformat()}|{day.isoformat()}|{kind}|{ordinal}"
        key = "w-" + hashlib.sha256(seed.encode()).hexdigest()[:10]
        if key not in used:
            used.add(key)
            return key
    raise AssertionError("unreachable")
