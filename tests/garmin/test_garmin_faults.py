"""Fault injection: whatever fails, and wherever, Garmin ends up holding the plan exactly once.

The sweep puts one fault at every call position of a push that creates, updates, moves and
removes across a month boundary: an HTTP 429 or 500, a connection reset, a timeout, a write that
succeeds but whose answer is lost (dropped, or too late), three failures in a row (so that the
look-up after an unknown outcome fails too), and a process kill just before or just after a
request (raised out of the push; the next push starts with fresh objects over the same
simulated Garmin and the same store). After each fault, pushes run until one succeeds; then
Garmin's calendar for the window must equal the plan, with no duplicate and no orphan, and one
more push must write nothing.

The Hypothesis state machine mixes plan changes, days passing, the runner's own edits in Garmin
Connect and faults at random. It runs small in ``make test``; ``make soak`` runs it long.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

import pytest
from garmin_helpers import check_garmin_matches, desired, easy, library_workouts
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ampt_sync.errors import AmptSyncError
from ampt_sync.garmin.calendar import GarminCalendar
from ampt_sync.garmin.client import open_garmin
from ampt_sync.garmin.push import push_workouts
from ampt_sync.garmin.push_report import PushReport
from ampt_sync.garmin.reconcile import Desired, GarminLooksEmpty
from ampt_sync.secrets import GARMIN_TOKENS, TokenStore
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.store.db import Store
from ampt_sync.store.ledger import GarminLedger

HORIZON = 7
TODAY = date(2026, 11, 27)  # the window runs into December: two calendar reads
D = [TODAY + timedelta(days=i) for i in range(30)]
TIMEOUT_S = 0.2  # short, yet long enough for a loaded machine to answer a plain read

KINDS = (
    "429",
    "500",
    "reset",
    "reset_x3",  # the write and both tries of the look-up after it fail: the push stops
    "timeout",
    "lost",
    "lost_timeout",
    "kill_before",
    "kill_after",
)


class Killed(BaseException):
    """The process dies here (BaseException: nothing in the push may catch it)."""


def push_once(
    sim: GarminSim,
    store: Store,
    tokens: TokenStore,
    want: list[Desired],
    today: date,
    *,
    on_request: Any = None,
    force: bool = False,
    timeout_s: float = TIMEOUT_S,
) -> PushReport:
    """One push with fresh objects (a new process, as far as the push can tell)."""
    with open_garmin(
        tokens,
        store=store,
        base_url_override=sim.base_url,
        timeout_s=timeout_s,
        read_retries=1,
        retry_wait_s=(0.001, 0.002),
        on_request=on_request,
    ) as session:
        return push_workouts(
            want, today, HORIZON, GarminCalendar(session), GarminLedger(store), force=force
        )


def inject(sim: GarminSim, kind: str, position: int) -> Any:
    """Arm ``kind`` at the ``position``-th request (1-based) of the next push; returns the
    request hook for kills (else None)."""
    delay = 3 * TIMEOUT_S
    after = position - 1
    if kind == "429":
        sim.fail("status", status=429, after=after)
    elif kind == "500":
        sim.fail("status", status=500, after=after)
    elif kind in ("reset", "lost"):
        sim.fail(kind, after=after)
    elif kind == "reset_x3":
        sim.fail("reset", after=after, times=3)
    elif kind in ("timeout", "lost_timeout"):
        sim.fail(kind, after=after, delay_s=delay)
    else:
        calls = {"n": 0}
        when = "before" if kind == "kill_before" else "after"

        def hook(method: str, url: str, moment: str) -> None:
            if moment == "before":
                calls["n"] += 1
            if moment == when and calls["n"] == position:
                raise Killed(f"killed {when} request {position}")

        return hook
    return None


def settle(sim, store, tokens, want, today, *, attempts: int = 4) -> PushReport:
    """Push until a push succeeds (faults are one-shot). When the guard finds none of ours on
    Garmin (the runner removed them all by hand), push with force, as the runner would."""
    last: Exception | None = None
    force = False
    for _ in range(attempts):
        try:
            report = push_once(sim, store, tokens, want, today, force=force)
        except GarminLooksEmpty:
            force = True
            continue
        except AmptSyncError as exc:
            last = exc
            continue
        if report.ok:
            return report
        last = AssertionError(report.errors)
    raise AssertionError(f"no push succeeded: {last}")


def assert_converged(sim, store, tokens, want, today, own: int) -> None:
    problems = check_garmin_matches(sim, want, today, today + timedelta(days=HORIZON), own=own)
    assert problems == []
    sim.clear_log()
    again = push_once(sim, store, tokens, want, today)
    assert again.ok
    assert sim.counts()["writes"] == 0, [r for r in sim.requests if r.is_write]


def restore_ledger(store: Store, rows: dict) -> None:
    ledger = GarminLedger(store)
    ledger.forget_all()
    for entry in rows.values():
        ledger.put(entry)


# ------------------------------------------------------------------------------------------------
# the sweep: every fault at every call position


def before_and_after() -> tuple[list[Desired], list[Desired]]:
    lib = library_workouts()
    v1 = [
        (D[0], lib["easy"]),
        (D[1], lib["strength"]),
        (D[2], lib["intervals"]),
        (D[4], lib["hills_outdoor"]),
        (D[6], lib["long"]),
    ]
    v2 = [
        (D[0], lib["easy"]),  # unchanged
        (D[1], easy(lib["strength"].key, 5)),  # new content: update in place
        (D[5], lib["hills_outdoor"]),  # moved across the month end
        (D[6], lib["long"]),
        (D[3], lib["tempo"]),  # new: create
        # the intervals are dropped: remove
    ]
    return desired(v1), desired(v2)


def test_a_fault_at_any_call_of_a_push_never_leaves_a_duplicate_or_an_orphan(
    sim: GarminSim, store: Store, connected: TokenStore
) -> None:
    v1, v2 = before_and_after()
    sim.add_own_workout("Club run", D[2])
    sim.add_own_workout("Saved for later")
    assert push_once(sim, store, connected, v1, TODAY).ok
    base_sim, base_ledger = sim.snapshot(), GarminLedger(store).all()

    sim.clear_log()
    clean = push_once(sim, store, connected, v2, TODAY)
    assert clean.ok
    positions = len(sim.requests)
    assert positions >= 15  # the sweep covers reads and writes of every action kind

    checked = 0
    for kind in KINDS:
        for position in range(1, positions + 1):
            sim.restore(base_sim)
            restore_ledger(store, base_ledger)
            sim.clear_faults()
            hook = inject(sim, kind, position)
            report = None
            with contextlib.suppress(AmptSyncError, Killed):
                report = push_once(sim, store, connected, v2, TODAY, on_request=hook)
            sim.clear_faults()
            if report is None or not report.ok:
                settle(sim, store, connected, v2, TODAY)
            assert_converged(sim, store, connected, v2, TODAY, own=1)
            checked += 1
    assert checked == len(KINDS) * positions


def test_a_kill_during_the_first_push_of_a_new_week_is_recovered(
    sim: GarminSim, store: Store, connected: TokenStore
) -> None:
    _, v2 = before_and_after()
    for position in range(1, 25):
        sim.reset()
        GarminLedger(store).forget_all()
        hook = inject(sim, "kill_after", position)
        with contextlib.suppress(Killed):
            push_once(sim, store, connected, v2, TODAY, on_request=hook)
        settle(sim, store, connected, v2, TODAY)
        assert_converged(sim, store, connected, v2, TODAY, own=0)


def test_a_schedule_lost_to_a_kill_is_found_after_its_day_has_passed(
    sim: GarminSim, store: Store, connected: TokenStore
) -> None:
    """Found by the long soak: killed right after Garmin took a schedule (so its id was never
    stored), two days passing, then the session moved later. The next push must take the old
    entry along, not leave the workout on a past day and its new day both."""
    sim.reset()
    GarminLedger(store).forget_all()
    workout = easy("w-1", 6)

    def hook(method: str, url: str, moment: str) -> None:
        if moment == "after" and method == "POST" and "/workout-service/schedule/" in url:
            raise Killed("killed once Garmin took the schedule")

    with contextlib.suppress(Killed):
        push_once(sim, store, connected, desired([(TODAY, workout)]), TODAY, on_request=hook)
    assert [day for _, _, day in sim.schedules()] == [TODAY]
    later = TODAY + timedelta(days=2)
    settle(sim, store, connected, desired([(later + timedelta(days=2), workout)]), later)
    entries = [(wid, day) for _, wid, day in sim.schedules()]
    assert len(entries) == 1, entries
    assert entries[0][1] == later + timedelta(days=2)


# ------------------------------------------------------------------------------------------------
# the state machine: plan changes, days passing, edits by hand, faults, at random


class GarminSync(RuleBasedStateMachine):
    """The plan changes, days pass, the runner edits things in Garmin Connect, faults strike; after
    every push that succeeds, Garmin holds exactly the plan's window."""

    sim: GarminSim
    store: Store
    tokens: TokenStore

    def __init__(self) -> None:
        super().__init__()
        self.today = TODAY
        self.plan: dict[str, tuple[date, Any]] = {}
        self.serial = 0
        self.hook: Any = None
        self.own = 0
        self.pushes = 0

    @initialize()
    def start(self) -> None:
        self.sim.reset()
        GarminLedger(self.store).forget_all()
        self.tokens.set(GARMIN_TOKENS, self.sim.token_json())
        for offset in (0, 2, 4, 6):
            self._add(offset)

    def _add(self, offset: int) -> None:
        self.serial += 1
        key = f"w-{self.serial}"
        self.plan[key] = (self.today + timedelta(days=offset), easy(key, 5 + self.serial % 7))

    def _want(self) -> list[Desired]:
        end = self.today + timedelta(days=HORIZON)
        days = [(day, w) for day, w in self.plan.values() if self.today <= day < end]
        return desired(days)

    @rule(offset=st.integers(0, HORIZON + 2))
    def add_workout(self, offset: int) -> None:
        self._add(offset)

    @precondition(lambda self: self.plan)
    @rule(data=st.data(), km=st.integers(3, 20))
    def change_workout(self, data: st.DataObject, km: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.plan)))
        day, _ = self.plan[key]
        self.plan[key] = (day, easy(key, km))

    @precondition(lambda self: self.plan)
    @rule(data=st.data(), offset=st.integers(0, HORIZON + 2))
    def move_workout(self, data: st.DataObject, offset: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.plan)))
        self.plan[key] = (self.today + timedelta(days=offset), self.plan[key][1])

    @precondition(lambda self: self.plan)
    @rule(data=st.data())
    def drop_workout(self, data: st.DataObject) -> None:
        del self.plan[data.draw(st.sampled_from(sorted(self.plan)))]

    @rule()
    def a_day_passes(self) -> None:
        self.today += timedelta(days=1)

    @rule(offset=st.integers(0, HORIZON - 1))
    def runner_adds_their_own(self, offset: int) -> None:
        self.sim.add_own_workout("My own run", self.today + timedelta(days=offset))
        self.own += 1

    @rule(data=st.data(), delete=st.booleans())
    def runner_removes_one_of_ours(self, data: st.DataObject, delete: bool) -> None:
        ours = [
            (sid, wid)
            for sid, wid, _ in self.sim.schedules()
            if "ampt-sync" in (self.sim.workouts[wid].get("description") or "")
        ]
        if not ours:
            return
        sid, wid = data.draw(st.sampled_from(ours))
        if delete:
            self.sim.delete_directly(wid)
        else:
            self.sim.unschedule_directly(sid)

    @rule(kind=st.sampled_from(KINDS), position=st.integers(1, 12))
    def push_with_a_fault(self, kind: str, position: int) -> None:
        self.sim.clear_faults()
        hook = inject(self.sim, kind, position)
        with contextlib.suppress(AmptSyncError, Killed):
            push_once(self.sim, self.store, self.tokens, self._want(), self.today, on_request=hook)
        self.sim.clear_faults()

    @rule()
    def push(self) -> None:
        self.pushes += 1
        settle(self.sim, self.store, self.tokens, self._want(), self.today)
        self._check()

    def _check(self) -> None:
        end = self.today + timedelta(days=HORIZON)
        own = len(self.sim.calendar(self.today, end)) - len(self._want())
        problems = check_garmin_matches(self.sim, self._want(), self.today, end, own=own)
        assert problems == []

    @invariant()
    def never_a_duplicate_entry_of_ours(self) -> None:
        ours = [
            wid
            for _, wid, _ in self.sim.schedules()
            if "ampt-sync" in (self.sim.workouts[wid].get("description") or "")
        ]
        assert len(ours) == len(set(ours))


def _machine(sim: GarminSim, store: Store, tokens: TokenStore) -> type[GarminSync]:
    class Bound(GarminSync):
        pass

    Bound.sim, Bound.store, Bound.tokens = sim, store, tokens
    return Bound


def test_random_changes_and_faults_always_converge(
    sim: GarminSim, store: Store, token_store: TokenStore
) -> None:
    run_state_machine_as_test(
        _machine(sim, store, token_store),
        settings=settings(
            max_examples=6,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.mark.soak
def test_soak_random_changes_and_faults_always_converge(
    sim: GarminSim, store: Store, token_store: TokenStore
) -> None:
    run_state_machine_as_test(
        _machine(sim, store, token_store),
        settings=settings(
            max_examples=300,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
