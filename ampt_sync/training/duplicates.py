"""One run, two copies: the same run read from Strava, Garmin Connect or intervals.icu counts once.

A runner who switches ``[activities] source`` keeps the history read from the old source, and the
new source's first pull backfills the same weeks again (a Garmin watch uploads to both). Two
activities from **different sources** are the same run when they are the same sport family (both
runs, or both not runs), start within :data:`SAME_START` of each other and their distances differ by
at most :data:`DISTANCE_TOLERANCE` of the longer one (two activities without distance, e.g.
strength sessions, match on the start alone).

Which copy wins: the one from the source earlier in :data:`PRECEDENCE`: Strava, then Garmin
Connect, then intervals.icu (which usually got the run from one of the other two). Every row
stored before sources existed is Strava's, so switching source never changes a run already
counted (its id, which planned workout it matched, its classification), and the plan made from
the same history stays the same. The losing copy stays stored (nothing is lost; a switch back
finds it) and is only left out here. Within one source nothing is merged: two runs a minute
apart in one service are two runs.

Pure: no I/O; the order of the input is kept for the copies that remain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ampt_sync.domain import Activity

#: Starts further apart than this are different runs (watch vs phone clocks, upload rounding).
SAME_START = timedelta(minutes=2)
#: Relative distance difference still the same run (GPS smoothing differs between services).
DISTANCE_TOLERANCE = 0.03
#: Which source's copy is kept, best first. An unknown source ranks last.
PRECEDENCE = ("strava", "garmin", "intervals")


def same_run(a: Activity, b: Activity) -> bool:
    """Whether ``a`` and ``b`` (from different sources) are copies of one run."""
    if a.source == b.source or a.is_run != b.is_run:
        return False
    if abs(a.start - b.start) > SAME_START:
        return False
    longer = max(a.distance_m, b.distance_m)
    if longer <= 0:
        return True
    return abs(a.distance_m - b.distance_m) <= DISTANCE_TOLERANCE * longer


def _rank(activity: Activity) -> int:
    try:
        return PRECEDENCE.index(activity.source)
    except ValueError:
        return len(PRECEDENCE)


def drop_duplicates(activities: Sequence[Activity]) -> list[Activity]:
    """``activities`` without the losing copies of runs stored from two sources (see the module
    docstring). Cost: a sort and a scan of neighbours within :data:`SAME_START`."""
    order = sorted(range(len(activities)), key=lambda i: activities[i].start)
    dropped: set[int] = set()
    for position, i in enumerate(order):
        a = activities[i]
        for j in order[position + 1 :]:
            b = activities[j]
            if b.start - a.start > SAME_START:
                break
            if i in dropped or j in dropped or not same_run(a, b):
                continue
            loser = j if (_rank(a), a.id) <= (_rank(b), b.id) else i
            dropped.add(loser)
    return [a for index, a in enumerate(activities) if index not in dropped]
