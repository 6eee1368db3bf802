"""The intervals.icu push over real HTTP against the simulator: a new week, one change, nothing
changed, moves and removals, the runner's own events, unknown outcomes, 429 and a wrong key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fit_helpers import differences, from_fit, from_garmin
from garmin_helpers import easy, library_workouts, plan_of

from ampt_sync.errors import AuthError, RateLimited, RemoteUnavailable
from ampt_sync.garmin.encode import encode
from ampt_sync.intervals.calendar import IntervalsCalendar
from ampt_sync.intervals.events import EXTERNAL_ID_PREFIX, desired_events
from ampt_sync.intervals.ledger import IntervalsLedger
from ampt_sync.intervals.push import push_events
from ampt_sync.sim.intervals import IntervalsSim
from ampt_sync.store.db import Store

TODAY = date(2026, 12, 7)


def week() -> list[tuple[date, Any]]:
    lib = library_workouts()
    return [
        (TODAY, lib["easy"]),
        (TODAY + timedelta(days=1), lib["intervals"]),
        (TODAY + timedelta(days=2), lib["strength"]),
        (TODAY + timedelta(days=3), lib["hills_outdoor"]),
        (TODAY + timedelta(days=5), lib["tempo"]),
        (TODAY + timedelta(days=6), lib["long"]),
    ]


def ours(sim: IntervalsSim) -> dict[str, tuple[date, int]]:
    """Our events on the sim: key → (day, event id); fails on a duplicate."""
    found: dict[str, tuple[date, int]] = {}
    for event in sim.events():
        external = event.get("external_id") or ""
        if external.startswith(EXTERNAL_ID_PREFIX):
            key = external[len(EXTERNAL_ID_PREFIX) :]
            assert key not in found, f"{key} twice"
            found[key] = (date.fromisoformat(event["start_date_local"][:10]), event["id"])
    return found


def expected(days: list[tuple[date, Any]]) -> dict[str, date]:
    return {w.key: d for d, w in days}


def test_new_week_is_one_read_one_bulk_upsert_and_one_final_read(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    report = push(plan_of(week()), TODAY)
    assert report.ok, report.errors
    assert {k: d for k, (d, _) in ours(sim).items()} == expected(week())
    assert sim.counts() == {"reads": 2, "writes": 1, "total": 3}
    assert report.api_calls == {"reads": 2, "writes": 1, "total": 3}
    assert [r.path.rsplit("/", 1)[-1] for r in sim.requests] == ["events", "bulk", "events"]
    assert report.verified is not None
    assert report.verified["ok"]
    assert sorted(row[0] for row in report.applied) == ["create"] * len(week())


def test_the_uploaded_fit_file_decodes_to_the_planned_workout(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    push(plan_of(week()), TODAY)
    for key, (day, event_id) in ours(sim).items():
        workout = next(w for d, w in week() if w.key == key)
        data = sim.fit_file(event_id)
        assert data is not None
        # The SDK's decoder reads the file the sim kept; it says what the Garmin encoding says.
        assert differences(from_fit(data), from_garmin(encode(workout).payload)) == []
        assert sim.fit_messages(event_id)["workout_step_mesgs"]
        event = next(e for e in sim.events() if e["id"] == event_id)
        assert event["type"] == ("WeightTraining" if key == "w-strength" else "Run")
        assert event["filename"].startswith(day.isoformat())
        # intervals.icu reads "- ..." lines as its own steps: our description has none.
        assert not any(line.lstrip().startswith("-") for line in event["description"].splitlines())


def test_nothing_changed_costs_one_read_and_no_write(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    push(plan_of(week()), TODAY)
    sim.clear_log()
    report = push(plan_of(week()), TODAY)
    assert report.ok
    assert sim.counts() == {"reads": 1, "writes": 0, "total": 1}
    assert report.applied == []
    assert report.verified["ok"]


def test_one_change_is_written_alone_and_in_place(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    push(plan_of(week()), TODAY)
    before = ours(sim)
    changed = [(d, easy("w-easy", 10) if w.key == "w-easy" else w) for d, w in week()]
    sim.clear_log()
    report = push(plan_of(changed), TODAY)
    assert report.ok, report.errors
    assert [row[0] for row in report.applied] == ["update"]
    assert ours(sim) == before  # same event ids, same days
    assert sim.counts()["writes"] == 1
    assert "10" in next(e for e in sim.events() if e["id"] == before["w-easy"][1])["description"]


def test_a_moved_workout_keeps_its_event_and_a_dropped_one_is_deleted(
    sim: IntervalsSim, push: Callable[..., Any], store: Store
) -> None:
    push(plan_of(week()), TODAY)
    before = ours(sim)
    moved = [(d + timedelta(days=1) if w.key == "w-tempo" else d, w) for d, w in week()]
    moved = [(d, w) for d, w in moved if w.key != "w-hills"]
    sim.clear_log()
    report = push(plan_of(moved), TODAY)
    assert report.ok, report.errors
    after = ours(sim)
    assert "w-hills" not in after
    assert after["w-tempo"] == (TODAY + timedelta(days=6), before["w-tempo"][1])
    assert sorted(row[0] for row in report.applied) == ["delete", "move"]
    assert sim.counts() == {"reads": 2, "writes": 2, "total": 4}
    assert "w-hills" not in IntervalsLedger(store).all()  # the ledger forgot it at once


def test_the_runners_own_events_are_never_touched(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    own = [
        sim.add_own_event(TODAY + timedelta(days=1), "Club run"),
        sim.add_own_event(TODAY + timedelta(days=2), "Rest week", category="NOTE"),
        sim.add_own_event(TODAY + timedelta(days=3), "Other app", external_id="other:1"),
        # Our prefix on an event we did not make through the API, and on a note: not ours.
        sim.add_own_event(TODAY + timedelta(days=4), "Mimic", external_id="ampt-sync:w-easy"),
    ]
    snapshot = [e for e in sim.events() if e["id"] in own]
    push(plan_of(week()), TODAY)
    push(plan_of(week()[:2]), TODAY)  # most workouts dropped: deletes happen
    push(plan_of([]), TODAY)  # everything dropped
    assert [e for e in sim.events() if e["id"] in own] == snapshot
    assert len(sim.events()) == len(own)


def test_a_workout_the_runner_moved_or_deleted_is_put_back(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    push(plan_of(week()), TODAY)
    events = ours(sim)
    sim.move_directly(events["w-tempo"][1], TODAY + timedelta(days=4))
    sim.delete_directly(events["w-long"][1])
    report = push(plan_of(week()), TODAY)
    assert report.ok, report.errors
    assert {k: d for k, (d, _) in ours(sim).items()} == expected(week())
    assert sorted(row[0] for row in report.applied) == ["create", "move"]


def test_a_lost_ledger_makes_no_duplicate(
    sim: IntervalsSim, push: Callable[..., Any], store: Store
) -> None:
    push(plan_of(week()), TODAY)
    before = ours(sim)
    IntervalsLedger(store).replace({})
    report = push(plan_of(week()), TODAY)
    assert report.ok
    assert ours(sim) == before  # upserted by external id, in place


def test_a_lost_answer_to_the_upsert_is_resolved_by_a_read_not_a_resend(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    sim.fail("lost", method="POST", path="/events/bulk")
    report = push(plan_of(week()), TODAY)
    assert report.ok, report.errors
    assert {k: d for k, (d, _) in ours(sim).items()} == expected(week())
    # read, bulk (answer lost), read (all in place), final read: one write only.
    assert [(r.method, r.fault) for r in sim.requests] == [
        ("GET", None),
        ("POST", "lost"),
        ("GET", None),
        ("GET", None),
    ]
    sim.clear_log()
    assert push(plan_of(week()), TODAY).ok
    assert sim.counts()["writes"] == 0


def test_a_timed_out_upsert_is_read_then_sent_once_more(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    sim.fail("timeout", method="POST", path="/events/bulk", delay_s=0.6)
    report = push(plan_of(week()), TODAY)
    assert report.ok, report.errors
    assert {k: d for k, (d, _) in ours(sim).items()} == expected(week())
    assert [(r.method, r.fault) for r in sim.requests] == [
        ("GET", None),
        ("POST", "timeout"),
        ("GET", None),
        ("POST", None),
        ("GET", None),
    ]


def test_a_lost_delete_is_checked_by_a_read(sim: IntervalsSim, push: Callable[..., Any]) -> None:
    push(plan_of(week()), TODAY)
    sim.fail("lost", method="PUT", path="/bulk-delete")
    sim.clear_log()
    report = push(plan_of(week()[:3]), TODAY)
    assert report.ok, report.errors
    assert set(ours(sim)) == {w.key for _, w in week()[:3]}
    assert [r.method for r in sim.requests] == ["GET", "PUT", "GET", "GET"]


def test_two_unknown_outcomes_stop_the_push_and_the_next_one_finishes(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    sim.fail("status", status=502, method="POST", times=2)
    with pytest.raises(RemoteUnavailable) as caught:
        push(plan_of(week()), TODAY)
    partial = caught.value.push_report  # type: ignore[attr-defined]
    assert partial.stopped_by == "RemoteUnavailable"
    assert partial.api_calls["writes"] == 2
    report = push(plan_of(week()), TODAY)
    assert report.ok
    assert {k: d for k, (d, _) in ours(sim).items()} == expected(week())


def test_a_429_stops_at_once_and_the_next_push_writes_everything(
    sim: IntervalsSim, push: Callable[..., Any]
) -> None:
    sim.fail("status", status=429, method="POST", retry_after_s=120)
    started = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        push(plan_of(week()), TODAY)
    assert timedelta(seconds=110) < caught.value.retry_at - started < timedelta(seconds=130)
    assert sim.counts() == {"reads": 1, "writes": 1, "total": 2}  # no read, no retry after it
    assert ours(sim) == {}
    report = push(plan_of(week()), TODAY)
    assert report.ok
    assert len(ours(sim)) == len(week())


def test_a_wrong_key_is_an_auth_error_and_writes_nothing(
    sim: IntervalsSim, client: Callable[..., Any], store: Store
) -> None:
    want = desired_events(plan_of(week()), TODAY, 7, "km")
    with client(api_key="not-the-key-at-all") as c, pytest.raises(AuthError) as caught:
        push_events(want, TODAY, 7, IntervalsCalendar(c), IntervalsLedger(store))
    assert "auth intervals" in str(caught.value)
    assert sim.events() == []


def test_dry_run_reads_once_and_writes_nothing(sim: IntervalsSim, push: Callable[..., Any]) -> None:
    report = push(plan_of(week()), TODAY, dry_run=True)
    assert len(report.planned) == len(week())
    assert report.applied == []
    assert sim.counts() == {"reads": 1, "writes": 0, "total": 1}
