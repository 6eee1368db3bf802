"""FIT workout files on disk and in a zip: their names, which workouts get one, and writing them.

A file is named ``YYYY-MM-DD_<kind>_<key>.fit`` (:func:`fit_file_name`): the day the workout is
planned for, its kind, and its stable key. A re-plan keeps a session's key (and kind), so a
session that stays on its day keeps its file name, and copying the newer file over the older one
replaces it. The name uses only ``A-Z a-z 0-9 _ - .``, which every FAT volume takes; a key with
other characters (a colon) or capitals (FAT does not tell case apart) is lower-cased with the
others replaced by ``-`` and gets 6 hex digits of a hash of the real key, so two keys never share
a name.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ampt_sync.domain import Plan, Workout, WorkoutKind
from ampt_sync.fit.encode import encode_workout

#: Every FIT file ampt-sync writes has a name of this shape (and nothing else in a folder does,
#: unless the runner put it there).
NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_[a-z]+_[a-z0-9_-]+\.fit$")
_UNSAFE = re.compile(r"[^a-z0-9_-]")


def fit_file_name(day: date, workout: Workout) -> str:
    """``YYYY-MM-DD_<kind>_<key>.fit``, safe on a FAT volume and unique per (day, key)."""
    key = _UNSAFE.sub("-", workout.key.lower())
    if key != workout.key:
        key += "-" + hashlib.sha256(workout.key.encode()).hexdigest()[:6]
    return f"{day.isoformat()}_{workout.kind.value}_{key}.fit"


def fit_workouts(plan: Plan, first: date, days: int) -> list[tuple[date, Workout]]:
    """``(day, workout)`` for every running and strength workout on ``first`` and the
    ``days - 1`` days after it, in date order (rest days have no file)."""
    end = first + timedelta(days=days)
    return [
        (day, workout)
        for day, workout in plan.workouts_between(first, end)
        if workout.kind is not WorkoutKind.REST
    ]


@dataclass(frozen=True)
class FitFile:
    """One encoded file: its name, the day and workout it holds, and its bytes."""

    name: str
    day: date
    workout: Workout
    data: bytes


def fit_files(items: Iterable[tuple[date, Workout]]) -> list[FitFile]:
    """Every ``(day, workout)`` encoded. Raises
    :class:`~ampt_sync.garmin.encode.EncodeError` before anything is written."""
    return [FitFile(fit_file_name(day, w), day, w, encode_workout(w, day=day)) for day, w in items]


def week_zip(plan: Plan, monday: date) -> bytes:
    """A zip of the FIT files of the seven days from ``monday`` (any day works as the start).

    Deterministic: each entry is dated with its workout's day, so the same plan gives the same
    bytes. An empty week gives an empty zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in fit_files(fit_workouts(plan, monday, 7)):
            info = zipfile.ZipInfo(file.name, date_time=(*file.day.timetuple()[:3], 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.data)
    return buffer.getvalue()


def write_files(files: Iterable[FitFile], folder: Path, *, mode: int = 0o644) -> list[Path]:
    """Write each file into ``folder`` (created if missing), atomically: a reader never sees a
    half-written file, and an existing file of the same name is replaced. Returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file in files:
        path = folder / file.name
        tmp = folder / f".{file.name}.{secrets.token_hex(4)}.tmp"
        try:
            with open(tmp, "wb") as handle:
                handle.write(file.data)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.chmod(mode)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written.append(path)
    return written
