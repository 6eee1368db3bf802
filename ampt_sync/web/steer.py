"""The page's steering forms as plain data: a posted form → an :class:`Instruction`, and what
recording it did → the short note the next page shows.

Pure: no store, no clock (``today`` comes in), no Starlette. The handlers in
:mod:`ampt_sync.web.routes` check the CSRF token, call :func:`instruction_from_form`, run the
same service function of :mod:`ampt_sync.steering` the CLI runs (under the cycle lock, in a
thread), keep :func:`outcome_note` or :func:`refusal_note` in the session and redirect (303) to
the page the form was on, which shows the note once.

Forms (every field a string, as a browser posts it):

``move``   ``to``: the new day (ISO date).
``swap``   ``other``: the other day (ISO date).
``skip``   ``why``: optional, at most :data:`WHY_MAX_CHARS` characters.
``unwell`` ``days``: 1 to 14; ``level``: tired | ill. Always from today, as ``ampt-sync unwell``.
``unwell-end``  no field: the spell ends today.
``race``   ``distance``: 5k | 10k | half | marathon or metres; ``name`` optional;
           ``priority``: b | c.

The plan page's two forms change the config, as ``ampt-sync goal set`` and ``ampt-sync days``
do (:func:`settings_from_form`):

``goal``   ``distance``: as for a race; ``date``: the race day (ISO, from today on); ``race`` and
           ``target_time`` optional (``h:mm:ss``, checked as the config checks it).
``days``   ``run``: one field per run day (mon … sun, at least one); ``long``: one of them;
           ``from`` optional (ISO, from today on; empty is today): a later day records them
           pending, as ``ampt-sync days --from`` does (:func:`start_from_form`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import WEEKDAYS, Instruction, InstructionKind, Plan
from ampt_sync.instruction_bounds import UNWELL_LEVELS, UNWELL_MAX_DAYS
from ampt_sync.plan_text import day_label
from ampt_sync.training.instructions import summary
from ampt_sync.units import parse_race_distance_m

if TYPE_CHECKING:
    from ampt_sync.steering import Steered

#: The actions a day's forms post to (``/day/YYYY-MM-DD/<action>``).
DAY_ACTIONS = ("move", "swap", "skip", "unwell", "unwell-end", "race")
#: The plan page's forms that change the config (``/plan/<action>``).
SETTINGS_ACTIONS = {"goal": InstructionKind.GOAL, "days": InstructionKind.DAYS}
#: A skip's reason is kept with the instruction; longer text is refused, not cut.
WHY_MAX_CHARS = 200
#: How many days from today a move or swap form offers.
CHOICE_DAYS = 21
#: The note kept in the (signed cookie) session between the POST and the page: at most this many
#: change reasons, each at most :data:`NOTE_LINE_MAX_CHARS`, and at most
#: :data:`NOTE_MAX_JSON_BYTES` as the session's JSON (non-ASCII escaped), so the cookie stays
#: well under the 4 kB browsers keep whatever the runner typed.
NOTE_MAX_LINES = 6
NOTE_LINE_MAX_CHARS = 200
NOTE_MAX_JSON_BYTES = 1800
RACE_DISTANCES = ("5k", "10k", "half", "marathon")


class FormError(ValueError):
    """A form that cannot become an instruction; the message names the field and the fix."""


def _field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _iso_day(form: Mapping[str, Any], name: str, what: str) -> date:
    text = _field(form, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormError(f"{what} {text!r} is not a date; choose one from the list") from None


def instruction_from_form(
    action: str, day: date, form: Mapping[str, Any], today: date
) -> Instruction:
    """The instruction a day's form asks for, from the page (``source="web"``).

    Raises :class:`FormError` (one line, naming the field) for a form no browser of ours sends:
    an unknown action, a missing or malformed field. Whether the instruction fits the plan is
    for :func:`ampt_sync.steering.give_instruction` to say."""
    kind = InstructionKind
    try:
        if action == "move":
            to_day = _iso_day(form, "to", "the new day")
            if to_day == day:
                raise FormError("the new day is the session's own day; choose another day")
            return Instruction(kind.MOVE, day, today, source="web", to_day=to_day)
        if action == "swap":
            other = _iso_day(form, "other", "the other day")
            if other == day:
                raise FormError("the other day is this same day; choose another day")
            return Instruction(kind.SWAP, day, today, source="web", to_day=other)
        if action == "skip":
            why = " ".join(_field(form, "why").split())
            if len(why) > WHY_MAX_CHARS:
                raise FormError(f"the reason is longer than {WHY_MAX_CHARS} characters; shorten it")
            return Instruction(kind.SKIP, day, today, source="web", why=why)
        if action == "unwell":
            text = _field(form, "days")
            if not text.isdigit() or not 1 <= int(text) <= UNWELL_MAX_DAYS:
                raise FormError(f"days must be a whole number from 1 to {UNWELL_MAX_DAYS}")
            level = _field(form, "level")
            if level not in UNWELL_LEVELS:
                raise FormError(f"how you feel must be {' or '.join(UNWELL_LEVELS)}")
            return Instruction(kind.UNWELL, today, today, source="web", days=int(text), level=level)
        if action == "unwell-end":
            return Instruction(kind.UNWELL_END, today, today, source="web")
        if action == "race":
            try:
                distance_m = parse_race_distance_m(_field(form, "distance"))
            except ValueError as exc:
                raise FormError(str(exc)) from None
            priority = _field(form, "priority") or "b"
            if priority not in ("b", "c"):
                raise FormError("the race's priority must be b or c")
            name = " ".join(_field(form, "name").split())[:80]
            return Instruction(
                kind.RACE, day, today, source="web", distance_m=distance_m, name=name,
                priority=priority,
            )  # fmt: skip
    except ValueError as exc:  # Instruction's own checks, in case a form slips past ours
        if isinstance(exc, FormError):
            raise
        raise FormError(str(exc)) from None
    raise FormError(f"{action!r} is not something the page can do; reload the page")


def settings_from_form(
    action: str, form: Any, today: date
) -> tuple[InstructionKind, dict[str, object]]:
    """The config change the plan page's ``goal`` or ``days`` form asks for: the instruction's
    kind and the section's new values (``None`` removes a key), as the CLI's ``goal set`` and
    ``days`` make them. ``form`` is Starlette's form (``getlist`` for the run days). Raises
    :class:`FormError` naming the field; whether the config takes it is for
    :func:`ampt_sync.steering.change_settings` to say."""
    if action == "goal":
        try:
            parse_race_distance_m(_field(form, "distance"))
        except ValueError as exc:
            raise FormError(str(exc)) from None
        race_day = _iso_day(form, "date", "the race day")
        if race_day < today:
            raise FormError(f"the race day {race_day.isoformat()} is in the past; give a later one")
        return InstructionKind.GOAL, {
            "distance": _field(form, "distance"),
            "date": race_day,
            "race": " ".join(_field(form, "race").split())[:80] or None,
            "target_time": _field(form, "target_time") or None,
        }
    if action == "days":
        chosen = [d for d in form.getlist("run") if isinstance(d, str)]
        runs = [d for d in WEEKDAYS if d in chosen]
        if not runs or len(runs) != len(chosen):
            raise FormError("run days: tick at least one day of the week")
        long = _field(form, "long")
        if long not in runs:
            raise FormError("the long-run day must be one of your run days; tick it or pick one")
        return InstructionKind.DAYS, {"run_days": runs, "long_run_day": long}
    raise FormError(f"{action!r} is not something the page can do; reload the page")


def start_from_form(form: Any, today: date) -> date:
    """The day the days form's new run days start on: its ``from`` field, ``today`` when empty.
    Raises :class:`FormError` for a day that is not a date or is in the past."""
    if not _field(form, "from"):
        return today
    start = _iso_day(form, "from", "the first day of the new run days")
    if start < today:
        raise FormError(
            f"the first day {start.isoformat()} is in the past; give today or a later day"
        )
    return start


@dataclass(frozen=True)
class DayChoice:
    """One day a move or swap form offers: ISO value and the label shown."""

    value: str
    label: str


def day_choices(plan: Plan | None, day: date, today: date) -> tuple[DayChoice, ...]:
    """The days a session on ``day`` can go to: :data:`CHOICE_DAYS` days from today, inside the
    plan, not ``day`` itself."""
    if plan is None:
        return ()
    days = [d.day for d in plan.days()]
    if not days:
        return ()
    first, last = max(days[0], today), days[-1]
    end = min(last, today + timedelta(days=CHOICE_DAYS - 1))
    choices = []
    when = first
    while when <= end:
        if when != day:
            choices.append(DayChoice(when.isoformat(), day_label(when)))
        when += timedelta(days=1)
    return tuple(choices)


def _short(text: str) -> str:
    if len(text) <= NOTE_LINE_MAX_CHARS:
        return text
    return text[: NOTE_LINE_MAX_CHARS - 1].rstrip() + "…"


def outcome_note(steered: Steered) -> dict[str, Any]:
    """What recording (or taking back) an instruction did, for the next page: a title, the
    changes' reasons (at most :data:`NOTE_MAX_LINES`, and how many more), JSON-able."""
    ins = steered.instruction
    verb = "Taken back" if steered.undone else "Done"
    number = f" #{ins.id}" if ins.id is not None else ""
    reasons = [c.reason for c in steered.changes]
    if ins.pending and not steered.undone:
        reasons = [
            f"The plan follows them from {day_label(ins.day)}, when the config file is changed "
            "(by the first sync that day); until then nothing changes."
        ]
    elif not steered.days() and not reasons:
        reasons = ["The plan already holds this; nothing changed."]
    note: dict[str, Any] = {
        "ok": True,
        "title": _short(f"{verb}{number}: {summary(ins, steered.today)}."),
        "lines": [],
        "after": "Your watch gets it at the next sync." if steered.version is not None else "",
    }
    for reason in reasons[:NOTE_MAX_LINES]:
        note["lines"].append(_short(reason))
        if _json_bytes(note) > NOTE_MAX_JSON_BYTES:
            note["lines"].pop()
            break
    left = len(reasons) - len(note["lines"])
    if left:
        note["lines"].append(f"… and {left} more on the Changes page.")
    return note


def _json_bytes(note: dict[str, Any]) -> int:
    # Starlette's SessionMiddleware stores json.dumps (ASCII, escapes) in base64.
    return len(json.dumps(note))


def refusal_note(reason: str) -> dict[str, Any]:
    """A refused instruction in words: its one-line reason, never a traceback."""
    return {"ok": False, "title": _short(f"Not done: {reason}"), "lines": [], "after": ""}


@dataclass(frozen=True)
class InstructionView:
    """An instruction in force, as the page lists it."""

    id: int | None
    words: str
    given: str
    source: str


def instruction_views(found: Sequence[Instruction], today: date) -> tuple[InstructionView, ...]:
    return tuple(
        InstructionView(
            id=ins.id,
            words=summary(ins, today),
            given=day_label(ins.given_on),
            source="this page" if ins.source == "web" else "the command line",
        )
        for ins in found
    )
