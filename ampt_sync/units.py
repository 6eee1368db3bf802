"""Distances, durations and paces as runners write them, and back.

Pure functions, standard library only. Internally every quantity is SI with its unit in its name
(``distance_m``, ``duration_s``, ``pace_s_per_km``); this module is the only place that turns them
into text a runner reads ("5:12/mi", "8.1 mi", "1:45:00") or parses text a runner wrote
("half", "10k 50:00").
"""

from __future__ import annotations

import re
from typing import Literal

Units = Literal["km", "mi"]

METRES_PER_MILE = 1609.344
METRES_PER_KM = 1000.0

#: Official race distances (metres) by the names the config and the CLI accept.
RACE_DISTANCES_M: dict[str, float] = {
    "5k": 5000.0,
    "10k": 10000.0,
    "half": 21097.5,
    "marathon": 42195.0,
}

#: What runners type for the official race distances, after lower-casing and collapsing spaces:
#: the names, and the distances in the units they are usually quoted in.
_RACE_ALIASES: dict[str, str] = {
    **dict.fromkeys(("5 k", "5km", "5 km", "3.1", "3.1 mi", "parkrun"), "5k"),
    **dict.fromkeys(("10 k", "10km", "10 km", "6.2", "6.2 mi"), "10k"),
    **dict.fromkeys(("half marathon", "half-marathon", "halfmarathon", "hm"), "half"),
    **dict.fromkeys(("13.1", "13.1 mi", "21.1", "21.1 km", "21.0975"), "half"),
    **dict.fromkeys(
        ("full", "full marathon", "26.2", "26.2 mi", "42.2", "42.2 km", "42.195"), "marathon"
    ),
}

#: What runners type for their units.
_UNIT_WORDS: dict[str, Units] = {
    **dict.fromkeys(("km", "kms", "k", "kilometre", "kilometres", "kilometer", "kilometers"), "km"),
    **dict.fromkeys(("mi", "mile", "miles"), "mi"),
}

#: Labels used when a distance is shown back to the runner.
_DISTANCE_LABELS = {5000.0: "5K", 10000.0: "10K", 21097.5: "half marathon", 42195.0: "marathon"}

_DURATION_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")


def metres_per_unit(units: Units) -> float:
    """Metres in one kilometre or one mile."""
    return METRES_PER_MILE if units == "mi" else METRES_PER_KM


def parse_race_distance_m(text: str | float | int) -> float:
    """``"5k" | "10k" | "half" | "marathon"`` or a number of metres → metres. What runners type
    for those four is accepted too: ``"half marathon"``, ``"13.1"``, ``"21.1 km"``, ``"26.2"``,
    ``"10 km"``… (a bare number below 800 cannot be metres, so ``13.1`` is unambiguous).

    Raises ``ValueError`` with a message that says what is accepted.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a distance")
    if isinstance(text, int | float):
        metres = float(text)
    else:
        key = " ".join(text.lower().split())
        key = _RACE_ALIASES.get(key, key)
        if key in RACE_DISTANCES_M:
            return RACE_DISTANCES_M[key]
        try:
            metres = float(key)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a distance; expected 5k, 10k, half, marathon or metres"
            ) from None
    if not 800 <= metres <= 100_000:
        raise ValueError(f"{metres:g} m is not a race distance; expected 800 to 100000 metres")
    return metres


def parse_units(text: str) -> Units:
    """``"km" | "mi"``, or what runners type for them (``"miles"``, ``"kilometres"``) →
    ``"km" | "mi"``. Raises ``ValueError`` saying what is accepted."""
    key = text.strip().lower().rstrip(".")
    if key not in _UNIT_WORDS:
        raise ValueError(f"{text!r} is not a unit; expected km or mi (miles)")
    return _UNIT_WORDS[key]


def parse_duration_s(text: str) -> float:
    """``"H:MM:SS"`` or ``"MM:SS"`` (seconds may have decimals) → seconds."""
    match = _DURATION_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time; expected H:MM:SS or MM:SS")
    hours, minutes, seconds = match.groups()
    if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise ValueError(f"{text!r} is not a time; minutes and seconds must be below 60")
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    if total <= 0:
        raise ValueError(f"{text!r} is not a time; it must be longer than zero")
    return total


def parse_race_result(text: str) -> tuple[float, float]:
    """``"10k 50:00"`` → (distance_m, duration_s): the ``recent_race`` grammar."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(
            f"{text!r} is not a race result; expected "
            "'<5k|10k|half|marathon|metres> <H:MM:SS|MM:SS>', e.g. '10k 50:00'"
        )
    distance_m = parse_race_distance_m(parts[0])
    duration_s = parse_duration_s(parts[1])
    pace_s_per_km = duration_s / (distance_m / 1000)
    if not 150 <= pace_s_per_km <= 1200:
        raise ValueError(
            f"{text!r} is {format_pace(pace_s_per_km, 'km')}: not a plausible running race pace"
        )
    return distance_m, duration_s


def format_duration(duration_s: float) -> str:
    """Seconds → ``"H:MM:SS"`` (or ``"M:SS"`` under an hour), rounded to the second."""
    total = round(duration_s)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def format_pace(pace_s_per_km: float, units: Units) -> str:
    """Seconds per km → ``"5:12/km"`` or ``"8:22/mi"``, rounded to the second in those units."""
    per_unit = pace_s_per_km * metres_per_unit(units) / METRES_PER_KM
    return f"{format_duration(per_unit)}/{units}"


def format_distance(distance_m: float, units: Units) -> str:
    """Metres → ``"8.1 mi"`` / ``"13.1 mi"`` / ``"21.1 km"``: always to a tenth of the unit, so
    that a planned and a done distance read at the same precision."""
    return f"{distance_m / metres_per_unit(units):.1f} {units}"


def format_distance_tenths(distance_m: float, units: Units) -> str:
    """Metres → ``"8 km"`` / ``"12.6 km"`` / ``"4.5 mi"``: to a tenth of a unit, with no ``.0``
    when within 0.05 of a whole unit (how a workout's size reads in its title)."""
    value = distance_m / metres_per_unit(units)
    if abs(value - round(value)) < 0.05:
        return f"{round(value)} {units}"
    return f"{value:.1f} {units}"


def format_pace_range(fast_s_per_km: float, slow_s_per_km: float, units: Units) -> str:
    """A pace range in seconds per km → ``"5:49–6:31/km"`` or ``"9:22–10:29/mi"``, each end
    rounded to the second in those units."""
    fast = format_duration(fast_s_per_km * metres_per_unit(units) / METRES_PER_KM)
    return f"{fast}–{format_pace(slow_s_per_km, units)}"


def distance_label(distance_m: float, units: Units = "km") -> str:
    """``21097.5`` → ``"half marathon"``; other distances in km (``"15 km"``), or with
    ``units="mi"`` in miles to the tenth (``"9.3 mi"``)."""
    if distance_m in _DISTANCE_LABELS:
        return _DISTANCE_LABELS[distance_m]
    if units == "mi":
        return format_distance_tenths(distance_m, units)
    return f"{distance_m / 1000:g} km"
