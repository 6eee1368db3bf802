"""Contract tests: the real garminconnect client over HTTP against the simulated Garmin Connect.

Create, update in place, move, remove, disconnect, the runner's own workouts left alone, the call
budget, unknown outcomes, rate limits, tokens."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import garminconnect
import pytest
from garmin_helpers import check_garmin_matches, desired, easy, library_workouts

from ampt_sync.errors import RateLimited, ReloginNeeded, RemoteError, RemoteUnavailable
from ampt_sync.garmin.calendar import GarminCalendar, months_covering
from ampt_sync.garmin.client import (
    MAX_TIMEOUT_S,
    _clamp,
    build_api,
    open_garmin,
    relogin_needed,
)
from ampt_sync.garmin.encode import encode
from ampt_sync.garmin.push import disconnect
from ampt_sync.garmin.reconcile import GarminLooksEmpty
from ampt_sync.secrets import GARMIN_TOKENS
from ampt_sync.store.ledger import GarminLedger

TODAY = date(2026, 11, 10)  # a Tuesday; the 7-day window stays inside November
D = [TODAY + timedelta(days=i) for i in range(14)]


def week() -> list[tuple[date, Any]]:
    lib = library_workouts()
    return [
        (D[0], lib["easy"]),
        (D[1], lib["strength"]),
        (D[2], lib["intervals"]),
        (D[4], lib["hills_outdoor"]),
        (D[6], lib["long"]),
    ]


def calendar_reads(sim: Any) -> int:
    return sum(1 for r in sim.requests if r.path.startswith("/calendar-service/"))


# ------------------------------------------------------------------------------------------------
# the library's own pins


def test_garminconnect_is_the_pinned_version_with_the_private_attributes_we_set() -> None:
    assert garminconnect.__version__ == "0.3.20" if hasattr(garminconnect, "__version__") else True
    api = garminconnect.Garmin()
    for name in ("_connectapi", "_di_token_url", "_api_session", "_http_post", "_tokenstore_path"):
        assert hasattr(api.client, name), name


def test_timeouts_are_capped_at_eight_seconds() -> None:
    assert MAX_TIMEOUT_S == 8.0
    assert _clamp(15, 8.0) == 8.0
    assert _clamp(None, 8.0) == 8.0
    assert _clamp((30, 60), 8.0) == (8.0, 8.0)
    assert _clamp(0.5, 8.0) == 0.5


def test_a_session_never_waits_longer_than_eight_seconds(session) -> None:
    with session(timeout_s=60) as s:
        assert s.timeout_s == MAX_TIMEOUT_S


# ------------------------------------------------------------------------------------------------
# create, steady state, update, move, remove


def test_a_new_plan_is_created_and_scheduled_once_each(sim, push) -> None:
    want = desired(week())
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    assert [type(a).__name__ for a in report.applied] == ["Create"] * 5


def test_a_second_push_with_nothing_changed_makes_no_write_and_one_calendar_read(sim, push) -> None:
    want = desired(week())
    push(want, TODAY)
    sim.clear_log()
    report = push(want, TODAY)
    assert report.actions == []
    assert sim.counts() == {"reads": 1, "writes": 0, "total": 1}
    assert calendar_reads(sim) == 1
    assert report.api_calls == {"reads": 1, "writes": 0, "token_refreshes": 0, "total": 1}


def test_a_window_across_a_month_end_costs_two_calendar_reads_when_steady(sim, push) -> None:
    today = date(2026, 11, 27)
    want = desired([(today, easy("w-a", 8)), (today + timedelta(days=5), easy("w-b", 10))])
    push(want, today)
    sim.clear_log()
    push(want, today)
    assert sim.counts() == {"reads": 2, "writes": 0, "total": 2}
    paths = sorted(r.path for r in sim.requests)
    # Garmin numbers months from 0: November is 10, December 11.
    assert paths == ["/calendar-service/year/2026/month/10", "/calendar-service/year/2026/month/11"]


def test_changing_one_workout_makes_exactly_one_write_and_keeps_its_id_and_entry(sim, push) -> None:
    days = week()
    push(desired(days), TODAY)
    before = {wid: s for s, wid, _ in sim.schedules()}
    days[2] = (D[2], easy(days[2][1].key, 11))  # the intervals become an easy 11 km
    sim.clear_log()
    report = push(desired(days), TODAY)
    assert sim.counts()["writes"] == 1
    assert [r.method for r in sim.requests if r.is_write] == ["PUT"]
    assert {wid: s for s, wid, _ in sim.schedules()} == before
    assert check_garmin_matches(sim, desired(days), TODAY, D[7]) == []
    assert [type(a).__name__ for a in report.applied] == ["Update"]


def test_a_moved_workout_keeps_its_id_and_changes_day(sim, push) -> None:
    days = week()
    push(desired(days), TODAY)
    hills_id = next(w for s, w, d in sim.schedules() if d == D[4])
    days[3] = (D[5], days[3][1])
    report = push(desired(days), TODAY)
    assert [type(a).__name__ for a in report.applied] == ["Move"]
    assert [(w, d) for _, w, d in sim.schedules() if w == hills_id] == [(hills_id, D[5])]
    assert check_garmin_matches(sim, desired(days), TODAY, D[7]) == []


def test_a_workout_dropped_from_the_plan_is_unscheduled_and_deleted(sim, push, store) -> None:
    days = week()
    push(desired(days), TODAY)
    dropped = days.pop(2)
    report = push(desired(days), TODAY)
    assert [type(a).__name__ for a in report.applied] == ["Remove"]
    assert check_garmin_matches(sim, desired(days), TODAY, D[7]) == []
    # A tombstone stays until a listing of the library shows no copy of it (issue 13).
    row = GarminLedger(store).get(dropped[1].key)
    assert row is not None
    assert (row.garmin_workout_id, row.pending) == (None, "removed")


def test_yesterdays_workout_is_removed_the_next_morning_and_the_new_day_added(sim, push) -> None:
    days = [*week(), (D[7], easy("w-next", 6))]
    push(desired(d for d in days if d[0] < D[7]), TODAY)
    tomorrow = TODAY + timedelta(days=1)
    report = push(desired(d for d in days if tomorrow <= d[0] < D[8]), tomorrow)
    kinds = sorted(type(a).__name__ for a in report.applied)
    assert kinds == ["Create", "Remove"]
    assert sim.calendar(TODAY, tomorrow) == []
    want = desired(d for d in days if tomorrow <= d[0] < D[8])
    assert check_garmin_matches(sim, want, tomorrow, D[8]) == []


def test_dry_run_shows_the_changes_and_writes_nothing(sim, push, store) -> None:
    report = push(desired(week()), TODAY, dry_run=True)
    assert len(report.actions) == 5
    assert report.applied == []
    assert sim.counts()["writes"] == 0
    assert sim.workouts == {}
    assert GarminLedger(store).all() == {}


def test_writes_are_paced_by_the_interval(sim, push) -> None:
    slept: list[float] = []
    push(desired(week()[:2]), TODAY, write_interval_s=0.5, sleep=slept.append)
    # 2 workouts: upload, schedule, upload, schedule; a pause before every write but the first.
    assert len(slept) == 3
    assert all(0 < s <= 0.5 for s in slept)


# ------------------------------------------------------------------------------------------------
# the runner's own workouts


def test_the_runners_own_workouts_and_entries_are_never_touched(sim, push, session, store) -> None:
    own_scheduled, own_entry = sim.add_own_workout("Club tempo", D[2])
    own_library, _ = sim.add_own_workout("Favourite fartlek")
    sim.add_activity(D[0], "Morning Run")
    days = week()
    push(desired(days), TODAY)
    days[1] = (D[3], easy(days[1][1].key, 5))
    days.pop(0)
    push(desired(days), TODAY)
    with session() as s:
        disconnect(GarminCalendar(s), GarminLedger(store), TODAY, 7)
    touched = [r for r in sim.requests if r.is_write]
    assert not any(str(own_scheduled) in r.path or str(own_library) in r.path for r in touched)
    assert not any(r.path.endswith(f"/schedule/{own_entry}") for r in touched)
    assert set(sim.workouts) == {own_scheduled, own_library}
    assert [(sid, wid) for sid, wid, _ in sim.schedules()] == [(own_entry, own_scheduled)]


def test_disconnect_removes_every_workout_and_entry_of_ours(sim, push, session, store) -> None:
    sim.add_own_workout("Club tempo", D[3])
    push(desired(week()), TODAY)
    with session() as s:
        report = disconnect(GarminCalendar(s), GarminLedger(store), TODAY, 7)
    assert report.ok
    assert check_garmin_matches(sim, [], TODAY, D[7], own=1) == []
    assert GarminLedger(store).all() == {}


def test_an_orphan_of_ours_found_by_its_marker_is_removed(sim, push, store) -> None:
    want = desired(week())
    push(want, TODAY)
    GarminLedger(store).forget_all()  # the ledger is lost (a restored backup, say)
    extra = desired([(D[3], easy("w-forgotten", 4))])
    push(extra, TODAY)  # a create makes the push read the library, which finds the old ones
    assert check_garmin_matches(sim, extra, TODAY, D[7]) == []


# ------------------------------------------------------------------------------------------------
# changes made by hand in Garmin Connect


def test_a_workout_deleted_by_hand_is_put_back(sim, push) -> None:
    want = desired(week())
    push(want, TODAY)
    _sid, wid, _ = sim.schedules()[0]
    sim.delete_directly(wid)
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_an_entry_removed_by_hand_is_scheduled_again(sim, push) -> None:
    want = desired(week())
    push(want, TODAY)
    sid, _, _ = sim.schedules()[1]
    sim.unschedule_directly(sid)
    sim.clear_log()
    push(want, TODAY)
    assert sim.counts()["writes"] == 1
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_removing_a_workout_already_deleted_by_hand_counts_as_done(sim, push) -> None:
    days = week()
    push(desired(days), TODAY)
    _sid, wid, _ = sim.schedules()[0]
    sim.delete_directly(wid)
    days = [d for d in days if d[0] != D[0]]
    report = push(desired(days), TODAY)
    assert report.ok
    assert check_garmin_matches(sim, desired(days), TODAY, D[7]) == []


def test_garmin_showing_none_of_ours_stops_the_push_until_forced(sim, push) -> None:
    want = desired(week())
    push(want, TODAY)
    for sid, _, _ in sim.schedules():
        sim.unschedule_directly(sid)
    with pytest.raises(GarminLooksEmpty, match="push --force"):
        push(want, TODAY)
    assert sim.counts()["writes"] == 10  # only the first push's
    report = push(want, TODAY, force=True)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


# ------------------------------------------------------------------------------------------------
# unknown outcomes and rate limits


def test_a_create_whose_answer_is_lost_is_found_by_its_marker_not_made_twice(sim, push) -> None:
    want = desired(week()[:2])
    sim.fail("lost", method="POST", path=r"^/workout-service/workout$")
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    # gather, look-up after the lost answer, and the final read after an unknown outcome
    assert sum(1 for r in sim.requests if r.path == "/workout-service/workouts") == 3


def test_a_schedule_whose_answer_is_lost_does_not_make_a_second_entry(sim, push) -> None:
    want = desired(week()[:2])
    sim.fail("lost_timeout", method="POST", path="/schedule/", delay_s=0.5)
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    assert len(sim.schedules()) == 2


def test_a_write_that_never_happened_is_tried_once_more_after_looking(sim, push) -> None:
    want = desired(week()[:1])
    sim.fail("status", status=503, method="POST", path=r"^/workout-service/workout$")
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_a_second_unknown_outcome_stops_the_push_and_the_next_one_finishes(sim, push) -> None:
    want = desired(week()[:2])
    sim.fail("reset", method="POST", path=r"^/workout-service/workout$", times=2)
    with pytest.raises(RemoteUnavailable):
        push(want, TODAY)
    assert push(want, TODAY).ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_a_429_stops_the_push_at_once_and_carries_the_retry_time(sim, push) -> None:
    want = desired(week())
    sim.fail("status", status=429, method="POST", after=3, retry_after_s=1800)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        push(want, TODAY)
    assert before + timedelta(minutes=29) < caught.value.retry_at
    assert caught.value.retry_at < before + timedelta(minutes=31)
    assert caught.value.push_report.stopped_by == "RateLimited"
    assert sim.counts()["writes"] == 4  # nothing after the 429
    assert push(want, TODAY).ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_a_timeout_is_an_unknown_outcome_resolved_by_looking(sim, push) -> None:
    want = desired(week()[:1])
    sim.fail("timeout", method="POST", path="/schedule/", delay_s=0.6)
    report = push(want, TODAY)
    assert report.ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_garmin_rejects_a_repeat_group_without_its_iterations_condition(sim, session) -> None:
    payload = encode(library_workouts()["intervals"]).payload
    group = next(
        s for s in payload["workoutSegments"][0]["workoutSteps"] if s["type"] == "RepeatGroupDTO"
    )
    del group["endCondition"]
    with session() as s, pytest.raises(RemoteError, match="HTTP 400"):
        GarminCalendar(s).create(payload)
    assert sim.workouts == {}


# ------------------------------------------------------------------------------------------------
# the calendar adapter


def test_months_covering_counts_each_month_the_window_touches() -> None:
    assert months_covering(date(2026, 11, 10), date(2026, 11, 17)) == [(2026, 11)]
    assert months_covering(date(2026, 12, 28), date(2027, 1, 4)) == [(2026, 12), (2027, 1)]
    assert months_covering(date(2026, 11, 24), date(2026, 12, 1)) == [(2026, 11)]


def test_the_month_view_spills_over_but_the_adapter_returns_only_the_days_asked(
    sim, session
) -> None:
    sim.add_own_workout("Early December", date(2026, 12, 2))
    sim.add_own_workout("Late November", date(2026, 11, 29))
    sim.add_activity(date(2026, 11, 28))
    with session() as s:
        api = s.api
        raw = api.get_scheduled_workouts(2026, 11)["calendarItems"]
        assert {i["date"] for i in raw} == {"2026-11-28", "2026-11-29", "2026-12-02"}
        items = GarminCalendar(s).scheduled(date(2026, 11, 20), date(2026, 12, 1))
    assert [(i.day, i.title) for i in items] == [(date(2026, 11, 29), "Late November")]


def test_a_404_on_delete_and_unschedule_counts_as_gone(sim, session) -> None:
    with session() as s:
        calendar = GarminCalendar(s)
        workout_id, _ = calendar.create(encode(easy("w-x", 5)).payload)
        schedule_id, _ = calendar.schedule(workout_id, TODAY)
        assert calendar.unschedule(schedule_id) is True
        assert calendar.unschedule(schedule_id) is False
        assert calendar.get_schedule(schedule_id) is None
        assert calendar.delete(workout_id) is True
        assert calendar.delete(workout_id) is False
        assert calendar.get(workout_id) is None


def test_schedule_is_not_idempotent_on_garmin(sim, session) -> None:
    with session() as s:
        calendar = GarminCalendar(s)
        workout_id, _ = calendar.create(encode(easy("w-x", 5)).payload)
        first, _ = calendar.schedule(workout_id, TODAY)
        second, _ = calendar.schedule(workout_id, TODAY)
    assert first != second
    assert len(sim.schedules()) == 2


# ------------------------------------------------------------------------------------------------
# tokens


def test_refused_tokens_raise_relogin_needed_and_record_it(sim, push, store) -> None:
    sim.revoke_tokens()
    with pytest.raises(ReloginNeeded, match="ampt-sync auth garmin"):
        push(desired(week()), TODAY)
    state = relogin_needed(store)
    assert state is not None
    assert "auth garmin" in state["reason"]


def test_no_stored_tokens_is_relogin_needed(token_store, store, sim) -> None:
    with (
        pytest.raises(ReloginNeeded, match="not connected"),
        open_garmin(token_store, store=store, base_url_override=sim.base_url),
    ):
        pass
    assert relogin_needed(store) is not None


def test_a_rotated_token_is_stored_before_it_is_used(sim, token_store, store, push) -> None:
    token_store.set(GARMIN_TOKENS, sim.token_json(ttl_s=60))  # expires within 15 min: refresh
    old = json.loads(token_store.get(GARMIN_TOKENS))
    seen: list[dict[str, Any]] = []

    def look(method: str, url: str, when: str) -> None:
        if when == "before":
            seen.append(json.loads(token_store.get(GARMIN_TOKENS)))

    report = push(desired(week()[:1]), TODAY, on_request=look)
    assert report.api_calls["token_refreshes"] == 1
    stored = json.loads(token_store.get(GARMIN_TOKENS))
    assert stored["di_refresh_token"] != old["di_refresh_token"]
    assert stored["di_token"] != old["di_token"]
    assert all(s == stored for s in seen)  # every API request went out after the save
    assert any(r.path == "/di-oauth2-service/oauth/token" for r in sim.requests)


def test_the_base_url_setting_points_api_calls_and_the_refresh_at_the_sim(
    sim, connected, store, monkeypatch
) -> None:
    monkeypatch.setenv("AMPT_SYNC_GARMIN_URL", sim.base_url)
    connected.set(GARMIN_TOKENS, sim.token_json(ttl_s=60))
    with open_garmin(connected, store=store) as s:
        assert s.base_url == sim.base_url
        assert GarminCalendar(s).scheduled(TODAY, D[7]) == []
    assert [r.path for r in sim.requests] == [
        "/di-oauth2-service/oauth/token",
        "/calendar-service/year/2026/month/10",
    ]


def test_build_api_needs_no_network() -> None:
    api = build_api(
        json.dumps({"di_token": "a.b.c", "di_refresh_token": "r", "di_client_id": "X"}),
        "http://127.0.0.1:9",
    )
    assert api.client._connectapi == "http://127.0.0.1:9"
    assert api.client._di_token_url == "http://127.0.0.1:9/di-oauth2-service/oauth/token"
    with pytest.raises(ReloginNeeded, match="damaged"):
        build_api("{not json", "http://127.0.0.1:9")
