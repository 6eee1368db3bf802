"""The rate budget: reads Strava's headers, raises with the reset time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ampt_sync.errors import RateLimited
from ampt_sync.strava.ratelimit import RateBudget, next_utc_midnight, next_window, window_start


def headers(read: tuple[int, int], overall: tuple[int, int] = (0, 0)) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "200,2000",
        "X-RateLimit-Usage": f"{overall[0]},{overall[1]}",
        "X-ReadRateLimit-Limit": "100,1000",
        "X-ReadRateLimit-Usage": f"{read[0]},{read[1]}",
    }


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> float:
        return self.moment.timestamp()


def test_windows_reset_at_quarter_hours_and_utc_midnight() -> None:
    moment = datetime(2026, 11, 22, 10, 44, 59, tzinfo=UTC)
    assert window_start(moment) == datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    assert next_window(moment) == datetime(2026, 11, 22, 10, 45, tzinfo=UTC)
    assert next_window(datetime(2026, 11, 22, 23, 50, tzinfo=UTC)) == datetime(
        2026, 11, 23, tzinfo=UTC
    )
    assert next_utc_midnight(moment) == datetime(2026, 11, 23, tzinfo=UTC)


def test_a_spent_15_minute_read_window_raises_with_the_next_quarter() -> None:
    clock = Clock(datetime(2026, 11, 22, 10, 37, tzinfo=UTC))
    budget = RateBudget(clock=clock)
    budget.record(headers(read=(99, 300)))
    budget.check("GET")  # the 100th request is still allowed
    budget.record(headers(read=(100, 301)))
    with pytest.raises(RateLimited) as raised:
        budget.check("GET")
    assert raised.value.retry_at == datetime(2026, 11, 22, 10, 45, tzinfo=UTC)
    assert "15-minute" in str(raised.value)


def test_a_spent_day_raises_with_utc_midnight() -> None:
    clock = Clock(datetime(2026, 11, 22, 10, 37, tzinfo=UTC))
    budget = RateBudget(clock=clock)
    budget.record(headers(read=(3, 1000)))
    with pytest.raises(RateLimited) as raised:
        budget.check("GET")
    assert raised.value.retry_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_usage_seen_in_an_earlier_window_counts_as_zero() -> None:
    clock = Clock(datetime(2026, 11, 22, 10, 44, tzinfo=UTC))
    budget = RateBudget(clock=clock)
    budget.record(headers(read=(100, 500)))
    clock.moment = datetime(2026, 11, 22, 10, 45, tzinfo=UTC)
    budget.check("GET")
    assert budget.remaining("GET") == 100


def test_the_read_limit_applies_to_gets_only_and_the_overall_limit_to_all() -> None:
    budget = RateBudget(clock=Clock(datetime(2026, 11, 22, 10, 0, 1, tzinfo=UTC)))
    budget.record(headers(read=(100, 100), overall=(150, 150)))
    budget.check("POST")
    with pytest.raises(RateLimited):
        budget.check("GET")
    budget.record(headers(read=(1, 1), overall=(200, 200)))
    with pytest.raises(RateLimited):
        budget.check("POST")


def test_a_reserve_stops_earlier() -> None:
    budget = RateBudget(reserve=5, clock=Clock(datetime(2026, 11, 22, 10, 0, 1, tzinfo=UTC)))
    budget.record(headers(read=(95, 95)))
    with pytest.raises(RateLimited):
        budget.check("GET")


def test_missing_or_garbled_headers_are_ignored_not_fatal() -> None:
    budget = RateBudget(clock=Clock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)))
    budget.record({})
    budget.record({"X-ReadRateLimit-Usage": "lots", "X-ReadRateLimit-Limit": "100,1000"})
    budget.check("GET")
    assert budget.remaining("GET") is None


def test_header_names_are_case_insensitive_as_strava_sends_them() -> None:
    budget = RateBudget(clock=Clock(datetime(2026, 11, 22, 10, 0, 1, tzinfo=UTC)))
    budget.record({"x-readratelimit-usage": "100,100", "x-readratelimit-limit": "100,1000"})
    with pytest.raises(RateLimited):
        budget.check("GET")


def test_a_429_gives_the_reset_of_the_window_it_exhausted() -> None:
    clock = Clock(datetime(2026, 11, 22, 10, 7, tzinfo=UTC))
    budget = RateBudget(clock=clock)
    error = budget.after_429(headers(read=(101, 400)))
    assert error.retry_at == datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    error = budget.after_429(headers(read=(40, 1001)))
    assert error.retry_at == datetime(2026, 11, 23, tzinfo=UTC)
    assert RateBudget(clock=clock).after_429({}).retry_at == datetime(
        2026, 11, 22, 10, 15, tzinfo=UTC
    )
