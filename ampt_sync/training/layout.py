"""Week layout: which weekdays may hold quality sessions and strength, and how many.

Pure. Weekdays are ``date.weekday()`` numbers (Monday = 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ampt_sync.domain import Schedule

#: Quality sessions a week (§3.8, §7 ``sessions.quality_sessions_per_week``).
MAX_QUALITY = 2
MAX_QUALITY_HIGH_VOLUME = 3
HIGH_VOLUME_RUN_DAYS, HIGH_VOLUME_WEEK_M = 6, 50_000.0
#: The day after the long run is a recovery run (AMPT) with this many run days or more; with
#: fewer every run is needed for volume [H].
RECOVERY_AFTER_LONG_MIN_RUN_DAYS = 5


def quality_days_for(schedule: Schedule) -> tuple[int, ...]:
    """The weekdays of the weekly quality pattern for ``schedule``: at most 2 quality sessions
    (3 with 6+ run days), and at most run days − 2 so that the long run keeps an easy day
    beside it."""
    run_days = len(schedule.run_days)
    most = MAX_QUALITY_HIGH_VOLUME if run_days >= HIGH_VOLUME_RUN_DAYS else MAX_QUALITY
    return quality_pattern(schedule, min(most, max(1, run_days - 2)))


def _cyclic_gap(a: int, b: int) -> int:
    return min((a - b) % 7, (b - a) % 7)


def quality_pattern(schedule: Schedule, sessions: int) -> tuple[int, ...]:
    """The weekdays that may hold quality sessions, best first, at most ``sessions`` of them.

    Only run days other than the long-run day, the day before it and, with 5+ run days, the day
    after it (a recovery run); no two adjacent, counting Sunday next to Monday, so any subset of
    the pattern is valid in every week and across week ends. Preference: hard days spread out
    (the largest smallest gap between any two of them and the long run), then configured
    strength days left usable, then not the day after the long run, then earlier weekdays. A
    smaller count takes the first days of the returned order.
    """
    long_day = schedule.long_run_day
    # With 5+ run days the day after the long run is a recovery run (AMPT), never quality.
    many = len(schedule.run_days) >= RECOVERY_AFTER_LONG_MIN_RUN_DAYS
    after = (long_day + 1) % 7 if many else None
    allowed = [
        d for d in sorted(schedule.run_days) if d not in (long_day, (long_day - 1) % 7, after)
    ]
    for count in range(sessions, 0, -1):
        best: tuple[tuple[int, ...], tuple[int, ...]] | None = None
        for combo in itertools.combinations(allowed, count):
            if any(_cyclic_gap(a, b) < 2 for a, b in itertools.combinations(combo, 2)):
                continue
            hard = (*combo, long_day)
            spread = min(_cyclic_gap(a, b) for a, b in itertools.combinations(hard, 2))
            eves = {(d - 1) % 7 for d in combo}
            strength_ok = (
                sum(1 for d in schedule.strength_days if d not in eves)
                if schedule.strength_days
                else 0
            )
            after_long = int((long_day + 1) % 7 in combo)
            score = (spread, strength_ok, -after_long, tuple(-d for d in combo))
            if best is None or score > best[0]:
                best = (score, combo)
        if best is not None:
            combo = best[1]
            return tuple(sorted(combo, key=lambda d: (-_cyclic_gap(d, long_day), d)))
    return ()


def strength_pattern(schedule: Schedule, quality_days: Sequence[int]) -> tuple[int, ...]:
    """The weekdays for strength sessions, best first (two at most).

    Never the day before a quality day or the long run, never the long-run day. From
    ``schedule.strength_days`` when given; otherwise the pair furthest apart (48 h at least),
    preferring quality days (hard days hard, easy days easy), then run days, then earlier days.
    """
    long_day = schedule.long_run_day
    forbidden = {(q - 1) % 7 for q in quality_days} | {(long_day - 1) % 7, long_day}
    if schedule.strength_days:
        candidates = [d for d in schedule.strength_days if d not in forbidden]
    else:
        candidates = [d for d in range(7) if d not in forbidden]
    if len(candidates) <= 1:
        return tuple(candidates)

    def day_score(d: int) -> tuple[int, int]:
        return (int(d in quality_days), int(d in schedule.run_days))

    best: tuple[tuple[int, ...], tuple[int, int]] | None = None
    for a, b in itertools.combinations(candidates, 2):
        gap = _cyclic_gap(a, b)
        sa, sb = day_score(a), day_score(b)
        score = (
            int(gap >= 2),
            sa[0] + sb[0],
            min(gap, 3),
            sa[1] + sb[1],
            -a,
            -b,
        )
        if best is None or score > best[0]:
            best = (score, (a, b))
    pair = best[1] if best is not None else tuple(candidates[:2])
    return tuple(sorted(pair, key=lambda d: (tuple(-x for x in day_score(d)), d)))
