"""The pure diff and check of the intervals.icu push (no network): which events are ours, what
is written, deleted, kept and forgotten."""

from __future__ import annotations

from datetime import date, timedelta

from garmin_helpers import easy

from ampt_sync.intervals.calendar import CalendarEvent
from ampt_sync.intervals.events import EXTERNAL_ID_PREFIX, desired_event, key_of
from ampt_sync.intervals.ledger import LedgerEntry
from ampt_sync.intervals.reconcile import check, reconcile, shows_as_sent

DAY = date(2026, 12, 7)
A = desired_event(easy("w-a", 8), DAY, "km")
B = desired_event(easy("w-b", 10), DAY + timedelta(days=2), "km")


def event(event_id: int, want, *, day: date | None = None, category: str = "WORKOUT"):
    return CalendarEvent(
        event_id=event_id,
        external_id=want.external_id,
        category=category,
        day=day or want.day,
        name=want.name,
        description=want.description,
    )


def ledger(*wants, content_hash: str | None = None) -> dict[str, LedgerEntry]:
    return {
        w.key: LedgerEntry(w.key, w.day, w.content_hash if content_hash is None else content_hash)
        for w in wants
    }


def test_external_ids_carry_the_key_and_nothing_else_is_ours() -> None:
    assert A.external_id == EXTERNAL_ID_PREFIX + "w-a"
    assert key_of(A.external_id) == "w-a"
    assert key_of("ampt-sync:") is None
    assert key_of("other:w-a") is None
    assert key_of(None) is None


def test_in_place_with_the_recorded_hash_is_left_alone() -> None:
    changes = reconcile([A, B], [event(1, A), event(2, B)], ledger(A, B))
    assert changes.unchanged == ("w-a", "w-b")
    assert changes.writes == 0


def test_a_changed_hash_a_missing_event_or_another_day_is_upserted() -> None:
    events = [event(1, A, day=DAY + timedelta(days=1))]
    changes = reconcile([A, B], events, ledger(A, B))
    assert [d.key for d in changes.upserts] == ["w-a", "w-b"]
    stale = reconcile([A], [event(1, A)], ledger(A, content_hash=""))
    assert [d.key for d in stale.upserts] == ["w-a"]
    assert changes.writes == 1


def test_ours_no_longer_planned_is_deleted_by_external_id_and_a_duplicate_by_id() -> None:
    events = [event(7, A), event(3, A), event(5, B)]
    changes = reconcile([A], events, ledger(A, B))
    assert changes.delete_external_ids == (B.external_id,)
    assert changes.delete_event_ids == (7,)  # the lowest id is kept
    assert [d.key for d in changes.upserts] == ["w-a"]  # one event of two is not "in place"
    assert changes.writes == 2


def test_events_that_are_not_ours_are_never_written_or_deleted() -> None:
    mine_as_note = event(1, A, category="NOTE")
    foreign = CalendarEvent(2, "other-app:1", "WORKOUT", DAY, "Club run")
    nothing = CalendarEvent(3, None, "WORKOUT", DAY, "My run")
    changes = reconcile([], [mine_as_note, foreign, nothing], {})
    assert changes.writes == 0
    assert check([], [mine_as_note, foreign, nothing]).ok


def test_ledger_entries_neither_planned_nor_there_are_forgotten() -> None:
    changes = reconcile([A], [event(1, A), event(2, B)], ledger(A, B))
    assert changes.forget == ()
    gone = reconcile([A], [event(1, A)], ledger(A, B))
    assert gone.forget == ("w-b",)


def test_the_check_names_what_is_missing_moved_duplicated_or_left_over() -> None:
    result = check([A, B], [event(1, A), event(2, A), event(3, B, day=DAY)])
    assert result.as_dict() == {
        "ok": False,
        "missing": [],
        "wrong_day": ["w-b"],
        "unexpected": [],
        "duplicates": ["w-a"],
    }
    assert check([A], [event(3, B)]).as_dict()["missing"] == ["w-a"]
    assert check([A], [event(1, A), event(3, B)]).as_dict()["unexpected"] == ["w-b"]


def test_shows_as_sent_needs_the_day_name_and_description() -> None:
    assert shows_as_sent(A, [event(1, A)])
    assert not shows_as_sent(A, [event(1, A, day=DAY + timedelta(days=1))])
    changed = CalendarEvent(1, A.external_id, "WORKOUT", A.day, A.name, "older steps")
    assert not shows_as_sent(A, [changed])
    assert not shows_as_sent(A, [event(1, A), event(2, A)])
