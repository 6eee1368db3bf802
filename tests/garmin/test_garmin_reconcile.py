"""Reconcile on plain data: each branch of the decision table, no network, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from garmin_helpers import desired, easy

from ampt_sync.garmin.calendar import MarkedWorkout, ScheduledItem
from ampt_sync.garmin.reconcile import (
    Adopt,
    Create,
    GarminLooksEmpty,
    Move,
    Remove,
    Update,
    View,
    copies_seen,
    needs_library,
    reconcile,
)
from ampt_sync.store.ledger import LedgerEntry

TODAY = date(2026, 11, 10)
END = TODAY + timedelta(days=7)
D = [TODAY + timedelta(days=i) for i in range(10)]


def want(key: str = "w-a", day: date = D[1], km: float = 8):
    return desired([(day, easy(key, km))])[0]


def synced(item, workout_id: int = 11, schedule_id: int = 21) -> LedgerEntry:
    return LedgerEntry(item.key, workout_id, schedule_id, item.day, item.encoded.payload_hash)


def entry(workout_id: int = 11, schedule_id: int = 21, day: date = D[1]) -> ScheduledItem:
    return ScheduledItem(schedule_id, workout_id, day, "Easy 8 km")


def view(*items: ScheduledItem, marked: tuple[MarkedWorkout, ...] | None = None) -> View:
    return View(TODAY, END, tuple(items), marked)


def test_a_new_key_is_created() -> None:
    item = want()
    assert reconcile([item], {}, view(marked=())) == [Create(item)]


def test_nothing_changed_means_no_action() -> None:
    item = want()
    assert reconcile([item], {"w-a": synced(item)}, view(entry())) == []


def test_new_content_under_the_same_key_is_an_update_in_place() -> None:
    old, new = want(km=8), want(km=10)
    assert reconcile([new], {"w-a": synced(old)}, view(entry())) == [Update(new, 11)]


def test_a_new_day_under_the_same_key_is_a_move() -> None:
    old, new = want(day=D[1]), want(day=D[3])
    actions = reconcile([new], {"w-a": synced(old)}, view(entry(day=D[1])))
    assert actions == [Move("w-a", new.title, 11, (21,), to_day=D[3], from_day=D[1], desired=new)]


def test_a_key_no_longer_planned_is_unscheduled_and_deleted() -> None:
    item = want()
    actions = reconcile([], {"w-a": synced(item)}, view(entry()))
    assert actions == [Remove("w-a", "Easy 8 km", (11,), (21,), forget=True, day=D[1])]


def test_a_key_in_the_past_is_removed_by_its_ledger_ids() -> None:
    past = want(day=TODAY - timedelta(days=1))
    row = synced(past)
    (action,) = reconcile([], {"w-a": row}, view())
    assert action == Remove("w-a", "w-a", (11,), (21,), forget=True, day=past.day)


def test_the_runners_own_entries_are_not_even_considered() -> None:
    item = want()
    own = ScheduledItem(99, 98, D[1], "My tempo")
    marked_other = MarkedWorkout(97, "someone-elses", "0" * 12)
    actions = reconcile([item], {"w-a": synced(item)}, view(entry(), own))
    assert actions == []
    actions = reconcile([], {}, view(own, marked=()))
    assert actions == []
    # A marker is what makes a workout ours: an orphan of ours goes, theirs stays.
    assert reconcile([], {}, view(own, marked=(marked_other,))) == [
        Remove("someone-elses", "someone-elses", (97,), (), forget=True, day=None)
    ]


def test_a_missing_calendar_entry_is_scheduled_again() -> None:
    item = want()
    row = synced(item)
    actions = reconcile([item], {"w-a": row}, view())
    assert actions == [
        Adopt(LedgerEntry("w-a", 11, None, None, row.content_hash)),
        Move("w-a", item.title, 11, (), to_day=D[1], from_day=D[1], desired=item),
    ]


def test_a_duplicate_entry_of_ours_is_unscheduled() -> None:
    item = want()
    actions = reconcile([item], {"w-a": synced(item)}, view(entry(), entry(schedule_id=22)))
    assert actions == [Move("w-a", item.title, 11, (22,), to_day=None, from_day=D[1])]


def test_a_pending_create_found_by_its_marker_is_adopted_not_created_again() -> None:
    item = want()
    row = LedgerEntry("w-a", pending="create")
    found = MarkedWorkout(11, "w-a", item.encoded.version)
    actions = reconcile([item], {"w-a": row}, view(marked=(found,)))
    assert actions[0] == Adopt(LedgerEntry("w-a", 11, None, None, item.encoded.payload_hash))
    assert isinstance(actions[1], Move)
    assert actions[1].to_day == D[1]
    assert not any(isinstance(a, Create | Update) for a in actions)


def test_a_pending_schedule_found_on_the_calendar_is_adopted() -> None:
    item = want()
    row = LedgerEntry("w-a", 11, None, None, item.encoded.payload_hash, pending="schedule")
    found = MarkedWorkout(11, "w-a", item.encoded.version)
    actions = reconcile([item], {"w-a": row}, view(entry(), marked=(found,)))
    assert actions == [Adopt(synced(item))]


def test_a_pending_update_is_judged_by_the_version_in_the_marker() -> None:
    old, new = want(km=8), want(km=10)
    row = synced(old).but(pending="update")
    done = MarkedWorkout(11, "w-a", new.encoded.version)
    assert reconcile([new], {"w-a": row}, view(entry(), marked=(done,))) == [Adopt(synced(new))]
    not_done = MarkedWorkout(11, "w-a", old.encoded.version)
    actions = reconcile([new], {"w-a": row}, view(entry(), marked=(not_done,)))
    assert actions == [Adopt(synced(old)), Update(new, 11)]


def test_a_second_workout_of_a_key_whose_create_was_unsure_is_removed_and_the_ledgers_kept() -> (
    None
):
    item = want()
    copies = (MarkedWorkout(11, "w-a", item.encoded.version), MarkedWorkout(12, "w-a", "x" * 12))
    row = synced(item).but(pending="unsure-create")
    actions = reconcile([item], {"w-a": row}, view(entry(), entry(12, 22), marked=copies))
    assert actions == [
        Remove("w-a", item.title, (12,), (22,), forget=False, day=D[1]),
        Adopt(synced(item)),
    ]


def test_the_runners_copy_of_a_settled_workout_is_never_touched() -> None:
    item = want()
    copies = (MarkedWorkout(11, "w-a", item.encoded.version), MarkedWorkout(12, "w-a", "x" * 12))
    both = view(entry(), entry(12, 22), marked=copies)
    assert reconcile([item], {"w-a": synced(item)}, both) == []
    # nor when ours leaves the plan: only ours goes
    actions = reconcile([], {"w-a": synced(item)}, both)
    assert actions == [Remove("w-a", item.title, (11,), (21,), forget=True, day=D[1])]
    # and a tombstone keeps them the runner's after our row is gone
    tomb = LedgerEntry("w-a", pending="removed")
    assert reconcile([], {"w-a": tomb}, view(entry(12, 22), marked=copies[1:])) == []


def test_a_workout_whose_marker_is_gone_is_no_longer_ours() -> None:
    item = want()
    actions = reconcile([item], {"w-a": synced(item)}, view(entry(), marked=()))
    assert actions == [Create(item)]


def test_garmin_showing_none_of_the_expected_entries_is_refused_unless_forced() -> None:
    a, b = want("w-a", D[1]), want("w-b", D[2])
    ledger = {"w-a": synced(a, 11, 21), "w-b": synced(b, 12, 22)}
    with pytest.raises(GarminLooksEmpty, match="push --force"):
        reconcile([a, b], ledger, view())
    assert len(reconcile([a, b], ledger, view(), force=True)) == 4
    # one missing entry is just repaired
    assert reconcile([a, b], ledger, view(entry(11, 21, D[1])))


def test_actions_run_by_day_with_removals_first_and_past_ones_last() -> None:
    past = want("w-past", TODAY - timedelta(days=2))
    gone = want("w-gone", D[2])
    new_early, new_late = want("w-1", D[1]), want("w-3", D[3])
    same_day = want("w-2", D[2])
    ledger = {"w-past": synced(past, 1, 31), "w-gone": synced(gone, 2, 32)}
    actions = reconcile(
        [new_late, same_day, new_early], ledger, view(entry(2, 32, D[2]), marked=())
    )
    assert [a.key for a in actions] == ["w-1", "w-gone", "w-2", "w-3", "w-past"]


def test_the_library_is_read_only_when_something_may_exist_unrecorded() -> None:
    item = want()
    assert not needs_library([item], {"w-a": synced(item)})
    assert needs_library([item], {})
    assert needs_library([], {"w-a": synced(item).but(pending="schedule")})


def test_a_plan_outside_the_window_or_with_a_key_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        reconcile([want(day=D[9])], {}, view())
    with pytest.raises(ValueError, match="twice"):
        reconcile([want(), want()], {}, view())


def test_a_known_copy_is_never_adopted_while_a_create_of_its_key_is_in_flight() -> None:
    # Found by the fault soak: the runner copied ours, then deleted ours; the re-create's answer
    # was lost and the process killed. The copy must not become "ours".
    item = want()
    copy = MarkedWorkout(12, "w-a", item.encoded.version)
    row = LedgerEntry("w-a", pending="create")
    seen = view(entry(12, 22), marked=(copy,))
    assert reconcile([item], {"w-a": row}, seen, copies={"w-a": frozenset({12})}) == [Create(item)]


def test_copies_seen_keeps_known_copies_still_listed_and_adds_new_ones() -> None:
    item = want()
    ledger = {"w-a": synced(item), "w-b": LedgerEntry("w-b", pending="create")}
    marked = (
        MarkedWorkout(11, "w-a", "v"),  # ours
        MarkedWorkout(12, "w-a", "v"),  # a new copy of a settled key
        MarkedWorkout(13, "w-b", "v"),  # a create in flight: may be ours, not a copy
    )
    known = {"w-a": frozenset({14}), "w-c": frozenset({15})}  # 14 and 15 deleted since
    assert copies_seen(ledger, view(marked=marked), known) == {"w-a": frozenset({12})}
    assert copies_seen(ledger, view(), known) == known  # the library was not read
