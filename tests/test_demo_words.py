"""The demo's words for a runner, as pure functions: a workout in full (the page's words, as text
lines) and the closing summary (what was run, what changed, what is on the watch now)."""

from __future__ import annotations

from datetime import date

from ampt_sync.demo import DemoDay, DemoRun, summary_lines
from ampt_sync.domain import Paces
from ampt_sync.plan_text import flat_steps, step_text, workout_lines, workout_summary
from ampt_sync.training.library import intervals, strength_circuit

PACES = Paces(easy=(329, 370), marathon=304, threshold=283, interval=260, repetition=240)
MILE_M = 1609.344


def test_a_workout_in_full_reads_as_the_page_says_it() -> None:
    workout = intervals("w-1", PACES, weekly_distance_m=50_000, rep_m=800, reps=5, units="mi")
    lines = workout_lines(workout, "mi")
    assert lines[0] == workout.title
    assert lines[1] == "  " + workout_summary(workout, "mi")
    assert " · " in lines[1]
    assert lines[1].endswith("/mi")  # the session's pace
    repeat = next(i for i, line in enumerate(lines) if line == "  - 5 ×")
    # the repeated steps, nested one level deeper, in step_text's words
    assert lines[repeat + 1].startswith("    - Run 800 m at ")
    assert any(line.startswith("  - Warm-up ") for line in lines[2:repeat])
    first_note = workout.notes.splitlines()[0].strip()
    assert f"  {first_note}" in lines
    spoken = {step_text(s, "mi") for s in flat_steps(workout.steps)}
    shown = {line.strip().removeprefix("- ") for line in lines}
    assert spoken <= shown


def test_a_workout_whose_summary_is_its_title_says_it_once() -> None:
    circuit = strength_circuit("s-1", light=True)
    lines = workout_lines(circuit, "km")
    assert lines.count(circuit.title) == 1
    assert lines[1] == "  - 3 ×"


def test_the_summary_says_what_was_run_what_changed_and_what_is_on_the_watch() -> None:
    def act(kind: str, outcome: str, planned_mi: float, done_mi: float = 0.0) -> dict:
        line = {"planned": kind, "kind": kind, "outcome": outcome}
        line["planned_distance_m"] = planned_mi * MILE_M
        if outcome != "missed":
            line["distance_m"] = done_mi * MILE_M
        return line

    days = [
        DemoDay(
            date(2026, 12, 8), activities=[act("easy", "done", 5, 5.1), act("strength", "done", 0)]
        ),
        DemoDay(date(2026, 12, 9), activities=[act("long", "missed", 10)]),
        DemoDay(
            date(2026, 12, 10),
            activities=[act("long", "shortened", 10, 6)],
            changes=[
                {"date": "2026-12-10", "key": "a", "reason": f"reason {i}"} for i in (1, 2, 1, 3, 4)
            ],
        ),
    ]
    run = DemoRun(
        start=date(2026, 12, 8),
        plan=None,  # type: ignore[arg-type]  # the summary does not read the plan
        days=days,
        api_calls={"strava": 9, "garmin": 9},
        cycles=6,
        watch_now=[
            {"date": "2026-12-12", "title": "Strength"},
            {"date": "2026-12-11", "title": "Easy 4.0 mi"},
            {"date": "2026-12-12", "title": "Easy 5.0 mi"},
        ],
    )
    assert summary_lines(run, "mi") == [
        "In 3 days the runner ran 11.1 mi of the 25.0 mi on the watch those mornings; "
        "of 4 sessions, 2 done, 1 cut short, 1 missed.",
        "The plan changed 5 times, mainly:",
        "  - reason 1",
        "  - reason 2",
        "  - reason 3",
        "On the watch now: Fri Easy 4.0 mi · Sat Strength, Easy 5.0 mi.",
    ]
    assert not any("API" in line for line in summary_lines(run, "mi"))
