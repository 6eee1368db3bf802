"""The fault soak (issue 13): many simulated days of pushes under random faults, late writes,
refused and lost token refreshes, and kills, against the simulated Garmin through the real client.

Every cycle is one push with fresh objects (a new process, as far as the push can tell). Between
cycles the plan changes, days pass, and the runner works in Garmin Connect: their own workouts,
copies of ours ("Duplicate"), ours deleted or unscheduled by hand. After **every cycle that exits
0** these must hold, else it is a violation:

* the calendar's window holds exactly the plan's workouts (right day, right content, once each);
* no duplicate and no orphan of ours in the library (a late create, too);
* the runner's own workouts and copies, and their calendar entries, are all still there, unchanged;
* the stored tokens are usable (the access token accepted, the refresh token not spent).

Late writes are held for 1.2–2.5 × the request timeout: within what a push waits for them before
its final read. (One landing later still is found by the next push; see
``test_garmin_hostile.py``.) A lost token refresh leaves a spent refresh token, which the next
cycle reports as "re-login needed"; the soak then signs in again, as the runner would, and counts
it.

The short run is part of ``make test`` (about 30 s); ``make soak`` runs it long. Both print the
counts: cycles, faults injected by kind, kills, re-logins, violations, and the Garmin calls per
successful push beside its writes.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from garmin_helpers import desired, easy
from test_garmin_faults import HORIZON, TODAY, Killed, push_once

from ampt_sync.errors import AmptSyncError, ReloginNeeded
from ampt_sync.garmin.client import clear_relogin_needed
from ampt_sync.garmin.encode import parse_marker
from ampt_sync.garmin.reconcile import GarminLooksEmpty
from ampt_sync.secrets import GARMIN_TOKENS, TokenStore
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.store.db import Store
from ampt_sync.store.ledger import GarminLedger

CREATE = r"^/workout-service/workout$"
SCHEDULE = r"^/workout-service/schedule/\d+$"
REFRESH = r"^/di-oauth2-service/oauth/token$"

#: The request timeout of the soak's pushes: long enough that a loaded machine (two cores shared
#: by several test runs) does not time out where no fault was injected.
TIMEOUT_S = 0.3

#: The faults a cycle may meet, with their weights.
FAULTS = {
    "none": 30,
    "late_create": 8,
    "late_schedule": 8,
    "500": 5,
    "429": 3,
    "reset": 5,
    "lost": 5,
    "timeout": 4,
    "kill_before": 6,
    "kill_after": 6,
    "refresh_500": 3,
    "refresh_lost": 2,
    "refresh_refused": 1,
}


@dataclass
class Summary:
    cycles: int = 0
    ok_cycles: int = 0
    days: int = 0
    #: Faults armed per kind, and those that struck (a fault armed at a request the push never
    #: made does not strike).
    armed: Counter = field(default_factory=Counter)
    struck: Counter = field(default_factory=Counter)
    kills: int = 0
    relogins: int = 0
    violations: list[str] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)

    def line(self) -> str:
        injected = sum(self.struck.values())
        pushes = [(c, w) for c, w in zip(self.calls, self.writes, strict=True) if w]
        per_push = sum(c for c, _ in pushes) / len(pushes) if pushes else 0.0
        per_write = sum(c for c, _ in pushes) / max(1, sum(w for _, w in pushes))
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.struck.items()))
        return (
            f"soak: {self.cycles} cycles over {self.days} simulated days, {self.ok_cycles} exited "
            f"0; {injected} faults injected ({kinds}); {self.kills} kills; {self.relogins} "
            f"re-logins; {len(self.violations)} violations; Garmin calls per push that wrote: "
            f"{per_push:.1f} on average, {max((c for c, _ in pushes), default=0)} at most "
            f"({per_write:.2f} calls per write); steady pushes: "
            f"{max((c for c, w in zip(self.calls, self.writes, strict=True) if not w), default=0)}"
            " calls at most"
        )


class Soak:
    def __init__(self, sim: GarminSim, store: Store, tokens: TokenStore, seed: int) -> None:
        self.sim, self.store, self.tokens = sim, store, tokens
        self.rng = random.Random(seed)
        self.today = TODAY
        self.plan: dict[str, tuple[date, Any]] = {}
        self.serial = 0
        self.own: dict[int, int | None] = {}  # the runner's workout id -> its schedule id
        self.copies: dict[int, tuple[str, int | None]] = {}  # copy id -> (description, entry)
        self.summary = Summary()
        self.force = False

    # ---- the world ----------------------------------------------------------------------------

    def start(self) -> None:
        self.sim.reset()
        GarminLedger(self.store).forget_all()
        self.tokens.set(GARMIN_TOKENS, self.sim.token_json())
        for offset in (0, 1, 3, 5):
            self._add(offset)

    def _add(self, offset: int) -> None:
        self.serial += 1
        key = f"s-{self.serial}"
        self.plan[key] = (self.today + timedelta(days=offset), easy(key, 4 + self.serial % 9))

    def want(self) -> list:
        end = self.today + timedelta(days=HORIZON)
        return desired((d, w) for d, w in self.plan.values() if self.today <= d < end)

    def _ours_scheduled(self) -> list[tuple[int, int]]:
        workouts = self.sim.workouts
        return [
            (sid, wid)
            for sid, wid, _ in self.sim.schedules()
            if wid not in self.copies and parse_marker(workouts[wid].get("description"))
        ]

    def between_cycles(self) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            self.today += timedelta(days=1)
            self.summary.days += 1
            self._add(rng.randint(HORIZON - 2, HORIZON + 1))
        elif roll < 0.40:
            self._add(rng.randint(0, HORIZON + 1))
        elif roll < 0.50 and self.plan:
            key = rng.choice(sorted(self.plan))
            day, _ = self.plan[key]
            self.plan[key] = (day, easy(key, rng.randint(3, 20)))
        elif roll < 0.58 and self.plan:
            key = rng.choice(sorted(self.plan))
            day = self.today + timedelta(days=rng.randint(0, HORIZON))
            self.plan[key] = (day, self.plan[key][1])
        elif roll < 0.64 and self.plan:
            del self.plan[rng.choice(sorted(self.plan))]
        elif roll < 0.68:
            day = self.today + timedelta(days=rng.randint(0, HORIZON - 1))
            wid, sid = self.sim.add_own_workout("My own run", day)
            self.own[wid] = sid
        elif roll < 0.73:
            ours = self._ours_scheduled()
            if ours:
                _, wid = rng.choice(ours)
                day = self.today + timedelta(days=rng.randint(0, HORIZON - 1))
                copy_id, sid = self.sim.copy_directly(wid, day if rng.random() < 0.5 else None)
                self.copies[copy_id] = (self.sim.workouts[copy_id]["description"], sid)
        elif roll < 0.76:
            ours = self._ours_scheduled()
            if ours:
                sid, wid = rng.choice(ours)
                if rng.random() < 0.5:
                    self.sim.delete_directly(wid)
                else:
                    self.sim.unschedule_directly(sid)

    # ---- faults -------------------------------------------------------------------------------

    def arm(self, kind: str) -> Any:
        """Arm ``kind`` for the next cycle; the request hook for kills (else None)."""
        sim, rng = self.sim, self.rng
        late = rng.uniform(1.2, 2.5) * TIMEOUT_S
        if kind == "late_create":
            sim.fail("late", method="POST", path=CREATE, delay_s=late, after=rng.randint(0, 2))
        elif kind == "late_schedule":
            sim.fail("late", method="POST", path=SCHEDULE, delay_s=late, after=rng.randint(0, 2))
        elif kind in ("500", "429"):
            sim.fail("status", status=int(kind), after=rng.randint(0, 12))
        elif kind in ("reset", "lost"):
            sim.fail(kind, after=rng.randint(0, 12))
        elif kind == "timeout":
            sim.fail("timeout", after=rng.randint(0, 12), delay_s=3 * TIMEOUT_S)
        elif kind.startswith("refresh_"):
            self.tokens.set(GARMIN_TOKENS, sim.token_json(ttl_s=600))  # about to expire
            if kind == "refresh_500":
                sim.fail("status", status=500, path=REFRESH, times=5)
            elif kind == "refresh_lost":
                sim.fail("lost", path=REFRESH)
            else:
                sim.revoke_tokens(access=False, refresh=True)
        elif kind.startswith("kill"):
            position = rng.randint(1, 8)
            when = "before" if kind == "kill_before" else "after"
            calls = {"n": 0}

            def hook(method: str, url: str, moment: str) -> None:
                if moment == "before":
                    calls["n"] += 1
                if moment == when and calls["n"] == position:
                    raise Killed(f"killed {when} request {position}")

            return hook
        return None

    def wait_for_late_writes(self) -> None:
        """A write still held by the sim (the push was killed or stopped before its final read)
        lands within 2.5 timeouts; let it land before the next cycle, as it would on Garmin."""
        deadline = time.monotonic() + 5 * TIMEOUT_S
        while self.sim.late_in_flight() and time.monotonic() < deadline:
            time.sleep(0.01)

    # ---- a cycle ------------------------------------------------------------------------------

    def cycle(self) -> None:
        summary = self.summary
        summary.cycles += 1
        kind = self.rng.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
        summary.armed[kind] += 1
        self.sim.clear_faults()
        self.sim.clear_log()
        hook = self.arm(kind)
        want = self.want()
        report = None
        try:
            report = push_once(
                self.sim, self.store, self.tokens, want, self.today, on_request=hook,
                force=self.force, timeout_s=TIMEOUT_S,
            )
        except Killed:
            summary.kills += 1
            summary.struck[kind] += 1
        except ReloginNeeded:
            if kind == "refresh_refused":
                summary.struck[kind] += 1
            # What the runner does when told: sign in again.
            summary.relogins += 1
            self.sim.clear_faults()
            self.tokens.set(GARMIN_TOKENS, self.sim.token_json())
            clear_relogin_needed(self.store)
        except GarminLooksEmpty:
            self.force = True  # the runner removed all of ours by hand: they run push --force
        except AmptSyncError:
            pass
        self.wait_for_late_writes()
        if any(r.fault for r in self.sim.requests):
            summary.struck[kind] += 1
        self.sim.clear_faults()
        if report is not None and report.ok:
            self.force = False
            summary.ok_cycles += 1
            summary.calls.append(report.api_calls.get("total", 0))
            summary.writes.append(report.api_calls.get("writes", 0))
            for problem in self.check(want):
                summary.violations.append(f"cycle {summary.cycles} ({kind}): {problem}")

    def check(self, want: list) -> list[str]:
        sim = self.sim
        problems: list[str] = []
        end = self.today + timedelta(days=HORIZON)
        workouts = sim.workouts
        schedules = sim.schedules()
        ours = {
            wid: parse_marker(w.get("description"))
            for wid, w in workouts.items()
            if wid not in self.copies and parse_marker(w.get("description"))
        }
        entries = [(sid, wid, day) for sid, wid, day in schedules if wid in ours]
        found = sorted(
            (ours[wid][0], day, ours[wid][1]) for _, wid, day in entries if self.today <= day < end
        )
        expected = sorted((d.key, d.day, d.encoded.version) for d in want)
        if found != expected:
            problems.append(f"calendar holds {found}, the plan says {expected}")
        outside = [(wid, day) for _, wid, day in entries if not self.today <= day < end]
        if outside:
            problems.append(f"entries of ours outside the window: {outside}")
        keys = Counter(mark[0] for mark in ours.values())
        problems += [f"workout {k} exists {n} times" for k, n in keys.items() if n > 1]
        wanted = {d.key for d in want}
        problems += [f"orphan workout {k}" for k in keys if k not in wanted]
        scheduled = {sid for sid, _, _ in schedules}
        for wid, sid in self.own.items():
            if wid not in workouts or (sid is not None and sid not in scheduled):
                problems.append(f"the runner's own workout {wid} was touched")
        for wid, (description, sid) in self.copies.items():
            if workouts.get(wid, {}).get("description") != description:
                problems.append(f"the runner's copy {wid} was changed or deleted")
            if sid is not None and sid not in scheduled:
                problems.append(f"the runner's copy {wid} was unscheduled")
        stored = self.tokens.get(GARMIN_TOKENS)
        if not stored or not sim.tokens_usable(stored):
            problems.append("the stored Garmin tokens are not usable")
        return problems


def run_soak(
    sim: GarminSim, store: Store, tokens: TokenStore, *, seed: int, budget_s: float, cycles: int
) -> Summary:
    soak = Soak(sim, store, tokens, seed)
    soak.start()
    deadline = time.monotonic() + budget_s
    while soak.summary.cycles < cycles and time.monotonic() < deadline:
        soak.cycle()
        soak.between_cycles()
    return soak.summary


def _report(summary: Summary, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + summary.line())
        for violation in summary.violations[:20]:
            print("  " + violation)


def test_fault_soak_short(sim, store, token_store, capsys) -> None:
    summary = run_soak(sim, store, token_store, seed=13, budget_s=45, cycles=300)
    _report(summary, capsys)
    assert summary.violations == []
    assert summary.cycles >= 100
    assert summary.ok_cycles >= summary.cycles // 3
    assert {"late_create", "late_schedule", "kill_before", "kill_after"} <= set(summary.struck)


@pytest.mark.soak
def test_fault_soak_long(sim, store, token_store, capsys) -> None:
    summary = run_soak(sim, store, token_store, seed=2026, budget_s=900, cycles=3000)
    _report(summary, capsys)
    assert summary.violations == []
    assert summary.days >= 300
