"""The runner steers the plan through the real CLI: `move`, `swap`, `skip`, `unwell`, `undo`,
`instructions`, with the plan JSON after each, the reason text, and what the simulated Garmin
Connect holds after the next push and how many writes it took (the runner's own workouts are
never touched). Two processes giving instructions at once lose none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ampt_sync.garmin import auth
from ampt_sync.secrets import GARMIN_TOKENS, open_token_store
from ampt_sync.sim.garmin import GarminSim

GOAL_DATE = (date.today() + timedelta(weeks=20)).isoformat()
CONFIG = """
[athlete]
timezone = "America/New_York"
weekly_distance = 40

[goal]
distance = "half"
date = {goal}

[schedule]
run_days = ["mon", "tue", "thu", "sat", "sun"]
long_run_day = "sun"

[storage]
state_dir = "{state}"

[secrets]
backend = "file"
"""


def _today() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


@pytest.fixture
def sim() -> Iterator[GarminSim]:
    with GarminSim() as running:
        yield running


@pytest.fixture
def config(write_config: Callable[..., Path], tmp_path: Path, sim, monkeypatch) -> Path:
    monkeypatch.setenv("AMPT_SYNC_GARMIN_URL", sim.base_url)
    monkeypatch.setattr(auth, "default_strategy", sim.login_strategy)
    open_token_store("file", tmp_path / "state").set(GARMIN_TOKENS, sim.token_json())
    return write_config(CONFIG.format(goal=GOAL_DATE, state=tmp_path / "state"))


@pytest.fixture
def ampt(cli, config) -> Callable[..., object]:
    def run(*args: str, ok: bool = True):
        result = cli("--config", str(config), *args)
        if ok:
            assert result.code == 0, result.stderr
        return result

    return run


def plan_days(ampt) -> dict[str, list[dict]]:
    """The plan in force as its JSON: date → workouts."""
    document = json.loads(ampt("plan", "--format", "json").stdout)
    return {d["date"]: d["workouts"] for w in document["weeks"] for d in w["days"]}


def runs(workouts: list[dict]) -> list[dict]:
    return [w for w in workouts if w["kind"] not in ("strength", "rest")]


def horizon(days: dict[str, list[dict]], kinds: tuple[str, ...]) -> list[str]:
    """Days of the next 6 (tomorrow on: Garmin's horizon is 7) whose run is of ``kinds``."""
    today = _today()
    found = []
    for n in range(1, 7):
        day = (today + timedelta(days=n)).isoformat()
        r = runs(days.get(day, []))
        if r and r[0]["kind"] in kinds:
            found.append(day)
    return found


def free_days(days: dict[str, list[dict]]) -> list[str]:
    today = _today()
    return [
        (today + timedelta(days=n)).isoformat()
        for n in range(1, 7)
        if not days.get((today + timedelta(days=n)).isoformat())
    ]


def writes(sim: GarminSim) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests if r.is_write]


def ours_on_garmin(sim: GarminSim) -> dict[int, date]:
    """Garmin workout id → its calendar day, for every calendar entry."""
    return {workout_id: day for _sid, workout_id, day in sim.schedules()}


# ------------------------------------------------------------------------------------------------
# move


def test_move_to_a_free_day_is_one_workout_moved_on_garmin_and_nothing_else(ampt, sim) -> None:
    own, _ = sim.add_own_workout("My own tempo", _today() + timedelta(days=2))
    ampt("push")
    days = plan_days(ampt)
    easy, free = horizon(days, ("easy",)), free_days(days)
    if not easy or not free:
        pytest.skip("no easy run and free day in this week's horizon")
    day, target = easy[0], free[0]
    key = runs(days[day])[0]["key"]
    before_ids = ours_on_garmin(sim)
    entries = {workout_id: sid for sid, workout_id, _day in sim.schedules()}
    sim.clear_log()

    result = ampt("move", day, "--to", target)
    assert "moved to" in result.stdout
    assert "your instruction #1, move" in result.stdout
    after = plan_days(ampt)
    assert [w["key"] for w in runs(after[target])] == [key]
    assert runs(after.get(day, [])) == []
    assert writes(sim) == []  # recording writes nothing to Garmin; the push does

    ampt("push")
    # One write: the moved workout's calendar entry is rescheduled to the new day (the same
    # workout, the same entry); no workout is created, rewritten or deleted.
    now_ids = ours_on_garmin(sim)
    assert set(now_ids) == set(before_ids)
    moved = [i for i in now_ids if now_ids[i] != before_ids[i]]
    assert len(moved) == 1
    assert now_ids[moved[0]].isoformat() == target
    assert writes(sim) == [("PUT", f"/workout-service/schedule/{entries[moved[0]]}")]
    assert own in sim.workouts  # the runner's own workout is never touched


def test_move_onto_a_run_day_trades_and_names_what_else_moved(ampt) -> None:
    days = plan_days(ampt)
    easy = horizon(days, ("easy", "strides", "recovery"))
    if len(easy) < 2:
        pytest.skip("fewer than two easy runs in the horizon")
    a, b = easy[0], easy[-1]
    key_a, key_b = runs(days[a])[0]["key"], runs(days[b])[0]["key"]
    result = ampt("move", a, "--to", b, "--format", "json")
    document = json.loads(result.stdout)
    assert document["stored"] is True
    assert document["instruction"]["kind"] == "move"
    assert document["instruction"]["keys"] == [key_a, key_b]
    reasons = [c["reason"] for c in document["changes"]]
    assert any("to make room" in r for r in reasons), reasons
    after = plan_days(ampt)
    assert runs(after[b])[0]["key"] == key_a
    assert runs(after[a])[0]["key"] == key_b
    changed = {d["date"] for d in document["days"]}
    assert {a, b} <= changed


def test_a_move_that_would_break_a_safety_rule_does_the_nearest_safe_thing(ampt) -> None:
    days = plan_days(ampt)
    today = _today()
    quality = next(
        (
            d
            for d, ws in sorted(days.items())
            if d > today.isoformat()
            and any(w["kind"] in ("intervals", "tempo", "fartlek", "hills") for w in ws)
        ),
        None,
    )
    longs = [d for d, ws in sorted(days.items()) if any(w["kind"] == "long" for w in ws)]
    if quality is None:
        pytest.skip("no quality session in the plan")
    long_day = next(d for d in longs if d > quality)
    before_long = (date.fromisoformat(long_day) - timedelta(days=1)).isoformat()
    result = ampt("move", quality, "--to", before_long)
    assert "instead" in result.stdout
    assert "would make two hard days in a row" in result.stdout
    after = plan_days(ampt)
    assert runs(after[before_long])[0]["kind"] == "easy"
    assert runs(after[long_day])[0]["kind"] == "long"


# ------------------------------------------------------------------------------------------------
# skip, swap


def test_skip_removes_its_workout_from_garmin_and_touches_nothing_else(ampt, sim) -> None:
    own, own_schedule = sim.add_own_workout("My own long run", _today() + timedelta(days=3))
    ampt("push")
    days = plan_days(ampt)
    easy = horizon(days, ("easy", "strides", "recovery"))
    assert easy, "the horizon holds an easy run"
    day = easy[0]
    key = runs(days[day])[0]["key"]
    before_ids = ours_on_garmin(sim)
    entries = {workout_id: sid for sid, workout_id, _day in sim.schedules()}
    sim.clear_log()

    result = ampt("skip", day, "--why", "late meeting")
    assert "skipped, not made up later" in result.stdout
    assert "(late meeting)" in result.stdout
    after = plan_days(ampt)
    assert key not in {w["key"] for ws in after.values() for w in ws}
    # nothing else in the plan changed
    assert {d: ws for d, ws in after.items() if d != day} == {
        d: ws for d, ws in days.items() if d != day
    }

    ampt("push")
    gone = set(before_ids) - set(ours_on_garmin(sim))
    assert len(gone) == 1
    (workout_id,) = gone
    assert workout_id not in sim.workouts  # the workout is deleted, not only unscheduled
    # its calendar entry and its workout removed: two writes, nothing else
    assert sorted(writes(sim)) == [
        ("DELETE", f"/workout-service/schedule/{entries[workout_id]}"),
        ("DELETE", f"/workout-service/workout/{workout_id}"),
    ]
    assert own in sim.workouts
    assert own_schedule in {sid for sid, _w, _d in sim.schedules()}


def test_swap_trades_two_days(ampt) -> None:
    days = plan_days(ampt)
    easy = horizon(days, ("easy", "strides", "recovery"))
    if len(easy) < 2:
        pytest.skip("fewer than two easy runs in the horizon")
    a, b = easy[0], easy[1]
    key_a, key_b = runs(days[a])[0]["key"], runs(days[b])[0]["key"]
    result = ampt("swap", a, b)
    assert "your instruction #1, swap" in result.stdout
    after = plan_days(ampt)
    assert (runs(after[a])[0]["key"], runs(after[b])[0]["key"]) == (key_b, key_a)


# ------------------------------------------------------------------------------------------------
# unwell


def test_unwell_tired_eases_the_next_days_in_place_on_garmin(ampt, sim) -> None:
    ampt("push")
    before_ids = ours_on_garmin(sim)
    sim.clear_log()
    result = ampt("unwell", "--days", "5", "--level", "tired")
    assert "tired, 5 days from" in result.stdout
    after = plan_days(ampt)
    today = _today()
    for n in range(5):
        for w in runs(after.get((today + timedelta(days=n)).isoformat(), [])):
            assert w["kind"] in ("easy", "recovery", "long", "race"), w
            if w["kind"] in ("easy", "recovery"):
                assert w["duration_s"] <= 30 * 60 + 59
    ampt("push")
    # eased workouts are rewritten in place: same ids, no create, no delete
    assert set(ours_on_garmin(sim)) == set(before_ids)
    assert {m for m, _ in writes(sim)} <= {"PUT"}


def test_unwell_ill_then_end_brings_the_days_back(ampt) -> None:
    today = _today()
    days = plan_days(ampt)
    ampt("unwell", "--days", "4", "--level", "ill")
    ill = plan_days(ampt)
    for n in range(4):
        assert runs(ill.get((today + timedelta(days=n)).isoformat(), [])) == []
    result = ampt("unwell", "--end")
    assert "spell ended" in result.stdout
    back = plan_days(ampt)
    # from today the days are as they were before the spell (today is the end: no rest)
    for n in range(1, 4):
        day = (today + timedelta(days=n)).isoformat()
        assert [w["key"] for w in runs(back.get(day, []))] == [
            w["key"] for w in runs(days.get(day, []))
        ]


# ------------------------------------------------------------------------------------------------
# undo, instructions, dry run, errors


def test_undo_gives_back_the_plan_without_the_instruction(ampt) -> None:
    days = plan_days(ampt)
    easy = horizon(days, ("easy", "strides", "recovery"))
    assert easy
    ampt("skip", easy[0])
    assert plan_days(ampt) != days
    result = ampt("undo")
    assert "Taken back #1" in result.stdout
    assert "you took back your instruction #1" in result.stdout
    assert plan_days(ampt) == days
    # each once: nothing left to take back
    again = ampt("undo", ok=False)
    assert again.code == 2
    assert "no instruction in force" in again.stderr


def test_instructions_lists_those_in_force(ampt) -> None:
    assert "No instructions in force." in ampt("instructions").stdout
    ampt("unwell", "--days", "2")
    listed = ampt("instructions").stdout
    assert "#1  tired, 2 days from" in listed
    assert "from the cli" in listed
    document = json.loads(ampt("instructions", "--format", "json").stdout)
    assert [i["kind"] for i in document["instructions"]] == ["unwell"]


def test_status_shows_the_instructions_in_force(ampt) -> None:
    ampt("unwell", "--days", "3", "--level", "ill")
    result = ampt("status")
    assert "#1 ill, 3 days from" in result.stdout
    document = json.loads(ampt("status", "--format", "json").stdout)
    assert [i["summary"][:3] for i in document["instructions"]] == ["ill"]


def test_dry_run_stores_nothing(ampt) -> None:
    days = plan_days(ampt)
    easy = horizon(days, ("easy", "strides", "recovery"))
    result = ampt("skip", easy[0], "--dry-run")
    assert "skipped" in result.stdout
    assert "dry run: nothing stored" in result.stderr
    assert plan_days(ampt) == days
    assert "No instructions in force." in ampt("instructions").stdout


def test_move_with_push_puts_it_on_garmin_right_away(ampt, sim) -> None:
    ampt("push")
    days = plan_days(ampt)
    easy, free = horizon(days, ("easy",)), free_days(days)
    if not easy or not free:
        pytest.skip("no easy run and free day in this week's horizon")
    before = ours_on_garmin(sim)
    result = ampt("move", easy[0], "--to", free[0], "--push")
    assert "pushed to Garmin" in result.stderr
    now = ours_on_garmin(sim)
    assert sorted(d.isoformat() for d in now.values()) != sorted(
        d.isoformat() for d in before.values()
    )
    assert free[0] in {d.isoformat() for d in now.values()}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("skip", "someday"), "'someday' is not a day"),
        (("skip", "2020-01-01"), "is in the past"),
        (("move", "today", "--to", "today"), "the same day"),
        (("unwell", "--end"), "not marked unwell"),
        (("unwell", "--days", "15"), "1<=x<=14"),
    ],
)
def test_bad_instructions_are_one_clear_line_and_store_nothing(ampt, args, words) -> None:
    result = ampt(*args, ok=False)
    assert result.code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert "No instructions in force." in ampt("instructions").stdout


def test_dates_accept_today_tomorrow_and_weekday_names() -> None:
    import typer

    from ampt_sync.cli.steer import parse_day

    monday = date(2026, 12, 7)
    assert parse_day("today", monday) == monday
    assert parse_day("tomorrow", monday) == monday + timedelta(days=1)
    assert parse_day("thu", monday) == date(2026, 12, 10)
    assert parse_day("Monday", monday) == monday  # from today on, today included
    assert parse_day("sun", monday) == date(2026, 12, 13)
    assert parse_day("2026-12-24", monday) == date(2026, 12, 24)
    with pytest.raises(typer.BadParameter, match="YYYY-MM-DD"):
        parse_day("24/12", monday)


# ------------------------------------------------------------------------------------------------
# two processes at once


def test_two_processes_giving_instructions_at_once_lose_neither(ampt, config, tmp_path) -> None:
    days = plan_days(ampt)  # the first plan exists before the race starts
    easy = horizon(days, ("easy", "strides", "recovery"))
    assert len(easy) >= 2
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "ampt_sync", "--config", str(config), "skip"]
    procs = [
        subprocess.Popen([*command, day], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for day in easy[:2]
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    document = json.loads(ampt("instructions", "--format", "json").stdout)
    assert sorted(i["date"] for i in document["instructions"]) == sorted(easy[:2])
    after = plan_days(ampt)
    for day in easy[:2]:
        assert runs(after.get(day, [])) == []


# ------------------------------------------------------------------------------------------------
# goal set, days: the config changed in place


def test_goal_set_updates_the_config_keeping_its_comments_and_replans(ampt, config) -> None:
    config.write_text(
        config.read_text().replace('distance = "half"', 'distance = "half"  # my spring race')
    )
    ampt("plan")
    new_day = (_today() + timedelta(weeks=12)).isoformat()
    result = ampt("goal", "set", "--distance", "10k", "--date", new_day, "--race", "City 10K")
    assert "New goal: City 10K on " + new_day in result.stdout
    assert "Instruction #1: new goal: City 10K on " in result.stdout
    assert '[goal] distance: "half" → "10k"' in result.stdout
    text = config.read_text()
    assert 'distance = "10k"  # my spring race' in text
    assert f"date = {new_day}" in text
    assert 'race = "City 10K"' in text
    assert "[schedule]" in text  # the rest is as it was
    document = json.loads(ampt("plan", "--format", "json").stdout)
    assert document["goal"]["distance_m"] == 10000
    assert document["goal"]["date"] == new_day


def test_goal_set_is_an_instruction_that_undo_takes_back_in_the_config_too(ampt, config) -> None:
    config.write_text(
        config.read_text().replace('distance = "half"', 'distance = "half"  # my spring race')
    )
    before_text = config.read_text()
    before = json.loads(ampt("plan", "--format", "json").stdout)
    new_day = (_today() + timedelta(weeks=12)).isoformat()
    ampt("goal", "set", "--distance", "10k", "--date", new_day, "--race", "City 10K")
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [(i["kind"], i["source"]) for i in listed] == [("goal", "cli")]
    config_change = listed[0]["config"]
    assert config_change["distance"] == {"before": "half", "after": "10k"}
    assert config_change["date"]["after"] == new_day
    assert config_change["race"]["after"] == "City 10K"
    assert listed[0]["summary"].startswith("new goal: City 10K on ")

    result = ampt("undo")
    assert "Taken back #1: new goal: City 10K" in result.stdout
    assert '[goal] distance: "10k" → "half"' in result.stdout
    assert config.read_text() == before_text  # comments and all
    after = json.loads(ampt("plan", "--format", "json").stdout)
    assert after["goal"] == before["goal"]
    assert plan_days(ampt) == {
        day: workouts
        for week in before["weeks"]
        for day, workouts in ((d["date"], d["workouts"]) for d in week["days"])
    }
    assert json.loads(ampt("instructions", "--format", "json").stdout)["instructions"] == []


def test_undo_of_a_goal_refuses_when_the_config_was_edited_by_hand_since(ampt, config) -> None:
    ampt("plan")
    new_day = (_today() + timedelta(weeks=12)).isoformat()
    ampt("goal", "set", "--distance", "10k", "--date", new_day)
    config.write_text(config.read_text().replace('distance = "10k"', 'distance = "5k"'))
    result = ampt("undo", ok=False)
    assert result.code == 2
    assert "changed by hand since instruction #1" in result.stderr
    assert 'distance = "5k"' in config.read_text()
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [i["kind"] for i in listed] == ["goal"]  # still in force


def test_undo_of_a_goal_after_another_edit_of_the_file_gives_back_the_values(ampt, config) -> None:
    ampt("plan")
    new_day = (_today() + timedelta(weeks=12)).isoformat()
    ampt("goal", "set", "--distance", "10k", "--date", new_day)
    config.write_text(config.read_text() + "\n# a note of mine\n")  # not the goal's keys
    ampt("undo")
    text = config.read_text()
    assert 'distance = "half"' in text
    assert f"date = {GOAL_DATE}" in text
    assert "# a note of mine" in text  # the runner's edit stays


def test_days_is_an_instruction_undo_gives_the_old_days_back(ampt, config) -> None:
    ampt("plan")
    before_text = config.read_text()
    ampt("days", "--run", "mon,wed,fri,sun", "--long", "sun")
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [i["kind"] for i in listed] == ["days"]
    assert listed[0]["config"]["run_days"]["after"] == ["mon", "wed", "fri", "sun"]
    assert listed[0]["summary"].startswith("run days Mon, Wed, Fri, Sun")
    ampt("undo")
    assert config.read_text() == before_text


def test_goal_set_dry_run_changes_neither_the_config_nor_the_plan(ampt, config) -> None:
    before_text = config.read_text()
    before = plan_days(ampt)
    new_day = (_today() + timedelta(weeks=10)).isoformat()
    result = ampt("goal", "set", "--distance", "5k", "--date", new_day, "--dry-run")
    assert "New goal" in result.stdout
    assert "the config file unchanged" in result.stderr
    assert config.read_text() == before_text
    assert plan_days(ampt) == before


def test_goal_set_on_a_read_only_config_says_what_to_edit(ampt, config) -> None:
    before_text = config.read_text()
    config.chmod(0o444)
    new_day = (_today() + timedelta(weeks=10)).isoformat()
    result = ampt("goal", "set", "--distance", "marathon", "--date", new_day, ok=False)
    assert result.code == 78
    assert "read-only" in result.stderr
    assert f'[goal] distance = "marathon", date = {new_day}' in result.stderr
    assert config.read_text() == before_text


def test_goal_set_with_a_bad_distance_names_the_key(ampt, config) -> None:
    new_day = (_today() + timedelta(weeks=10)).isoformat()
    result = ampt("goal", "set", "--distance", "ultra", "--date", new_day, ok=False)
    assert result.code == 78
    assert "goal.distance" in result.stderr
    assert 'distance = "half"' in config.read_text()


def test_days_sets_new_run_days_and_the_plan_follows_them(ampt, config) -> None:
    ampt("plan")
    result = ampt("days", "--run", "mon,wed,fri,sun", "--long", "sun")
    assert "Your run days changed" in result.stdout
    assert 'run_days = ["mon", "wed", "fri", "sun"]' in config.read_text()
    after = plan_days(ampt)
    for day, workouts in after.items():
        if day >= _today().isoformat() and runs(workouts):
            assert date.fromisoformat(day).weekday() in (0, 2, 4, 6) or any(
                w["kind"] == "race" for w in workouts
            ), (day, workouts)


def test_days_from_a_later_day_waits_leaves_the_config_and_undo_takes_it_back(ampt, config) -> None:
    ampt("plan")
    before_text = config.read_text()
    before = plan_days(ampt)
    start = _today() + timedelta(days=3)
    when = start.strftime("%a %d %b").replace(" 0", " ")
    result = ampt("days", "--run", "mon,wed,fri,sun", "--from", start.isoformat())
    assert f"Instruction #1: run days Mon, Wed, Fri, Sun from {when}" in result.stdout
    assert f"The plan follows them from {when}, when the config file is changed" in result.stdout
    assert (
        '[schedule] run_days: ["mon", "tue", "thu", "sat", "sun"] → ["mon", "wed", "fri", "sun"]'
        in result.stdout
    )
    assert config.read_text() == before_text  # the first cycle on the day writes it
    assert plan_days(ampt) == before
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [(i["kind"], i["date"], i["pending"]) for i in listed] == [
        ("days", start.isoformat(), True)
    ]
    assert f"#1  run days Mon, Wed, Fri, Sun from {when}" in ampt("instructions").stdout
    assert f"#1 run days Mon, Wed, Fri, Sun from {when}" in ampt("status").stdout
    # a dry run says the same in JSON and stores nothing
    document = json.loads(
        ampt(
            "days", "--run", "tue,thu,sat", "--long", "sat", "--from", start.isoformat(),
            "--dry-run", "--format", "json",
        ).stdout
    )  # fmt: skip
    assert document["dry_run"] is True
    assert document["stored"] is False
    assert document["instruction"]["pending"] is True
    assert document["instruction"]["date"] == start.isoformat()
    assert document["days"] == []
    assert len(json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]) == 1
    undone = ampt("undo")
    assert "Taken back #1" in undone.stdout
    assert "the config file is unchanged" in undone.stdout
    assert config.read_text() == before_text
    assert plan_days(ampt) == before
    assert "No instructions in force." in ampt("instructions").stdout


def test_days_now_replace_pending_ones(ampt, config) -> None:
    ampt("plan")
    start = (_today() + timedelta(days=4)).isoformat()
    ampt("days", "--run", "mon,wed,fri,sun", "--from", start)
    ampt("days", "--run", "tue,thu,sat,sun")
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [(i["id"], i["pending"]) for i in listed] == [(2, False)]
    assert 'run_days = ["tue", "thu", "sat", "sun"]' in config.read_text()


def test_sync_on_their_day_writes_pending_run_days_and_plans_on_them(ampt, config) -> None:
    from ampt_sync.config import parse_settings
    from ampt_sync.domain import Instruction, InstructionKind
    from ampt_sync.store.db import open_store
    from ampt_sync.store.instructions import add_instruction

    ampt("plan")
    today = _today()
    # what `days --from tomorrow` left yesterday
    settings = parse_settings(config.read_text(), source=str(config))
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            change = ("run_days", ("mon", "tue", "thu", "sat", "sun"), ("mon", "wed", "fri", "sun"))
            given = Instruction(
                InstructionKind.DAYS, today, today - timedelta(days=1), config=(change,),
                pending=True,
            )  # fmt: skip
            add_instruction(
                session, given, now=datetime.now(ZoneInfo("UTC")), plan_version_before=None
            )
    finally:
        store.close()
    result = ampt("sync", ok=False)  # no Strava in this config: the rest of the cycle runs
    assert "new run days: instruction #1 (run days Mon, Wed, Fri, Sun from" in result.stdout
    assert "applied" in result.stdout
    text = config.read_text()
    assert 'run_days = ["mon", "wed", "fri", "sun"]' in text
    assert 'long_run_day = "sun"' in text
    listed = json.loads(ampt("instructions", "--format", "json").stdout)["instructions"]
    assert [(i["id"], i["pending"]) for i in listed] == [(1, False)]
    for day, workouts in plan_days(ampt).items():
        if day >= today.isoformat() and runs(workouts):
            assert date.fromisoformat(day).weekday() in (0, 2, 4, 6) or any(
                w["kind"] == "race" for w in workouts
            ), (day, workouts)


def test_days_from_a_past_day_is_refused(ampt, config) -> None:
    before_text = config.read_text()
    past = (_today() - timedelta(days=1)).isoformat()
    result = ampt("days", "--run", "mon,wed,fri", "--long", "fri", "--from", past, ok=False)
    assert result.code == 2
    assert f"{past} is in the past" in result.stderr
    assert config.read_text() == before_text


# ------------------------------------------------------------------------------------------------
# tune-up races


def test_race_add_then_push_then_remove(ampt, sim) -> None:
    ampt("push")
    today = _today()
    day = (today + timedelta(days=5)).isoformat()
    result = ampt("race", "add", day, "5k", "--name", "Parkrun", "--priority", "c")
    assert "Parkrun added on" in result.stdout
    assert "(C race)" in result.stdout
    after = plan_days(ampt)
    (race,) = after[day]
    assert race["kind"] == "race"
    assert race["distance_m"] == 5000
    assert race["title"] == "Race: Parkrun"
    the_day_after = (today + timedelta(days=6)).isoformat()
    assert all(w["kind"] in ("recovery", "strength") for w in after.get(the_day_after, []))
    ampt("push")
    names = {w["workoutName"] for w in sim.workouts.values()}
    assert any("Parkrun" in n for n in names), names
    document = json.loads(ampt("instructions", "--format", "json").stdout)
    assert [(i["kind"], i["date"], i["distance_m"]) for i in document["instructions"]] == [
        ("race", day, 5000.0)
    ]

    removed = ampt("race", "remove", day)
    assert "Taken back #1" in removed.stdout
    back = plan_days(ampt)
    assert not any(w["kind"] == "race" and w["key"] == race["key"] for w in back.get(day, []))
    ampt("push")
    assert not any("Parkrun" in w["workoutName"] for w in sim.workouts.values())


def test_race_remove_without_a_race_says_so(ampt) -> None:
    result = ampt("race", "remove", "tomorrow", ok=False)
    assert result.code == 2
    assert "no tune-up race on" in result.stderr
