"""The page's steering forms and FIT downloads through Starlette's TestClient.

The forms post to a copy of the demo's store (``own_client``), through the same service functions
the CLI calls; the plan is read back as ``/api/plan`` gives it. The downloads read the shared demo
store and are decoded with Garmin's FIT SDK."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from garmin_fit_sdk import Decoder, Stream
from page_helpers import csrf_of
from starlette.testclient import TestClient

from ampt_sync.domain import WorkoutKind
from ampt_sync.fit.encode import encode_workout
from ampt_sync.fit.files import fit_file_name, fit_workouts
from ampt_sync.plan_text import day_label
from ampt_sync.store.instructions import active_instructions
from ampt_sync.store.plans import load_plan, newest_plan
from ampt_sync.training.wording import dated_name
from ampt_sync.web.app import Page


def text_of(body: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def plan_days(client: TestClient) -> dict[str, list[dict]]:
    """``{ISO date: [workout, ...]}`` from /api/plan (rest days left out)."""
    document = client.get("/api/plan").json()
    return {
        day["date"]: [w for w in day["workouts"] if w["kind"] != "rest"]
        for week in document["weeks"]
        for day in week["days"]
    }


def where(days: dict[str, list[dict]], key: str) -> list[str]:
    return [d for d, workouts in days.items() if any(w["key"] == key for w in workouts)]


def run_days(days: dict[str, list[dict]], today: date) -> list[str]:
    """Days from tomorrow on holding a run (not the goal race), in order."""
    return sorted(
        d
        for d, ws in days.items()
        if d > today.isoformat() and any(w["kind"] not in ("strength", "race") for w in ws)
    )


def free_days(days: dict[str, list[dict]], today: date) -> list[str]:
    return sorted(d for d, ws in days.items() if d > today.isoformat() and not ws)


def post_form(client: TestClient, day: str, action: str, fields: dict[str, str]) -> str:
    """Post a day's form as the browser does (with the page's CSRF token); return the page the
    redirect leads to, as text."""
    form = client.get(f"/day/{day}")
    assert form.status_code == 200
    assert f'action="/day/{day}/{action}"' in form.text, f"no {action} form on /day/{day}"
    answer = client.post(
        f"/day/{day}/{action}",
        data={"csrf": csrf_of(form.text), **fields},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/day/{day}"
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 200
    return text_of(shown.text)


def stored(page: Page) -> list:
    with page.store.transaction() as session:
        return active_instructions(session)


def plan_version(page: Page) -> int:
    with page.store.transaction() as session:
        newest = newest_plan(session)
    assert newest is not None
    return newest.version


# ---- the forms ------------------------------------------------------------------------------


def test_move_form_moves_the_session_and_stores_a_web_instruction(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    before = plan_days(own_client)
    day = run_days(before, today)[0]
    key = next(w["key"] for w in before[day] if w["kind"] != "strength")
    target = next(d for d in free_days(before, today) if d > day)
    shown = post_form(own_client, day, "move", {"to": target})

    after = plan_days(own_client)
    assert target in where(after, key)
    assert day not in where(after, key)
    (instruction,) = stored(own_page)
    assert instruction.source == "web"
    assert instruction.kind.value == "move"
    assert instruction.to_day == date.fromisoformat(target)
    assert f"Done #{instruction.id}: move" in shown
    assert f"your instruction #{instruction.id}" in shown  # the change names it, with its reason
    assert "Your watch gets it at the next sync." in shown
    # shown once: the next page no longer carries the note
    assert "Done #" not in text_of(own_client.get(f"/day/{day}").text)


def test_swap_form_trades_two_days(own_client: TestClient, own_page: Page) -> None:
    today = own_page.today()
    before = plan_days(own_client)
    first, second = run_days(before, today)[:2]
    keys = {
        d: next(w["key"] for w in before[d] if w["kind"] != "strength") for d in (first, second)
    }
    shown = post_form(own_client, first, "swap", {"other": second})

    after = plan_days(own_client)
    assert where(after, keys[first]) == [second]
    assert where(after, keys[second]) == [first]
    (instruction,) = stored(own_page)
    assert (instruction.kind.value, instruction.source) == ("swap", "web")
    assert "swap" in shown


def test_skip_form_drops_the_session_with_the_runners_reason(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    before = plan_days(own_client)
    day = run_days(before, today)[0]
    key = next(w["key"] for w in before[day] if w["kind"] != "strength")
    shown = post_form(own_client, day, "skip", {"why": "  late   meeting "})

    assert where(plan_days(own_client), key) == []
    (instruction,) = stored(own_page)
    assert (instruction.kind.value, instruction.why, instruction.source) == (
        "skip",
        "late meeting",
        "web",
    )
    assert "skip" in shown
    assert "(late meeting)" in shown


def test_unwell_form_eases_the_next_days_and_can_be_ended(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    iso = today.isoformat()
    shown = post_form(own_client, iso, "unwell", {"days": "3", "level": "tired"})
    (instruction,) = stored(own_page)
    assert (instruction.kind.value, instruction.days, instruction.level) == ("unwell", 3, "tired")
    assert instruction.source == "web"
    assert "tired, 3 days from" in shown

    after = plan_days(own_client)
    quality = {"intervals", "tempo", "fartlek", "hills", "race"}
    for offset in range(3):
        day = (today + timedelta(days=offset)).isoformat()
        assert not [w for w in after.get(day, []) if w["kind"] in quality], day
        assert all(w["duration_s"] <= 60 * 60 for w in after.get(day, [])), day

    page = own_client.get(f"/day/{iso}").text
    assert f'action="/day/{iso}/unwell-end"' in page
    shown = post_form(own_client, iso, "unwell-end", {})
    assert "unwell spell ended" in shown
    kinds = [i.kind.value for i in stored(own_page)]
    assert kinds == ["unwell", "unwell_end"]


def test_undo_button_takes_back_the_last_instruction(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    before = plan_days(own_client)
    day = run_days(before, today)[0]
    key = next(w["key"] for w in before[day] if w["kind"] != "strength")
    post_form(own_client, day, "skip", {"why": ""})
    assert where(plan_days(own_client), key) == []

    plan_page = own_client.get("/plan").text
    assert "skip" in text_of(plan_page)
    assert 'action="/undo"' in plan_page
    answer = own_client.post(
        "/undo", data={"csrf": csrf_of(plan_page), "back": "/plan"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/plan"
    shown = text_of(own_client.get("/plan").text)
    assert "Taken back #1: skip" in shown
    assert where(plan_days(own_client), key) == [day]
    assert stored(own_page) == []


def test_race_form_adds_a_tune_up_and_the_remove_button_takes_it_out(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    before = plan_days(own_client)
    day = run_days(before, today)[3]
    shown = post_form(
        own_client, day, "race", {"distance": "5k", "name": "Parkrun", "priority": "c"}
    )
    (instruction,) = stored(own_page)
    assert (instruction.kind.value, instruction.name, instruction.source) == (
        "race",
        "Parkrun",
        "web",
    )
    assert instruction.distance_m == 5000
    assert "Parkrun" in shown
    assert any(w["kind"] == "race" for w in plan_days(own_client)[day])

    shown = post_form(own_client, day, "race-remove", {})
    assert "Taken back" in shown
    assert stored(own_page) == []
    assert not any(w["kind"] == "race" for w in plan_days(own_client)[day])


def test_plan_and_today_list_the_instructions_in_force(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    day = run_days(plan_days(own_client), today)[0]
    post_form(own_client, day, "skip", {"why": "away"})
    for path in ("/", "/plan"):
        listed = re.search(r'<ul class="instructions">(.*?)</ul>', own_client.get(path).text, re.S)
        assert listed is not None, path
        assert "#1 skip" in text_of(listed.group(1))
        assert "(away)" in text_of(listed.group(1))
        assert "from this page" in text_of(listed.group(1))


# ---- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_form_without_the_right_csrf_token_is_refused_and_stores_nothing(
    own_client: TestClient, own_page: Page, token: str | None
) -> None:
    today = own_page.today()
    day = run_days(plan_days(own_client), today)[0]
    version = plan_version(own_page)
    data = {"why": "no token"} | ({} if token is None else {"csrf": token})
    answer = own_client.post(f"/day/{day}/skip", data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert "Form out of date" in answer.text
    answer = own_client.post("/undo", data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert stored(own_page) == []
    assert plan_version(own_page) == version


def test_a_refused_instruction_is_shown_in_words_and_stores_nothing(
    own_client: TestClient, own_page: Page
) -> None:
    today = own_page.today()
    days = plan_days(own_client)
    version = plan_version(own_page)
    # A form the page shows, that the plan refuses: a second race the day after a first.
    race_day = date.fromisoformat(run_days(days, today)[3])
    post_form(own_client, race_day.isoformat(), "race", {"distance": "5k", "priority": "c"})
    (race,) = stored(own_page)
    version = plan_version(own_page)
    next_day = (race_day + timedelta(days=1)).isoformat()
    shown = post_form(own_client, next_day, "race", {"distance": "10k", "priority": "b"})
    assert (
        f"Not done: {next_day} is within 2 days of your race on {race_day.isoformat()}; "
        "races need easy days between them, give another day"
    ) in shown
    assert "Traceback" not in shown
    assert stored(own_page) == [race]
    assert plan_version(own_page) == version

    # Forms the page does not offer (a rest day, a day in the past) are refused in words too.
    past = (today - timedelta(days=2)).isoformat()
    form = own_client.get(f"/day/{past}")
    assert "/skip" not in form.text
    rest = free_days(days, today)[0]
    answer = own_client.post(
        f"/day/{rest}/skip", data={"csrf": csrf_of(form.text)}, follow_redirects=True
    )
    assert f"Not done: {rest} holds no session" in text_of(answer.text)
    answer = own_client.post(
        f"/day/{past}/skip", data={"csrf": csrf_of(form.text)}, follow_redirects=True
    )
    assert answer.status_code == 200
    assert f"Not done: {past} is in the past" in text_of(answer.text)

    # A malformed field names itself.
    answer = own_client.post(
        f"/day/{run_days(days, today)[0]}/move",
        data={"csrf": csrf_of(form.text), "to": "someday"},
        follow_redirects=True,
    )
    assert "Not done: the new day 'someday' is not a date" in text_of(answer.text)
    answer = own_client.post(
        f"/day/{today.isoformat()}/unwell",
        data={"csrf": csrf_of(form.text), "days": "15", "level": "tired"},
        follow_redirects=True,
    )
    assert "Not done: days must be a whole number from 1 to 14" in text_of(answer.text)
    assert stored(own_page) == [race]
    assert plan_version(own_page) == version


def test_an_instruction_during_a_cycle_is_refused_with_try_again(
    own_client: TestClient, own_page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ampt_sync import service

    monkeypatch.setattr(service, "LOCK_WAIT_S", 0.3)
    day = run_days(plan_days(own_client), own_page.today())[0]
    form = own_client.get(f"/day/{day}")
    with service.cycle_lock(own_page.settings, own_page.environ):
        answer = own_client.post(
            f"/day/{day}/skip", data={"csrf": csrf_of(form.text)}, follow_redirects=True
        )
    assert answer.status_code == 200
    assert "Not done: another cycle is running" in text_of(answer.text)
    assert "try again" in text_of(answer.text)
    assert stored(own_page) == []


def test_an_unknown_action_is_not_found(own_client: TestClient, own_page: Page) -> None:
    day = own_page.today().isoformat()
    form = own_client.get(f"/day/{day}")
    answer = own_client.post(f"/day/{day}/explode", data={"csrf": csrf_of(form.text)})
    assert answer.status_code == 404
    assert stored(own_page) == []


def test_forms_need_a_session(client: TestClient, page: Page) -> None:
    day = page.today().isoformat()
    answer = client.post(f"/day/{day}/skip", data={"csrf": "x"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


# ---- FIT downloads --------------------------------------------------------------------------


def decoded(data: bytes) -> dict:
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit()
    assert decoder.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def test_each_workout_of_the_day_downloads_as_its_fit_file(
    signed_in: TestClient, page: Page
) -> None:
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    today = page.today()
    items = fit_workouts(plan, today, 7)
    assert items, "the demo's next week has workouts"
    kinds = set()
    for day, workout in items:
        name = fit_file_name(day, workout)
        href = f"/day/{day.isoformat()}/{name}"
        assert f'href="{href}"' in signed_in.get(f"/day/{day.isoformat()}").text
        answer = signed_in.get(href)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/vnd.ant.fit"
        assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
        assert answer.content == encode_workout(workout, day=day)
        messages = decoded(answer.content)
        assert messages["workout_mesgs"][0]["wkt_name"]
        kinds.add(workout.kind)
    assert WorkoutKind.STRENGTH in kinds or len(kinds) > 1
    # today's workouts are linked from / too
    front = signed_in.get("/").text
    for day, workout in fit_workouts(plan, today, 1):
        assert f'href="/day/{day.isoformat()}/{fit_file_name(day, workout)}"' in front


def test_a_fit_file_not_in_the_plan_is_not_found(signed_in: TestClient, page: Page) -> None:
    day = page.today().isoformat()
    answer = signed_in.get(f"/day/{day}/{day}_easy_nothing.fit")
    assert answer.status_code == 404
    assert "the plan may have changed" in text_of(answer.text)


def test_the_week_downloads_as_one_zip_of_its_fit_files(signed_in: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    today = page.today()
    monday = today - timedelta(days=today.weekday())
    href = f"/week/{monday.isoformat()}.zip"
    for path in ("/", "/plan", f"/day/{today.isoformat()}"):
        assert f'href="{href}"' in signed_in.get(path).text, path
    answer = signed_in.get(href)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert (
        answer.headers["content-disposition"]
        == f'attachment; filename="ampt-sync-week-{monday.isoformat()}.zip"'
    )
    expected = fit_workouts(plan, monday, 7)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [fit_file_name(d, w) for d, w in expected]
        for day, workout in expected:
            data = archive.read(fit_file_name(day, workout))
            assert data == encode_workout(workout, day=day)
            decoded(data)


def test_a_week_zip_must_start_on_a_monday(signed_in: TestClient, page: Page) -> None:
    today = page.today()
    tuesday = today - timedelta(days=today.weekday()) + timedelta(days=1)
    answer = signed_in.get(f"/week/{tuesday.isoformat()}.zip")
    assert answer.status_code == 404
    monday = tuesday - timedelta(days=1)
    assert f"/week/{monday.isoformat()}.zip" in text_of(answer.text)


def test_downloads_need_a_session(client: TestClient, page: Page) -> None:
    today = page.today()
    monday = today - timedelta(days=today.weekday())
    for path in (f"/week/{monday.isoformat()}.zip", f"/day/{today.isoformat()}/x.fit"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/signin")


# ------------------------------------------------------------------------------------------------
# the plan page's goal and run-days forms: the config changed, as `goal set` and `days` do


def post_plan_form(client: TestClient, action: str, fields: dict | list) -> str:
    form = client.get("/plan")
    assert form.status_code == 200
    assert f'action="/plan/{action}"' in form.text
    data = [("csrf", csrf_of(form.text)), *(fields.items() if isinstance(fields, dict) else fields)]
    answer = client.post(
        f"/plan/{action}",
        content="&".join(f"{k}={v}" for k, v in data),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/plan"
    return text_of(client.get("/plan").text)


def test_the_goal_form_changes_the_config_and_replans_and_undo_takes_it_back(
    own_client, own_page
) -> None:
    config = own_page.config_path
    assert config is not None
    before_text = config.read_text()
    before = plan_days(own_client)
    race_day = (own_page.today() + timedelta(weeks=14)).isoformat()
    shown = post_plan_form(
        own_client, "goal", {"distance": "10k", "date": race_day, "race": "City+10K"}
    )
    assert "Done #1: new goal: City 10K on" in shown
    assert 'distance = "10k"' in config.read_text()
    assert f"date = {race_day}" in config.read_text()
    (ins,) = stored(own_page)
    assert (ins.kind.value, ins.source) == ("goal", "web")
    document = own_client.get("/api/plan").json()
    assert document["goal"]["date"] == race_day
    assert document["goal"]["distance_m"] == 10000
    # the form now shows the goal in force
    assert f'value="{race_day}"' in own_client.get("/plan").text

    plan_page = own_client.get("/plan")
    undone = own_client.post(
        "/undo", data={"csrf": csrf_of(plan_page.text), "back": "/plan"}, follow_redirects=True
    )
    assert "Taken back #1: new goal: City 10K" in text_of(undone.text)
    assert config.read_text() == before_text
    assert plan_days(own_client) == before


def test_the_days_form_sets_new_run_days(own_client, own_page) -> None:
    today = own_page.today()
    fields = [("run", "mon"), ("run", "wed"), ("run", "fri"), ("run", "sun"), ("long", "sun")]
    shown = post_plan_form(own_client, "days", fields)
    assert "Done #1: run days Mon, Wed, Fri, Sun." in shown  # the long run stays on Sunday
    assert 'run_days = ["mon", "wed", "fri", "sun"]' in own_page.config_path.read_text()
    days = plan_days(own_client)
    for day in run_days(days, today):
        if date.fromisoformat(day) >= today + timedelta(days=7):
            assert date.fromisoformat(day).weekday() in (0, 2, 4, 6), day


def test_the_days_form_from_a_later_day_waits_for_it_and_undo_takes_it_back(
    own_client, own_page
) -> None:
    config = own_page.config_path
    assert config is not None
    before_text = config.read_text()
    before = plan_days(own_client)
    assert 'type="date" name="from"' in own_client.get("/plan").text
    start = own_page.today() + timedelta(days=5)
    fields = [("run", "mon"), ("run", "wed"), ("run", "fri"), ("run", "sun"), ("long", "sun")]
    shown = post_plan_form(own_client, "days", [*fields, ("from", start.isoformat())])
    assert f"Done #1: run days Mon, Wed, Fri, Sun from {dated_name(start)}." in shown
    assert f"The plan follows them from {day_label(start)}, when the config file is changed" in (
        shown
    )
    assert config.read_text() == before_text
    assert plan_days(own_client) == before
    (ins,) = stored(own_page)
    assert (ins.kind.value, ins.source, ins.day, ins.pending) == ("days", "web", start, True)

    plan_page = own_client.get("/plan")
    undone = own_client.post(
        "/undo", data={"csrf": csrf_of(plan_page.text), "back": "/plan"}, follow_redirects=True
    )
    assert "Taken back #1: run days Mon, Wed, Fri, Sun from" in text_of(undone.text)
    assert config.read_text() == before_text
    assert stored(own_page) == []


@pytest.mark.parametrize(
    ("action", "fields", "said"),
    [
        ("days", [("long", "sun")], "tick at least one day"),
        ("days", [("run", "mon"), ("long", "sun")], "must be one of your run days"),
        (
            "days",
            [
                ("run", "mon"),
                ("run", "wed"),
                ("run", "sun"),
                ("long", "sun"),
                ("from", "2020-01-01"),
            ],
            "the first day 2020-01-01 is in the past",
        ),
        ("goal", {"distance": "ultra", "date": "2030-01-01"}, "ultra"),
        ("goal", {"distance": "5k", "date": "2020-01-01"}, "is in the past"),
        ("goal", {"distance": "5k", "date": "2030-01-01", "target_time": "fast"}, "target_time"),
    ],
)
def test_a_bad_goal_or_days_form_is_refused_in_words_and_changes_nothing(
    own_client, own_page, action, fields, said
) -> None:
    before_text = own_page.config_path.read_text()
    shown = post_plan_form(own_client, action, fields)
    assert "Not done:" in shown
    assert said in shown
    assert own_page.config_path.read_text() == before_text
    assert stored(own_page) == []


def test_the_goal_form_without_its_csrf_token_is_refused(own_client, own_page) -> None:
    before_text = own_page.config_path.read_text()
    answer = own_client.post(
        "/plan/goal", data={"distance": "5k", "date": "2030-01-01"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert own_page.config_path.read_text() == before_text
    assert stored(own_page) == []
