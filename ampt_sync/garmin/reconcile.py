"""Reconcile: the pure diff between the plan's workouts and what Garmin holds of ours.

:func:`reconcile` is the only public decision of the push, and it does no I/O: given the desired
workouts for ``[first, end)`` (``first`` is today), the ledger and Garmin's current view, it
returns the complete list of :data:`Action` before anything is written (vdirsyncer's
``_get_actions``; cosmicpython's ``determine_actions``).

Vocabulary (see also :mod:`ampt_sync.domain`):

*key*
    The stable identity of a planned workout; the only thing matched on. Names are not unique on
    Garmin and days change.
*ours*
    A Garmin workout is ours when the ledger says we created it, or when its description carries
    our marker (:func:`ampt_sync.garmin.encode.parse_marker`) and the ledger cannot say which
    workout of that key is ours (no row, a create whose outcome is or was unknown). Calendar
    entries are ours when they show a workout of ours. Nothing else is ever touched: the runner's
    own workouts and entries are not even looked at twice.
*copy*
    A workout carrying the marker of a key whose ledger row names another, settled workout: the
    runner duplicated ours in Garmin Connect. Copies are never changed, unscheduled or deleted.
    When a key is removed, its row stays as a tombstone (``pending == "removed"``) while copies of
    it may exist, so that they are not mistaken later for orphans of ours.
*version*
    The payload-hash prefix a Garmin workout was written with: from its marker when the library
    was read, else from the ledger. A workout whose version differs from the plan's is rewritten.

The decision table, per key (each branch in :func:`_decide` says why):

======================================  =================================================
plan wants it, Garmin has none of ours  Create (upload, then schedule)
plan wants it, Garmin has one           Update if its version differs; Move if its entry
                                        is on another day or missing; duplicates of the
                                        entry are unscheduled
plan wants it, Garmin has several       keep the ledger's, Remove the others (a lost answer
                                        once created it twice)
plan no longer wants it (dropped,       Remove: unschedule every entry, delete the workout,
moved out of the window, or past)       forget the ledger row
ledger and Garmin disagree on ids       Adopt: the ledger learns what Garmin shows (no write)
======================================  =================================================

The guard: when the ledger expects at least :data:`GUARD_MIN_ENTRIES` of our entries in the
window and Garmin's calendar shows none of them, something larger is wrong (another Garmin
account, or everything deleted by hand); :class:`GarminLooksEmpty` is raised unless
``force=True``, instead of re-creating the whole window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ampt_sync.errors import RemoteError
from ampt_sync.garmin.calendar import MarkedWorkout, ScheduledItem
from ampt_sync.garmin.encode import Encoded
from ampt_sync.store.ledger import LedgerEntry

#: The guard needs at least this many expected calendar entries before it judges.
GUARD_MIN_ENTRIES = 2

#: ``pending`` of a row whose create's outcome is (or was, in this push) unknown: a late copy of
#: ours may exist, so other workouts carrying its marker are ours to remove, not the runner's.
CREATE_UNSURE = frozenset({"create", "unsure-create"})
#: ``pending`` of a removed key's tombstone (see *copy* above). Settled: not a write in flight.
TOMBSTONE = "removed"


class GarminLooksEmpty(RemoteError):
    """Garmin shows none of the calendar entries the ledger expects (vdirsyncer's StorageEmpty)."""


@dataclass(frozen=True, slots=True)
class Desired:
    """A workout the plan wants on Garmin on ``day``, already encoded."""

    key: str
    day: date
    encoded: Encoded

    @property
    def title(self) -> str:
        return self.encoded.name


@dataclass(frozen=True, slots=True)
class View:
    """Garmin as read for this push: the calendar entries on days ``first <= day < end``, and
    the workouts carrying our marker (``None`` when the library was not read)."""

    first: date
    end: date
    scheduled: tuple[ScheduledItem, ...] = ()
    marked: tuple[MarkedWorkout, ...] | None = None

    def in_window(self, day: date | None) -> bool:
        return day is not None and self.first <= day < self.end


@dataclass(frozen=True, slots=True)
class Create:
    """Upload ``desired`` and schedule it on its day."""

    desired: Desired

    @property
    def key(self) -> str:
        return self.desired.key


@dataclass(frozen=True, slots=True)
class Update:
    """Rewrite workout ``workout_id`` in place with ``desired``; its id and entries stay."""

    desired: Desired
    workout_id: int

    @property
    def key(self) -> str:
        return self.desired.key


@dataclass(frozen=True, slots=True)
class Move:
    """Unschedule the entries ``unschedule``; then, if ``to_day`` is set, schedule the workout
    there (``from_day`` is where it was, when known). ``desired`` is the plan's workout, to
    create again should the workout turn out to be gone."""

    key: str
    title: str
    workout_id: int
    unschedule: tuple[int, ...]
    to_day: date | None
    from_day: date | None = None
    desired: Desired | None = None


@dataclass(frozen=True, slots=True)
class Remove:
    """Unschedule ``schedule_ids`` and delete ``workout_ids``; with ``forget``, drop the
    ledger row as well (without it, only duplicates go). ``day`` is where it was, if known."""

    key: str
    title: str
    workout_ids: tuple[int, ...]
    schedule_ids: tuple[int, ...]
    forget: bool = True
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Adopt:
    """No write: the ledger row becomes ``entry``, which is what Garmin shows."""

    entry: LedgerEntry

    @property
    def key(self) -> str:
        return self.entry.key


Action = Create | Update | Move | Remove | Adopt


def needs_library(desired: Sequence[Desired], ledger: Mapping[str, LedgerEntry]) -> bool:
    """Whether this push must list Garmin's workout library (one more read).

    Only when something may exist on Garmin that the ledger does not record: a write whose
    outcome is unknown (``pending``), or a workout about to be created (it may exist already if
    the ledger was lost or a create's answer was). A steady push never needs it.
    """
    if any(entry.pending and entry.pending != TOMBSTONE for entry in ledger.values()):
        return True
    return any(d.key not in ledger or ledger[d.key].garmin_workout_id is None for d in desired)


def _settled(entry: LedgerEntry | None) -> bool:
    """Whether ``entry`` names the one workout of ours for its key (or is a tombstone), so that
    any other workout carrying the key's marker is the runner's copy."""
    return (
        entry is not None
        and entry.pending not in CREATE_UNSURE
        and (entry.garmin_workout_id is not None or entry.pending == TOMBSTONE)
    )


def copies_seen(
    ledger: Mapping[str, LedgerEntry],
    view: View,
    known: Mapping[str, frozenset[int]],
) -> dict[str, frozenset[int]]:
    """The runner's copies after this view: ``known`` ones still in the library (when it was
    read), plus every marked workout of a settled key other than the ledger's. Pure."""
    if view.marked is None:
        return dict(known)
    present = {m.workout_id for m in view.marked}
    out: dict[str, set[int]] = {key: set(ids) & present for key, ids in known.items()}
    for workout in view.marked:
        entry = ledger.get(workout.key)
        if entry is not None and _settled(entry) and workout.workout_id != entry.garmin_workout_id:
            out.setdefault(workout.key, set()).add(workout.workout_id)
    return {key: frozenset(ids) for key, ids in out.items() if ids}


def reconcile(
    desired: Sequence[Desired],
    ledger: Mapping[str, LedgerEntry],
    view: View,
    *,
    force: bool = False,
    copies: Mapping[str, frozenset[int]] | None = None,
) -> list[Action]:
    """Every action that makes Garmin's window ``[view.first, view.end)`` hold exactly the plan.

    ``desired`` must lie in the window and have unique keys (``ValueError`` otherwise). Actions
    come ordered for a push that may stop early (a 429): days in date order, on each day the
    removals first; removals outside the window (past days) last. Raises
    :class:`GarminLooksEmpty` (see the module docstring) unless ``force``.
    """
    wanted: dict[str, Desired] = {}
    for item in desired:
        if item.key in wanted:
            raise ValueError(f"the plan holds workout {item.key} twice")
        if not view.in_window(item.day):
            raise ValueError(f"workout {item.key} on {item.day} is outside the push window")
        wanted[item.key] = item
    if not force:
        _guard(ledger, view)
    by_workout: dict[int, list[ScheduledItem]] = defaultdict(list)
    for entry in view.scheduled:
        by_workout[entry.workout_id].append(entry)
    # Why: the runner's copies are never ours, whatever the ledger says now (a create in flight).
    foreign = copies_seen(ledger, view, copies or {})
    marked: dict[str, list[MarkedWorkout]] = defaultdict(list)
    for workout in view.marked or ():
        if workout.workout_id not in foreign.get(workout.key, frozenset()):
            marked[workout.key].append(workout)
    keys = sorted(set(wanted) | set(ledger) | set(marked))
    ranked: list[tuple[tuple[int, date, int, str, int], Action]] = []
    for key in keys:
        for index, action in enumerate(
            _decide(key, wanted.get(key), ledger.get(key), marked.get(key, []), view, by_workout)
        ):
            ranked.append((_rank(action, view, key, index), action))
    return [action for _, action in sorted(ranked, key=lambda pair: pair[0])]


def _guard(ledger: Mapping[str, LedgerEntry], view: View) -> None:
    expected = [
        e
        for e in ledger.values()
        if e.pending is None and e.schedule_id is not None and view.in_window(e.scheduled_day)
    ]
    if len(expected) < GUARD_MIN_ENTRIES:
        return
    seen_entries = {item.schedule_id for item in view.scheduled}
    seen_workouts = {item.workout_id for item in view.scheduled}
    if any(e.schedule_id in seen_entries or e.garmin_workout_id in seen_workouts for e in expected):
        return
    raise GarminLooksEmpty(
        f"Garmin's calendar shows none of the {len(expected)} workouts ampt-sync put there "
        f"between {view.first} and {view.end} (deleted in Garmin Connect, or another Garmin "
        "account?); nothing was changed. To put the plan back, run `ampt-sync push --force`"
    )


def _rank(action: Action, view: View, key: str, index: int) -> tuple[int, date, int, str, int]:
    if isinstance(action, Remove):
        if view.in_window(action.day):
            return (0, action.day, 0, key, index)  # type: ignore[arg-type]
        return (1, action.day or date.min, 0, key, index)
    if isinstance(action, Create | Update):
        day = action.desired.day
    elif isinstance(action, Move):
        day = action.to_day or action.from_day or view.first
    else:
        day = action.entry.scheduled_day if view.in_window(action.entry.scheduled_day) else None
        day = day or view.first
    return (0, day, 1, key, index)


def _title(key: str, marked: Sequence[MarkedWorkout], entries: Sequence[ScheduledItem]) -> str:
    for item in entries:
        if item.title:
            return item.title
    for workout in marked:
        if workout.name:
            return workout.name
    return key


def _decide(
    key: str,
    want: Desired | None,
    entry: LedgerEntry | None,
    marked: Sequence[MarkedWorkout],
    view: View,
    by_workout: Mapping[int, Sequence[ScheduledItem]],
) -> list[Action]:
    # Which Garmin workouts are ours for this key: the ledger's first, then any found by marker.
    workout_ids: list[int] = []
    # When the library was read and no longer holds the ledger's workout with our marker
    # (deleted in Garmin Connect, or the runner took our marker off), it is not ours any more.
    if (
        entry is not None
        and entry.garmin_workout_id is not None
        and entry.pending != TOMBSTONE
        and (view.marked is None or any(m.workout_id == entry.garmin_workout_id for m in marked))
    ):
        workout_ids.append(entry.garmin_workout_id)
    # Why: a settled ledger row (or a tombstone) names the one workout of ours for this key; any
    # other carrying its marker is the runner's copy. Without a row, or while a create's outcome
    # is unknown, every marked one is ours (a lost answer or a late create made it).
    if not _settled(entry):
        for workout in marked:
            if workout.workout_id not in workout_ids:
                workout_ids.append(workout.workout_id)
    marked = [m for m in marked if m.workout_id in workout_ids]
    if entry is not None and entry.pending == TOMBSTONE:
        if want is None:
            return []  # removed already; only copies (never ours) can be left
        entry = None
    entries = [item for wid in workout_ids for item in by_workout.get(wid, ())]
    # The ledger's entry outside the window is invisible in this view but may still exist.
    hidden: list[int] = []
    if (
        entry is not None
        and entry.schedule_id is not None
        and not view.in_window(entry.scheduled_day)
        and all(item.schedule_id != entry.schedule_id for item in entries)
    ):
        hidden.append(entry.schedule_id)

    if want is None:
        if not (workout_ids or entries or hidden or entry):
            return []
        # Why: the plan no longer has this workout in the window (dropped, moved beyond the
        # horizon, or its day has passed), so nothing of it may stay on Garmin.
        day = entry.scheduled_day if entry is not None else None
        if day is None and entries:
            day = entries[0].day
        return [
            Remove(
                key=key,
                title=_title(key, marked, entries),
                workout_ids=tuple(workout_ids),
                schedule_ids=tuple(item.schedule_id for item in entries) + tuple(hidden),
                forget=True,
                day=day,
            )
        ]

    if not workout_ids:
        # Why: planned, and Garmin holds no workout of ours for it (a new key, a create that never
        # happened, or ours was deleted by hand): upload it and put it on its day.
        return [Create(want)]

    actions: list[Action] = []
    keep, extras = workout_ids[0], workout_ids[1:]
    if extras:
        # Why: a create whose answer was lost left a second copy; one workout per key.
        extra_entries = [item for item in entries if item.workout_id in extras]
        actions.append(
            Remove(
                key=key,
                title=want.title,
                workout_ids=tuple(extras),
                schedule_ids=tuple(item.schedule_id for item in extra_entries),
                forget=False,
                day=want.day,
            )
        )
    kept_entries = [item for item in entries if item.workout_id == keep]

    version = _version(keep, entry, marked)
    current = version == want.encoded.version
    on_day = [item for item in kept_entries if item.day == want.day]
    stay = next(
        (item for item in on_day if entry is not None and item.schedule_id == entry.schedule_id),
        on_day[0] if on_day else None,
    )
    others = [item.schedule_id for item in kept_entries if item is not stay] + hidden

    # Until it is unscheduled, the ledger keeps the entry it knows (even on another day or
    # outside the window), so that a push stopped half-way still finds it.
    tracked = stay
    if tracked is None and entry is not None and entry.schedule_id is not None:
        if entry.schedule_id in hidden:
            tracked = ScheduledItem(entry.schedule_id, keep, entry.scheduled_day)  # type: ignore[arg-type]
        else:
            tracked = next((i for i in kept_entries if i.schedule_id == entry.schedule_id), None)
    if current:
        content_hash = want.encoded.payload_hash
    elif entry is not None and version is not None and entry.content_hash[:12] == version:
        content_hash = entry.content_hash  # what Garmin holds; the Update below replaces it
    else:
        content_hash = ""
    resolved = LedgerEntry(
        key=key,
        garmin_workout_id=keep,
        schedule_id=None if tracked is None else tracked.schedule_id,
        scheduled_day=None if tracked is None else tracked.day,
        content_hash=content_hash,
        pending=None,
    )
    if resolved != entry:
        # Why: the ledger is behind Garmin (a write whose answer was lost, an entry moved or
        # removed in Garmin Connect); what Garmin shows is the truth from here on.
        actions.insert(0, Adopt(resolved))
    if not current:
        # Why: the plan changed what reaches the watch (or we cannot tell what Garmin holds):
        # rewrite it in place, which keeps its id and its calendar entry.
        actions.append(Update(want, keep))
    if stay is None:
        # Why: the workout is on another day, or on none: move it to the planned day.
        from_day = kept_entries[0].day if kept_entries else None
        if from_day is None and entry is not None:
            from_day = entry.scheduled_day
        actions.append(
            Move(
                key,
                want.title,
                keep,
                tuple(others),
                to_day=want.day,
                from_day=from_day,
                desired=want,
            )
        )
    elif others:
        # Why: the same workout sits on the calendar more than once (schedule is not
        # idempotent); keep one entry.
        actions.append(Move(key, want.title, keep, tuple(others), to_day=None, from_day=want.day))
    return actions


def _version(
    workout_id: int, entry: LedgerEntry | None, marked: Sequence[MarkedWorkout]
) -> str | None:
    for workout in marked:
        if workout.workout_id == workout_id:
            return workout.version
    if (
        entry is not None
        and entry.garmin_workout_id == workout_id
        and entry.pending not in ("create", "update")
        and entry.content_hash
    ):
        return entry.content_hash[:12]
    return None
