"""The morning guarantee's fallback: when the push to the delivery target (Garmin Connect or
intervals.icu) fails in a way that will not clear by itself, the next days' workouts are written
as FIT files to ``state_dir/fit/`` so the runner can copy today's to the watch over USB, and the
morning alert says so and where.

"Will not clear by itself" (:func:`needs_fallback`): the service refused our sign-in or key
(:class:`~ampt_sync.errors.AuthError`, including "re-login needed") or refused the request
(:class:`~ampt_sync.errors.RemoteError`, e.g. HTTP 403). A timeout, a 5xx, a rate limit or a stop
(:class:`~ampt_sync.errors.TemporaryError`) is retried by the daemon instead.

The folder holds exactly the current days' files: ampt-sync's older files there (names matching
:data:`~ampt_sync.fit.files.NAME_RE`) are removed, anything else is left alone. Once a push
reaches the watch's road again, :func:`clear_fallback` empties it of ours, so that no stale
workout waits there to be copied days later.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from ampt_sync.domain import Plan
from ampt_sync.errors import AmptSyncError, AuthError, RemoteError
from ampt_sync.files import private_dir
from ampt_sync.fit.files import NAME_RE, fit_files, fit_workouts, write_files

log = logging.getLogger(__name__)

#: The fallback folder, under the state directory.
FOLDER = "fit"


def needs_fallback(exc: AmptSyncError) -> bool:
    """True when a failed push will not succeed by retrying alone (see the module docstring)."""
    return isinstance(exc, AuthError | RemoteError)


def write_fallback(plan: Plan, first: date, days: int, state_dir: Path) -> dict[str, Any]:
    """Write the FIT files of ``days`` days from ``first`` to ``state_dir/fit/`` and remove the
    ones of earlier runs. Returns ``{"dir": str, "files": [names], "today": name | None}`` for the
    cycle report and the alert. Raises ``OSError`` or
    :class:`~ampt_sync.garmin.encode.EncodeError` (the caller records it)."""
    folder = state_dir / FOLDER
    private_dir(folder)
    files = fit_files(fit_workouts(plan, first, days))
    write_files(files, folder, mode=0o600)
    current = {f.name for f in files}
    for old in folder.iterdir():
        if NAME_RE.match(old.name) and old.name not in current:
            old.unlink(missing_ok=True)
    today = [f.name for f in files if f.day == first]
    log.info("wrote %d FIT workout files to %s (the fallback)", len(files), folder)
    return {
        "dir": str(folder),
        "files": [f.name for f in files],
        "today": today[0] if today else None,
    }


def clear_fallback(state_dir: Path) -> int:
    """Remove ampt-sync's FIT files from ``state_dir/fit/`` (a push succeeded: the watch gets
    its workouts again); how many were removed. Other files are left alone."""
    folder = state_dir / FOLDER
    if not folder.is_dir():
        return 0
    removed = 0
    for old in folder.iterdir():
        if NAME_RE.match(old.name):
            old.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d FIT fallback files from %s: the push works again", removed, folder)
    return removed


def alert_text(fallback: dict[str, Any]) -> str:
    """The sentence the morning alert adds about the fallback files."""
    count = len(fallback["files"])
    if not count:
        return ""
    today = (
        f"today's is {fallback['today']}" if fallback.get("today") else "there is no workout today"
    )
    return (
        f"Fallback: the FIT workout files of the next days ({count}) are in {fallback['dir']} "
        f"({today}); copy one to your watch's GARMIN/NewFiles folder over USB and it appears "
        "under Training > Workouts."
    )
