"""Issue 13: a hostile network and a careless Garmin, through the real garminconnect client.

Each test reproduces one of the issue's findings against the simulator (late writes, refused or
lost token refreshes, a server that ignores paging, malformed 200 answers, the runner's copies of
our workouts) and states what must hold instead.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from garmin_helpers import FAST_TIMEOUT_S, check_garmin_matches, desired, easy, library_workouts

from ampt_sync.errors import ReloginNeeded, RemoteError, RemoteUnavailable
from ampt_sync.garmin.calendar import GarminCalendar
from ampt_sync.garmin.client import relogin_needed
from ampt_sync.garmin.encode import parse_marker
from ampt_sync.secrets import GARMIN_TOKENS
from ampt_sync.sim.garmin import HTML_PAGE, TRUNCATED_JSON, GarminSim
from ampt_sync.store.ledger import GarminLedger

TODAY = date(2026, 11, 10)
D = [TODAY + timedelta(days=i) for i in range(14)]
CREATE = r"^/workout-service/workout$"
SCHEDULE = r"^/workout-service/schedule/\d+$"
REFRESH = r"^/di-oauth2-service/oauth/token$"


def week() -> list[tuple[date, Any]]:
    lib = library_workouts()
    return [(D[0], lib["easy"]), (D[1], lib["strength"]), (D[2], lib["intervals"])]


def marked_ids(sim: GarminSim) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for workout_id, workout in sorted(sim.workouts.items()):
        mark = parse_marker(workout.get("description"))
        if mark is not None:
            out.setdefault(mark[0], []).append(workout_id)
    return out


def wait_for_late_writes(sim: GarminSim, writes: int, timeout_s: float = 5.0) -> None:
    """Until the sim has logged ``writes`` late writes as done."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if sum(1 for r in sim.requests if r.fault == "late") >= writes:
            return
        time.sleep(0.02)
    raise AssertionError("the late write never landed")


def refreshes(sim: GarminSim) -> int:
    return sum(1 for r in sim.requests if r.path.startswith("/di-oauth2-service"))


# ------------------------------------------------------------------------------------------------
# 1. a write that lands after our timeout


def test_a_create_landing_after_the_timeout_leaves_no_orphan_once_the_push_exits_0(
    sim, push, store
) -> None:
    want = desired(week())
    # Held for twice our timeout: we time out, look (nothing), create again; then it lands.
    sim.fail("late", method="POST", path=CREATE, delay_s=2 * FAST_TIMEOUT_S)
    report = push(want, TODAY)
    assert report.ok
    wait_for_late_writes(sim, 1)
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    assert all(len(ids) == 1 for ids in marked_ids(sim).values()), marked_ids(sim)


def test_a_create_landing_even_later_is_shown_as_unresolved_and_removed_by_the_next_push(
    sim, push, store
) -> None:
    want = desired(week())
    sim.fail("late", method="POST", path=CREATE, delay_s=12 * FAST_TIMEOUT_S)
    assert push(want, TODAY).ok
    # The push could not see it land: the ledger says so (status shows it) ...
    pending = {k: e.pending for k, e in GarminLedger(store).all().items() if e.pending}
    assert pending == {want[0].key: "unsure-create"}
    wait_for_late_writes(sim, 1)
    assert len(marked_ids(sim)[want[0].key]) == 2  # it landed after the push ended
    # ... and the next push, however little changed, looks and removes it.
    assert push(want, TODAY).ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    assert all(e.pending is None for e in GarminLedger(store).all().values())
    sim.clear_log()
    assert push(want, TODAY).ok
    assert sim.counts()["writes"] == 0


def test_a_schedule_landing_after_the_timeout_leaves_one_entry_once_the_push_exits_0(
    sim, push
) -> None:
    want = desired(week())
    sim.fail("late", method="POST", path=SCHEDULE, delay_s=2 * FAST_TIMEOUT_S)
    report = push(want, TODAY)
    assert report.ok
    wait_for_late_writes(sim, 1)
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []
    assert len(sim.schedules()) == len(want)


# ------------------------------------------------------------------------------------------------
# 5. the runner's copies


def test_the_runners_copy_of_one_of_our_workouts_is_never_deleted(sim, push, store) -> None:
    want = desired(week())
    assert push(want, TODAY).ok
    ours = GarminLedger(store).get(want[0].key).garmin_workout_id
    copy_id, _ = sim.copy_directly(ours, D[5])  # "Duplicate" in Garmin Connect, scheduled
    unscheduled_copy, _ = sim.copy_directly(ours)
    more = desired([*week(), (D[3], easy("w-new", 6))])  # a create: the library is listed
    assert push(more, TODAY).ok
    assert copy_id in sim.workouts
    assert unscheduled_copy in sim.workouts
    assert any(wid == copy_id and day == D[5] for _, wid, day in sim.schedules())
    assert GarminLedger(store).get(want[0].key).garmin_workout_id == ours
    # and removing our workout from the plan leaves the copies alone too
    assert push(more[1:], TODAY).ok
    assert ours not in sim.workouts
    assert copy_id in sim.workouts
    assert unscheduled_copy in sim.workouts


# ------------------------------------------------------------------------------------------------
# 3. paging


def test_a_server_that_ignores_paging_ends_the_listing_with_a_clear_error(
    sim, push, store
) -> None:
    for n in range(100):
        sim.add_own_workout(f"Saved {n}")
    sim.ignore_paging = True
    listings = {"n": 0}

    def count(method: str, url: str, moment: str) -> None:
        if moment == "before" and "/workout-service/workouts" in url:
            listings["n"] += 1
            if listings["n"] > 50:
                raise AssertionError("the library listing does not stop")

    with pytest.raises(RemoteError, match="paging"):
        push(desired(week()), TODAY, on_request=count)
    assert listings["n"] == 2  # the repeated page ends it


# ------------------------------------------------------------------------------------------------
# 4. malformed answers


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (r"^/workout-service/workouts$", HTML_PAGE),
        (r"^/workout-service/workouts$", TRUNCATED_JSON),
        (r"^/workout-service/workouts$", ""),
        (r"^/workout-service/workouts$", '{"workouts": []}'),  # an object, not a list
        (r"^/workout-service/workouts$", '["a", "b"]'),
        (r"^/workout-service/workouts$", '[{"workoutId": 1, "description": 7}]'),
        (r"^/calendar-service/", HTML_PAGE),
        (r"^/calendar-service/", '{"calendarItems": "none"}'),
        (r"^/calendar-service/", '{"calendarItems": [{"itemType": "workout", "workoutId": []}]}'),
        (r"^/calendar-service/", "[]"),
    ],
)
def test_a_malformed_answer_is_named_as_such_never_a_type_or_attribute_error(
    sim, push, path, body
) -> None:
    sim.fail("body", method="GET", path=path, body=body, times=5)
    with pytest.raises(RemoteError) as caught:
        push(desired(week()), TODAY)
    assert "not the JSON it documents" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert sim.counts()["writes"] == 0


def test_a_malformed_answer_to_a_create_is_an_error_for_that_workout_only(sim, push) -> None:
    want = desired(week())
    sim.fail("body", method="POST", path=CREATE, body=HTML_PAGE)
    report = push(want, TODAY)
    assert len(report.errors) == 1
    assert "not the JSON it documents" in report.errors[0]
    assert push(want, TODAY).ok
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


# ------------------------------------------------------------------------------------------------
# 2. token refresh: once per session, a refusal is "re-login needed" before the token expires


def _expiring_tokens(sim: GarminSim, connected: Any) -> None:
    # 10 minutes left: garminconnect refreshes when less than 15 remain.
    connected.set(GARMIN_TOKENS, sim.token_json(ttl_s=600))


def test_a_refresh_answering_500_is_tried_once_and_ends_the_push_as_temporary(
    sim, push, connected, store
) -> None:
    _expiring_tokens(sim, connected)
    sim.fail("status", status=500, path=REFRESH, times=100)
    with pytest.raises(RemoteUnavailable, match="sign-in"):
        push(desired(week()), TODAY)
    assert refreshes(sim) == 1
    assert sim.counts()["total"] == 0
    assert relogin_needed(store) is None


def test_a_refused_refresh_needs_a_relogin_at_once_while_the_access_token_still_works(
    sim, push, connected, store
) -> None:
    _expiring_tokens(sim, connected)
    sim.revoke_tokens(access=False, refresh=True)
    with pytest.raises(ReloginNeeded):
        push(desired(week()), TODAY)
    assert refreshes(sim) == 1
    assert relogin_needed(store) is not None


def test_a_refresh_whose_answer_is_lost_is_temporary_then_a_relogin_before_expiry(
    sim, push, connected, store
) -> None:
    _expiring_tokens(sim, connected)
    sim.fail("lost", path=REFRESH)  # Garmin rotated the tokens; we never learn the new ones
    with pytest.raises(RemoteUnavailable):
        push(desired(week()), TODAY)
    assert refreshes(sim) == 1
    assert relogin_needed(store) is None
    # The next push tries once more, is refused (the refresh token was spent), and says so
    # while the old access token has minutes left.
    with pytest.raises(ReloginNeeded):
        push(desired(week()), TODAY)
    assert refreshes(sim) == 2
    assert relogin_needed(store) is not None


def test_a_good_refresh_happens_once_and_the_push_goes_ahead(sim, push, connected) -> None:
    _expiring_tokens(sim, connected)
    want = desired(week())
    assert push(want, TODAY).ok
    assert refreshes(sim) == 1
    assert check_garmin_matches(sim, want, TODAY, D[7]) == []


def test_the_calendar_adapter_reads_through_the_real_client(sim, session) -> None:
    sim.add_own_workout("Club run", D[1])
    with session() as s:
        items = GarminCalendar(s).scheduled(TODAY, D[7])
    assert [i.day for i in items] == [D[1]]


def test_a_stored_workout_of_the_wrong_shape_is_not_as_sent_never_a_type_error() -> None:
    from ampt_sync.garmin.encode import encode, stored_as_sent

    sent = encode(library_workouts()["easy"]).payload
    for stored in ({**sent, "sportType": "running"}, {**sent, "workoutSegments": [["x"]]}):
        assert stored_as_sent(sent, stored) is False


def test_disconnect_leaves_the_runners_copies_and_an_empty_ledger(sim, push, session, store):
    from ampt_sync.garmin.push import disconnect

    want = desired(week())
    assert push(want, TODAY).ok
    ours = GarminLedger(store).get(want[0].key).garmin_workout_id
    copy_id, _ = sim.copy_directly(ours, D[4])
    assert push(want[1:], TODAY).ok  # one removed: a tombstone
    more = desired([*week()[1:], (D[3], easy("w-new", 6))])
    assert push(more, TODAY).ok  # the library is listed: the copy is seen and remembered
    with session() as s:
        report = disconnect(GarminCalendar(s), GarminLedger(store), TODAY, 7)
    assert report.ok
    assert GarminLedger(store).all() == {}
    assert list(sim.workouts) == [copy_id]
