"""The daily trigger: once per local day, at the first valid instant of a skipped time, once for
a repeated one, and never early."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ampt_sync.schedule import DailyTrigger, fire_time, next_fire, previous_fire

NEW_YORK = ZoneInfo("America/New_York")


def test_an_ordinary_day_fires_at_the_wall_time() -> None:
    assert fire_time(date(2026, 11, 23), time(4, 30), NEW_YORK) == datetime(
        2026, 11, 23, 9, 30, tzinfo=UTC
    )


def test_a_time_skipped_in_spring_fires_at_the_first_valid_instant_after_it() -> None:
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    fired = fire_time(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert fired == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert fired.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"


def test_a_time_repeated_in_autumn_fires_once_at_its_first_occurrence() -> None:
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    trigger = DailyTrigger(time(1, 30), NEW_YORK)
    now = datetime(2026, 10, 31, 12, tzinfo=UTC)
    fires = []
    previous = None
    for _ in range(3):
        previous = trigger.get_next_fire_time(previous, now)
        fires.append(previous.astimezone(UTC))
        now = previous
    assert fires == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # next day, 01:30 EST: no second run on the 1st
        datetime(2026, 11, 3, 6, 30, tzinfo=UTC),
    ]


def test_across_the_spring_change_the_trigger_fires_every_day_once() -> None:
    trigger = DailyTrigger(time(2, 30), NEW_YORK)
    now = datetime(2026, 3, 7, 12, tzinfo=UTC)
    previous = None
    days = []
    for _ in range(3):
        previous = trigger.get_next_fire_time(previous, now)
        now = previous
        days.append(previous.astimezone(NEW_YORK).strftime("%m-%d %H:%M"))
    assert days == ["03-08 03:00", "03-09 02:30", "03-10 02:30"]


def test_jitter_only_delays() -> None:
    trigger = DailyTrigger(time(4, 30), NEW_YORK, jitter_s=120)
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    for _ in range(20):
        fired = trigger.get_next_fire_time(None, now)
        delay = fired - datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
        assert timedelta(0) <= delay <= timedelta(seconds=120)


@given(
    zone=st.sampled_from(
        [
            "America/New_York",
            "Europe/Berlin",
            "Australia/Lord_Howe",  # half-hour changes
            "America/Santiago",  # changes at midnight
            "Asia/Beirut",
            "UTC",
        ]
    ),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_once_per_local_day_and_previous_next_agree(zone, start, hour, minute) -> None:
    z = ZoneInfo(zone)
    at = time(hour, minute)
    now = start.replace(tzinfo=UTC)
    nxt = next_fire(now, at, z)
    assert nxt > now
    assert previous_fire(nxt, at, z) == nxt
    following = next_fire(nxt, at, z)
    assert following.astimezone(z).date() == nxt.astimezone(z).date() + timedelta(days=1)
    assert timedelta(hours=22) <= following - nxt <= timedelta(hours=26)
    # Never earlier than the wall time on its day, and exactly on it when that time exists.
    local = nxt.astimezone(z)
    assert local.replace(tzinfo=None) >= datetime.combine(local.date(), at)
