"""The page's pure pieces: step wording shared with the feed, where a workout stands with
Garmin, problems in words."""

from __future__ import annotations

from datetime import date

from ampt_sync.domain import End, Exercise, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.plan_text import StepLine, step_text, step_tree
from ampt_sync.web.views import RELOGIN_WORDS, Sent, problems, road_place, sport_words

PACE = Target(pace_s_per_km=(300.0, 330.0))
DAY = date(2026, 12, 10)
WORKOUT = Workout(
    key="w-1",
    kind=WorkoutKind.INTERVALS,
    title="Intervals 4 × 800 m",
    steps=(
        Step(StepRole.WARMUP, End(distance_m=2000), PACE, "easy"),
        Repeat(
            4,
            (
                Step(StepRole.WORK, End(distance_m=800), Target(pace_s_per_km=(240, 245)), "hard"),
                Step(StepRole.REST, End(duration_s=120), note="rest 2 min"),
            ),
        ),
        Step(StepRole.COOLDOWN, End(lap_button=True), Target(hr_zone=2)),
        Step(
            StepRole.WORK,
            End(reps=10),
            exercise=Exercise("Dumbbell squat", "SQUAT", "DUMBBELL_SQUAT", load="medium"),
        ),
    ),
    distance_m=7000,
    duration_s=2400,
)


def flat(lines: tuple[StepLine, ...]) -> list[StepLine]:
    found = []
    for line in lines:
        found.extend(flat(line.children) if line.times else [line])
    return found


def test_the_pages_step_lines_read_as_the_feeds_step_text() -> None:
    steps = [s for s in WORKOUT.steps if isinstance(s, Step)]
    steps[1:1] = list(WORKOUT.steps[1].steps)  # type: ignore[union-attr]
    lines = flat(step_tree(WORKOUT.steps, "km"))
    assert len(lines) == len(steps) == 5
    for line, step in zip(lines, steps, strict=True):
        said = " ".join(p for p in (line.text, line.target) if p)
        if line.note:
            said += f" ({line.note})"
        assert said == step_text(step, "km")


def test_step_tree_nests_repeats_and_keeps_units() -> None:
    tree = step_tree(WORKOUT.steps, "mi")
    assert [line.text for line in tree][:2] == ["Warm-up 1.2 mi", "4 ×"]
    assert tree[1].times == 4
    assert [c.text for c in tree[1].children] == ["Run 800 m", "Rest 2 min"]
    assert tree[1].children[0].note == "hard"
    assert tree[1].children[1].note == ""  # "rest 2 min" only repeats the step
    assert tree[0].target.endswith("/mi")
    assert tree[2].text == "Cool-down until you press lap"
    assert tree[2].target == "in heart-rate zone 2"
    assert tree[3].text == "Dumbbell squat 10 reps, medium"


def garmin_place(workout, day, payload_hash, ledger):
    return road_place("garmin", workout, day, payload_hash, ledger)


def test_where_a_workout_stands_with_garmin() -> None:
    assert garmin_place(WORKOUT, DAY, "h1", {"w-1": Sent(DAY, "h1")}).ok
    assert garmin_place(WORKOUT, DAY, "h1", {"w-1": Sent(DAY, "h1")}).words == "on Garmin ✓"
    stale = garmin_place(WORKOUT, DAY, "h2", {"w-1": Sent(DAY, "h1")})
    assert not stale.ok
    assert "out of date" in stale.words
    moved = garmin_place(WORKOUT, DAY, "h1", {"w-1": Sent(date(2026, 12, 9), "h1")})
    assert "out of date" in moved.words
    assert "not on Garmin yet" in garmin_place(WORKOUT, DAY, "h1", {}).words
    assert "being sent" in garmin_place(WORKOUT, DAY, "h1", {"w-1": Sent(DAY, "", "create")}).words
    assert "cannot be put on Garmin" in garmin_place(WORKOUT, DAY, None, {}).words


def test_where_a_workout_stands_with_intervals_icu() -> None:
    place = road_place("intervals", WORKOUT, DAY, "h1", {"w-1": Sent(DAY, "h1")})
    assert (place.words, place.ok) == ("on intervals.icu ✓", True)
    # an event whose last write is not confirmed yet has no hash in the ledger
    unconfirmed = road_place("intervals", WORKOUT, DAY, "h1", {"w-1": Sent(DAY, "")})
    assert unconfirmed.words == "being sent to intervals.icu: the next cycle checks it"


def test_problems_put_a_garmin_relogin_first_and_say_the_fix() -> None:
    said = problems(
        {"since": "2026-12-01"},
        {
            "garmin_relogin": {"title": "Garmin needs a new sign-in", "since": "2026-12-01T04:30"},
            "cycle_failed": {"title": "The morning cycle failed", "since": "2026-12-02T04:30"},
        },
        date(2026, 12, 20),
    )
    assert said[0] == RELOGIN_WORDS
    assert "ampt-sync auth garmin" in said[0]
    assert said[1] == "The morning cycle failed (since 2026-12-02)"
    assert said[2].startswith("Paused until Sun 20 Dec")
    assert len(said) == 3
    assert problems(None, {}, None) == ()


def test_after_sign_in_only_paths_on_this_site_are_followed() -> None:
    from ampt_sync.web.app import safe_next

    assert safe_next("/plan?x=1") == "/plan?x=1"
    for bad in (
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "plan",
        "",
        None,
        "/\tx",
        "javascript:alert(1)",
    ):
        assert safe_next(bad) == "/", bad


def test_browser_tests_skip_with_one_clear_reason_without_chromium(monkeypatch) -> None:
    import pytest
    import web_browser

    monkeypatch.setattr(web_browser, "CHROMIUM", web_browser.CHROMIUM.with_name("no-such-browser"))
    with pytest.raises(pytest.skip.Exception, match="chromium chromium-driver"):
        web_browser.require_chromium()


def test_a_sport_type_reads_as_words() -> None:
    assert sport_words("WeightTraining") == "weight training"
    assert sport_words("Run") == "run"
    assert sport_words("TrailRun") == "trail run"
