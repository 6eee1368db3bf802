"""The intervals.icu client over real HTTP against the simulator: auth, the User-Agent its front
checks, and every answer mapped to our errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from ampt_sync.errors import AuthError, ConfigError, RateLimited, RemoteError, RemoteUnavailable
from ampt_sync.intervals.calendar import IntervalsCalendar
from ampt_sync.intervals.client import USER_AGENT, check_api_key, check_athlete_id
from ampt_sync.sim.garmin import HTML_PAGE, TRUNCATED_JSON
from ampt_sync.sim.intervals import IntervalsSim

Client = Callable[..., Any]


def test_the_key_opens_the_athlete_and_athlete_zero_is_the_keys_owner(
    sim: IntervalsSim, client: Client
) -> None:
    with client() as c:
        assert c.athlete()["id"] == sim.athlete_id
    with client(athlete_id="0") as c:
        assert c.athlete()["id"] == sim.athlete_id
        assert c.calls.as_dict() == {"reads": 1, "writes": 0, "total": 1}


def test_a_wrong_key_is_an_auth_error_naming_the_fix(sim: IntervalsSim, client: Client) -> None:
    with client(api_key="0123456789abcdef") as c, pytest.raises(AuthError) as caught:
        c.athlete()
    assert "401" in str(caught.value)
    assert "ampt-sync auth intervals" in str(caught.value)


def test_another_athlete_is_refused(sim: IntervalsSim, client: Client) -> None:
    with client(athlete_id="i999") as c, pytest.raises(AuthError, match="athlete i999"):
        c.athlete()


def test_pythons_default_user_agent_is_refused_and_ours_is_not(
    sim: IntervalsSim, client: Client
) -> None:
    auth = ("API_KEY", sim.api_key)
    url = f"{sim.base_url}/api/v1/athlete/{sim.athlete_id}"
    refused = requests.get(url, auth=auth, timeout=5)  # python-requests/x.y
    assert refused.status_code == 403
    assert "Cloudflare" in refused.text
    assert requests.get(url, auth=auth, headers={"User-Agent": USER_AGENT}, timeout=5).ok
    with client() as c:
        c.athlete()


def test_a_429_is_rate_limited_until_retry_after(sim: IntervalsSim, client: Client) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    sim.fail("status", status=429, retry_after_s=90)
    with client(clock=lambda: now) as c, pytest.raises(RateLimited) as caught:
        c.events("2026-12-07", "2026-12-13")
    assert caught.value.retry_at == now + timedelta(seconds=90)
    sim.fail("status", status=429)  # no Retry-After: a minute
    with client(clock=lambda: now) as c, pytest.raises(RateLimited) as caught:
        c.events("2026-12-07", "2026-12-13")
    assert caught.value.retry_at == now + timedelta(seconds=60)


@pytest.mark.parametrize(
    ("fault", "options", "error"),
    [
        ("status", {"status": 502}, RemoteUnavailable),
        ("status", {"status": 503}, RemoteUnavailable),
        ("timeout", {"delay_s": 0.6}, RemoteUnavailable),
        ("reset", {}, RemoteUnavailable),
        ("status", {"status": 400}, RemoteError),
        ("body", {"body": HTML_PAGE, "content_type": "text/html"}, RemoteError),
        ("body", {"body": TRUNCATED_JSON}, RemoteError),
        ("body", {"body": '{"events": []}'}, RemoteError),
        (
            "body",
            {"body": '[{"id": "x1", "start_date_local": "2026-12-07T00:00:00"}]'},
            RemoteError,
        ),
        ("body", {"body": '[{"id": 5, "start_date_local": "Monday"}]'}, RemoteError),
    ],
)
def test_every_failure_maps_to_our_errors(
    sim: IntervalsSim, client: Client, fault: str, options: dict, error: type
) -> None:
    from datetime import date

    sim.fail(fault, **options)
    with client() as c, pytest.raises(error) as caught:
        IntervalsCalendar(c).events(date(2026, 12, 7), date(2026, 12, 14))
    assert "intervals.icu" in str(caught.value)
    assert type(caught.value) is error


def test_the_read_covers_end_minus_one_day_both_ends_included(
    sim: IntervalsSim, client: Client
) -> None:
    from datetime import date

    first, end = date(2026, 12, 7), date(2026, 12, 14)
    ids = {d: sim.add_own_event(d, f"e{d}") for d in (first - timedelta(days=1), first,
                                                      end - timedelta(days=1), end)}  # fmt: skip
    with client() as c:
        got = [e.event_id for e in IntervalsCalendar(c).events(first, end)]
    assert got == [ids[first], ids[end - timedelta(days=1)]]
    assert sim.requests[-1].path.endswith("/events")


@pytest.mark.parametrize("value", ["", "12 34", "athlete", "i12x", "i" + "9" * 13])
def test_a_malformed_athlete_id_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="athlete id"):
        check_athlete_id(value)


@pytest.mark.parametrize("value", ["", "short", "two words here"])
def test_a_malformed_key_is_a_config_error_that_does_not_echo_it(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_api_key(value)
    assert not value or value not in str(caught.value)


def test_the_key_never_reaches_a_log_or_an_error(
    sim: IntervalsSim, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    sim.fail("status", status=500)
    sim.fail("status", status=429, retry_after_s=5)
    for _ in range(3):
        with client() as c:
            try:
                c.events("2026-12-07", "2026-12-13")
            except (RemoteUnavailable, RateLimited) as exc:
                messages.append(str(exc))
                messages.append(repr(exc))
    with client(api_key=sim.api_key[::-1]) as c, pytest.raises(AuthError) as caught:
        c.athlete()
    messages.append(str(caught.value))
    assert len(messages) == 5
    text = caplog.text + "\n".join(messages) + repr(sim.requests)
    assert "urllib3" in caplog.text  # the HTTP library's debug lines were captured
    assert sim.api_key not in text
    assert sim.api_key[::-1] not in text
