"""The pure part of the page's steering: a posted form → an instruction, and what recording it
did → the note the next page shows (small enough for the signed session cookie)."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest

from ampt_sync.demo import DemoState
from ampt_sync.domain import Change, Instruction, InstructionKind
from ampt_sync.steering import Steered
from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan
from ampt_sync.web.steer import (
    CHOICE_DAYS,
    NOTE_MAX_LINES,
    FormError,
    day_choices,
    instruction_from_form,
    outcome_note,
    refusal_note,
)

TODAY = date(2026, 12, 7)
DAY = date(2026, 12, 9)


def test_each_form_becomes_the_instruction_the_cli_would_give_from_the_web() -> None:
    move = instruction_from_form("move", DAY, {"to": "2026-12-10"}, TODAY)
    assert (move.kind, move.day, move.to_day, move.source) == (
        InstructionKind.MOVE,
        DAY,
        date(2026, 12, 10),
        "web",
    )
    swap = instruction_from_form("swap", DAY, {"other": "2026-12-12"}, TODAY)
    assert (swap.kind, swap.to_day) == (InstructionKind.SWAP, date(2026, 12, 12))
    skip = instruction_from_form("skip", DAY, {"why": " a  late\nmeeting "}, TODAY)
    assert (skip.kind, skip.why) == (InstructionKind.SKIP, "a late meeting")
    unwell = instruction_from_form("unwell", DAY, {"days": "5", "level": "ill"}, TODAY)
    # unwell always starts today, whichever day's page it came from (as `ampt-sync unwell`)
    assert (unwell.kind, unwell.day, unwell.days, unwell.level) == (
        InstructionKind.UNWELL,
        TODAY,
        5,
        "ill",
    )
    end = instruction_from_form("unwell-end", DAY, {}, TODAY)
    assert (end.kind, end.day) == (InstructionKind.UNWELL_END, TODAY)
    race = instruction_from_form(
        "race", DAY, {"distance": "10k", "name": " Club  10K ", "priority": "c"}, TODAY
    )
    assert (race.kind, race.distance_m, race.name, race.priority) == (
        InstructionKind.RACE,
        10000,
        "Club 10K",
        "c",
    )
    for ins in (move, swap, skip, unwell, end, race):
        assert ins.source == "web"
        assert ins.given_on == TODAY


@pytest.mark.parametrize(
    ("action", "form", "words"),
    [
        ("move", {"to": ""}, "the new day '' is not a date"),
        ("move", {"to": "2026-12-09"}, "the session's own day"),
        ("swap", {"other": "tomorrow"}, "the other day 'tomorrow' is not a date"),
        ("skip", {"why": "x" * 201}, "longer than 200 characters"),
        ("unwell", {"days": "0", "level": "tired"}, "from 1 to 14"),
        ("unwell", {"days": "3", "level": "grumpy"}, "tired or ill"),
        ("race", {"distance": "far"}, "expected 5k, 10k, half, marathon or metres"),
        ("race", {"distance": "5k", "priority": "a"}, "b or c"),
        ("jump", {}, "not something the page can do"),
    ],
)
def test_a_malformed_form_is_refused_naming_the_field(
    action: str, form: dict[str, str], words: str
) -> None:
    with pytest.raises(FormError, match=words.replace("(", r"\(").replace(")", r"\)")):
        instruction_from_form(action, DAY, form, TODAY)


def test_a_long_outcome_fits_in_the_session_cookie(demo: DemoState) -> None:
    store = open_store(demo.settings.database_url(demo.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    assert plan is not None
    today = plan.weeks[0].days[0].day
    instruction = Instruction(
        InstructionKind.SKIP, today, today, source="web", why="é" * 200, id=41
    )
    changes = tuple(Change(today, f"k{n}", "→ a reason with words " * 30) for n in range(40))
    note = outcome_note(Steered(instruction, plan, plan, changes, 7, today))
    shown = len(note["lines"]) - 1
    assert 1 <= shown <= NOTE_MAX_LINES
    assert note["lines"][-1] == f"… and {40 - shown} more on the Changes page."
    assert note["title"].startswith("Done #41: skip")
    # Starlette's session cookie: base64 of the JSON, plus a signature; browsers keep 4 kB.
    session = {"note": note, "csrf": "x" * 43, "signed_in_at": "2026-12-07T19:30:00+00:00"}
    cookie = base64.b64encode(json.dumps(session).encode())
    assert len(cookie) < 3500
    # ASCII reasons: the first ones are shown in full, as many as fit
    plain = tuple(Change(today, f"k{n}", f"Reason {n}.") for n in range(3))
    note = outcome_note(Steered(instruction, plan, plan, plain, 7, today))
    assert note["lines"] == ["Reason 0.", "Reason 1.", "Reason 2."]


def test_nothing_changed_and_refusals_are_said_in_words(demo: DemoState) -> None:
    store = open_store(demo.settings.database_url(demo.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    assert plan is not None
    today = plan.weeks[0].days[0].day
    instruction = Instruction(InstructionKind.SKIP, today, today, source="web", id=3)
    note = outcome_note(Steered(instruction, plan, plan, (), None, today))
    assert note["lines"] == ["The plan already holds this; nothing changed."]
    assert note["after"] == ""
    refused = refusal_note("2026-12-01 is in the past; give a day from today (2026-12-07) on")
    assert refused == {
        "ok": False,
        "title": "Not done: 2026-12-01 is in the past; give a day from today (2026-12-07) on",
        "lines": [],
        "after": "",
    }


def test_day_choices_are_the_next_weeks_inside_the_plan_but_the_day_itself(
    demo: DemoState,
) -> None:
    store = open_store(demo.settings.database_url(demo.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    assert plan is not None
    today = demo.now.astimezone(demo.settings.zone()).date()
    day = today + timedelta(days=2)
    values = [c.value for c in day_choices(plan, day, today)]
    expected = [(today + timedelta(days=n)).isoformat() for n in range(CHOICE_DAYS) if n != 2]
    assert values == expected
    assert day_choices(None, day, today) == ()
