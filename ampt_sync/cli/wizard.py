"""`ampt-sync init`'s questions: what it asks, how it reads a runner's answers, what it says next.

A runner types "miles", "half marathon" or "18 Apr 2027"; each answer is read leniently, checked
against the config's own validation on the spot, and on a bad answer the question is asked again
with the key's name and the answer echoed back. The optional keys that change the plan are offered
with a one-line why. Reading and prompting are separate: :func:`ask_missing` takes the prompt as a
function, so the same code serves the terminal and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ampt_sync.errors import ConfigError
from ampt_sync.units import RACE_DISTANCES_M, parse_race_distance_m, parse_units

#: Date formats accepted besides ISO 8601, all unambiguous (the month is a word or comes second
#: after a four-digit year): 2027/04/18, 18 Apr 2027, 18 April 2027, Apr 18 2027, April 18, 2027.
_DATE_FORMATS = ("%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")

#: ``ask(question, default) -> answer``; ``say(line)`` prints a line for the runner.
Ask = Callable[[str, str], str]
Say = Callable[[str], None]


def parse_day(text: str) -> date:
    """``2027-04-18``, ``2027/04/18``, ``18 Apr 2027``, ``April 18, 2027`` → a date."""
    cleaned = " ".join(text.replace(",", " ").split())
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date; expected 2027-04-18 or 18 Apr 2027")


def _distance(text: str) -> str | float:
    """The config's name for an official distance ("half"), else the metres as typed."""
    metres = parse_race_distance_m(text)
    names = {m: name for name, m in RACE_DISTANCES_M.items()}
    return names.get(metres, metres)


def _days(text: str) -> list[str]:
    return [d.strip().lower()[:3] for d in text.replace(" ", ",").split(",") if d.strip()]


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def _whole(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


@dataclass(frozen=True)
class Question:
    section: str
    key: str
    text: str
    default: str = ""
    #: turns the answer into the config's value; raises ValueError saying what is expected
    read: Callable[[str], Any] = str
    #: a line shown before an optional question: what the key changes in the plan
    why: str = ""
    #: asked only when this says so of the answers so far (e.g. Strava's Client ID only when
    #: the runs come from Strava)
    when: Callable[[dict[str, dict[str, Any]]], bool] = lambda data: True


def _one_of(*choices: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return value

    return read


def _runs_from(data: dict[str, dict[str, Any]]) -> str:
    return data.get("activities", {}).get("source") or "strava"


def _workouts_to(data: dict[str, dict[str, Any]]) -> str:
    return data.get("delivery", {}).get("target") or "garmin"


def questions(zone_default: str) -> list[Question]:
    """The questions in the order they are asked: the keys a runner must decide, then the
    optional ones that change the plan. An empty answer keeps the default or skips the key."""
    return [
        Question("athlete", "name", "Your name", "Runner"),
        Question("athlete", "timezone", "Time zone", zone_default),
        Question("athlete", "units", "Units (km or miles)", "km", parse_units),
        Question("goal", "race", "Goal race name"),
        Question(
            "goal", "distance", "Goal distance (5k, 10k, half, marathon or metres)", "", _distance
        ),
        Question("goal", "date", "Race day (e.g. 2027-04-18 or 18 Apr 2027)", "", parse_day),
        Question("goal", "target_time", "Target time (H:MM:SS, empty for none)"),
        Question("athlete", "recent_race", 'A recent race, e.g. "10k 50:00" (empty for none)'),
        Question(
            "athlete",
            "weekly_distance",
            "Current weekly distance in your units (empty if unsure)",
            "",
            _number,
        ),
        Question("schedule", "run_days", "Run days (comma-separated)", "tue,thu,sat,sun", _days),
        Question("schedule", "long_run_day", "Long-run day", "sun"),
        Question("schedule", "hills", "Hills: outdoor, treadmill or garage", "outdoor"),
        Question(
            "activities",
            "source",
            "Where your runs are read from: strava, garmin or intervals",
            "strava",
            _one_of("strava", "garmin", "intervals"),
        ),
        Question(
            "delivery",
            "target",
            "Where the workouts go: garmin, intervals or none (FIT files only)",
            "garmin",
            _one_of("garmin", "intervals", "none"),
        ),
        Question(
            "strava",
            "client_id",
            "Strava API Client ID (empty to set later)",
            "",
            _whole,
            when=lambda data: _runs_from(data) == "strava",
        ),
        Question(
            "athlete",
            "hr_max",
            "Maximum heart rate, bpm (empty to skip)",
            "",
            _whole,
            why="Optional: heart-rate targets on the watch, for hills and days when pace misleads.",
        ),
        Question(
            "athlete",
            "weight_kg",
            "Weight in kg (empty to skip)",
            "",
            _number,
            why="Optional: long-run fuelling notes give grams of carbohydrate and fluid for you.",
        ),
        Question(
            "athlete",
            "birth_year",
            "Year of birth (empty to skip)",
            "",
            _whole,
            why="Optional: from age 50 the plan takes a lighter week every third week, not fourth.",
        ),
        Question(
            "schedule",
            "strength_days",
            "Strength days (comma-separated, empty to let the planner choose)",
            "",
            _days,
            why="Optional: the days of the dumbbell circuit (twice a week, lighter near race day).",
        ),
    ]


def ask_missing(data: dict[str, dict[str, Any]], zone_default: str, *, ask: Ask, say: Say) -> None:
    """Ask for every key of :func:`questions` that ``data`` (the flags) leaves ``None``, and put
    the answer, read and validated, into ``data``."""
    from ampt_sync.config import settings_from_dict

    probe_goal = {"distance": "5k", "date": date.max}
    for q in questions(zone_default):
        if data[q.section].get(q.key) is not None or not q.when(data):
            continue
        if q.why:
            say(q.why)
        while True:
            answer = ask(q.text, q.default).strip()
            if answer == "":
                break
            try:
                value = q.read(answer)
            except ValueError as exc:
                say(f"  {q.section}.{q.key}: {exc}")
                continue
            trial = {s: {k: v for k, v in d.items() if v is not None} for s, d in data.items()}
            trial[q.section][q.key] = value
            trial["goal"] = {**probe_goal, **trial["goal"]}
            try:
                settings_from_dict(trial, source="answer")
            except ConfigError as exc:
                message = str(exc).removeprefix("answer: ")
                if message.startswith(f"{q.section}.{q.key}"):
                    say(f"  {message} (you typed {answer!r})")
                    continue
            data[q.section][q.key] = value
            break


def next_steps(data: dict[str, dict[str, Any]], config_path: str) -> str:
    """What to run next, naming only commands that will work with this config: the sign-ins
    the runs' source and the workouts' road need, in that order."""
    source, target = _runs_from(data), _workouts_to(data)
    services = [source] + ([target] if target not in ("none", source) else [])
    commands = " and ".join(f"`ampt-sync auth {s}`" for s in services)
    if source == "strava" and data.get("strava", {}).get("client_id") is None:
        return (
            "next: create a Strava API application at https://www.strava.com/settings/api, put its "
            f"Client ID in {config_path} as strava.client_id, then run {commands} "
            "(or try `ampt-sync demo` first: it needs no accounts)"
        )
    return "next: " + commands.replace(" and ", ", then ")
