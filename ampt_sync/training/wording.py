"""Words for changes: day names, session names and distances as a runner reads them.

Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ampt_sync.domain import Workout, WorkoutKind

K = WorkoutKind

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
KIND_WORDS = {
    K.EASY: "easy run",
    K.RECOVERY: "recovery run",
    K.STRIDES: "easy run with strides",
    K.LONG: "long run",
    K.TEMPO: "tempo run",
    K.INTERVALS: "intervals",
    K.FARTLEK: "fartlek",
    K.HILLS: "hill repeats",
    K.STRENGTH: "strength circuit",
    K.RACE: "race",
    K.REST: "rest day",
}


def day_name(day: date, today: date) -> str:
    """ "Thursday" within a week of today, else "Thu 12 Mar"."""
    if abs((day - today).days) <= 6:
        return WEEKDAY_NAMES[day.weekday()]
    return dated_name(day)


def session_name(workout: Workout) -> str:
    if workout.kind is K.RACE and "time trial" in workout.title:
        return "time trial"
    return KIND_WORDS[workout.kind]


def dated_name(day: date) -> str:
    """ "Mon 14 Dec": a day with its weekday and date, for messages about a day that is not the
    subject of the sentence (a week's Monday)."""
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {MONTH_NAMES[day.month - 1]}"


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def a_session(workout: Workout) -> str:
    """The session with its article, as in "Tuesday holds …": "a tempo run", "intervals",
    "hill repeats", "a time trial"."""
    name = session_name(workout)
    if name in ("intervals", "hill repeats"):
        return name
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def joined(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def capitalised(text: str) -> str:
    """``text`` with its first letter upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def minutes_text(duration_s: float) -> str:
    """ "30-minute", for "a 30-minute recovery run" (whole minutes, rounded down)."""
    return f"{int(duration_s // 60)}-minute"
