"""The page's routes through Starlette's TestClient, over a store filled by the demo (real
cycles through the real stravalib and garminconnect clients against the simulators)."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from page_helpers import csrf_of
from starlette.testclient import TestClient

from ampt_sync import plan_json
from ampt_sync.demo import DemoState
from ampt_sync.plan_text import step_tree
from ampt_sync.status import collect_status
from ampt_sync.store import state
from ampt_sync.store.activities import load_activities
from ampt_sync.store.plans import load_plan, plan_changes, planned_workouts
from ampt_sync.units import format_distance
from ampt_sync.web import auth
from ampt_sync.web.app import Page, create_app
from ampt_sync.web.views import week_planned_m

PAGES = ["/", "/plan", "/day/2026-12-01", "/changes", "/status", "/charts"]
APIS = ["/api/plan", "/api/status"]
MAX_PAGE_BYTES = 150 * 1024


def text_of(body: str) -> str:
    """The page's text, tags dropped and entities decoded, whitespace squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


# ---- refusing without a session -------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_sends_the_browser_to_sign_in(
    client: TestClient, path: str
) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")


@pytest.mark.parametrize("path", APIS)
def test_the_api_without_a_session_answers_401(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 401
    assert "ampt-sync web link" in answer.json()["error"]


def test_healthz_needs_no_session_and_says_nothing_personal(
    client: TestClient, demo: DemoState
) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["alive"] is True
    assert body["healthy"] is True
    assert set(body) == {"alive", "daemon", "last_cycle_ok_at", "healthy"}
    assert demo.settings.athlete.name not in answer.text


def test_healthz_answers_503_when_no_cycle_succeeded_for_26_hours(
    demo: DemoState, page: Page
) -> None:
    page.clock = lambda: demo.now + timedelta(hours=27)
    with TestClient(create_app(page)) as late:
        answer = late.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["healthy"] is False


def test_the_calendar_feed_refuses_a_wrong_key(client: TestClient) -> None:
    answer = client.get("/calendar.ics?key=wrong")
    assert answer.status_code == 403
    assert "web link --calendar" in answer.text
    assert client.get("/calendar.ics").status_code == 403


# ---- signing in and out ----------------------------------------------------------------------


def test_a_sign_in_link_works_once(client: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    form = client.get(f"/signin?token={token}")
    csrf = csrf_of(form.text)
    first = client.post(
        "/signin", data={"csrf": csrf, "token": token, "next": "/plan"}, follow_redirects=False
    )
    assert first.status_code == 303
    assert first.headers["location"] == "/plan"
    assert client.get("/plan", follow_redirects=False).status_code == 200

    other = TestClient(client.app)
    form = other.get(f"/signin?token={token}")
    again = other.post("/signin", data={"csrf": csrf_of(form.text), "token": token})
    assert again.status_code == 403
    assert "already used" in again.text
    assert "ampt-sync web link" in again.text
    assert other.get("/", follow_redirects=False).status_code == 303


def test_an_expired_link_is_refused(client: TestClient, page: Page, demo: DemoState) -> None:
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now() - timedelta(minutes=11))
    form = client.get(f"/signin?token={token}")
    answer = client.post("/signin", data={"csrf": csrf_of(form.text), "token": token})
    assert answer.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_strict_signed_and_lasts_30_days(
    client: TestClient, page: Page
) -> None:
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    form = client.get(f"/signin?token={token}")
    answer = client.post(
        "/signin", data={"csrf": csrf_of(form.text), "token": token}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert "ampt_session=" in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert "Max-Age=2592000" in cookie
    assert token not in cookie
    tampered = TestClient(client.app, cookies={"ampt_session": "e30=.x.y"})
    assert tampered.get("/", follow_redirects=False).status_code == 303


def test_a_session_older_than_30_days_must_sign_in_again(
    signed_in: TestClient, page: Page, demo: DemoState
) -> None:
    assert signed_in.get("/", follow_redirects=False).status_code == 200
    page.clock = lambda: demo.now + timedelta(days=30, minutes=1)
    assert signed_in.get("/", follow_redirects=False).status_code == 303


def test_the_cookie_is_secure_behind_https(demo: DemoState, page: Page) -> None:
    page.settings = demo.settings.model_copy(
        update={"web": demo.settings.web.model_copy(update={"base_url": "https://run.example"})}
    )
    with TestClient(create_app(page), base_url="https://run.example") as secure:
        form = secure.get("/signin")
        assert "secure" in form.headers["set-cookie"].lower()


def test_password_sign_in_and_the_throttle(demo: DemoState, page: Page) -> None:
    with page.store.transaction() as session:
        auth.set_password(session, "a long password", now=page.now())
    try:
        with TestClient(create_app(page)) as browser:
            form = browser.get("/signin")
            assert 'type="password"' in form.text
            csrf = csrf_of(form.text)
            for _ in range(5):
                wrong = browser.post("/signin", data={"csrf": csrf, "password": "guess guess"})
                assert wrong.status_code == 403
                assert "Wrong password" in wrong.text
            blocked = browser.post("/signin", data={"csrf": csrf, "password": "a long password"})
            assert blocked.status_code == 429
            assert "Too many failed sign-ins" in blocked.text
            assert browser.get("/", follow_redirects=False).status_code == 303
        page.throttle = auth.Throttle()  # as after a restart
        with TestClient(create_app(page)) as fresh:
            csrf = csrf_of(fresh.get("/signin").text)
            ok = fresh.post(
                "/signin",
                data={"csrf": csrf, "password": "a long password"},
                follow_redirects=False,
            )
            assert ok.status_code == 303
            assert fresh.get("/", follow_redirects=False).status_code == 200
    finally:
        with page.store.transaction() as session:
            state.remove(session, auth.PASSWORD)


def test_a_post_without_the_csrf_token_is_refused(signed_in: TestClient, page: Page) -> None:
    refused = signed_in.post("/signout", data={})
    assert refused.status_code == 403
    assert "out of date" in refused.text
    refused = signed_in.post("/signout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert signed_in.get("/", follow_redirects=False).status_code == 200  # still signed in
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    stranger = TestClient(signed_in.app)
    assert stranger.post("/signin", data={"token": token}).status_code == 403


def test_signing_out_ends_the_session(signed_in: TestClient) -> None:
    csrf = csrf_of(signed_in.get("/").text)
    answer = signed_in.post("/signout", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert signed_in.get("/", follow_redirects=False).status_code == 303


def test_after_sign_in_the_browser_goes_only_to_a_path_on_this_site(
    client: TestClient, page: Page
) -> None:
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    form = client.get(f"/signin?token={token}&next=//evil.example/x")
    answer = client.post(
        "/signin",
        data={"csrf": csrf_of(form.text), "token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


# ---- what every page carries -----------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/signin"])
def test_every_page_forbids_outside_content_and_stays_small(
    signed_in: TestClient, path: str
) -> None:
    answer = signed_in.get(path)
    assert answer.status_code in (200, 501)  # 501: /charts before the charts are merged
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "http" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert len(answer.content) < MAX_PAGE_BYTES
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", answer.text)
    assert "<script" not in answer.text


# ---- what the pages show ---------------------------------------------------------------------


def test_today_shows_todays_workouts_in_full_and_the_horizon_on_garmin(
    signed_in: TestClient, demo: DemoState, page: Page
) -> None:
    body = signed_in.get("/").text
    shown = text_of(body)
    today = page.today()
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    todays = [
        w
        for _d, w in plan.workouts_between(today, today + timedelta(days=1))
        if w.kind.value != "rest"
    ]
    for workout in todays:
        assert workout.title in shown
        for line in step_tree(workout.steps, "mi"):
            assert line.text in shown
            if line.target:
                assert line.target in shown
    assert "on Garmin ✓" in shown
    assert "Last cycle" in shown
    assert "all went well" in shown


def test_the_plan_page_shows_every_week_with_planned_and_done_distance(
    signed_in: TestClient, page: Page
) -> None:
    body = signed_in.get("/plan").text
    shown = text_of(body)
    with page.store.transaction() as session:
        plan = load_plan(session)
        activities = load_activities(session)
    assert plan is not None
    today = page.today()
    for week in plan.weeks:
        planned = format_distance(week_planned_m(week), "mi")
        assert f"{planned} planned" in shown
        monday = week.days[0].day - timedelta(days=week.days[0].day.weekday())
        if monday <= today:
            done_m = sum(
                a.distance_m
                for a in activities
                if a.is_run and monday <= a.day < monday + timedelta(days=7)
            )
            assert f"{format_distance(done_m, 'mi')} done" in shown
    assert body.count('class="daycell today') == 1
    assert f'data-day="{today.isoformat()}"' in body
    assert "/km" not in shown  # the runner's units are miles


def test_the_plan_page_marks_past_workouts_as_the_store_has_them(
    signed_in: TestClient, page: Page
) -> None:
    body = signed_in.get("/plan").text
    with page.store.transaction() as session:
        rows = [r for r in planned_workouts(session) if r.status in ("done", "missed", "partial")]
    assert rows, "the demo should have done and missed workouts"
    marks = {"done": "✓", "partial": "½", "missed": "✗"}
    checked = 0
    for row in rows:
        item = re.search(rf'<li data-key="{row.key}">(.*?)</li>', body, re.S)
        if item is None:  # a workout the adaptation dropped from the plan in force
            continue
        assert marks[row.status] in item.group(1)
        checked += 1
    assert checked >= 5


def test_a_day_page_shows_the_workout_and_what_was_run(
    signed_in: TestClient, demo: DemoState, page: Page
) -> None:
    with page.store.transaction() as session:
        activities = load_activities(session, since=demo.run.start)
    run = next(a for a in activities if a.is_run)
    shown = text_of(signed_in.get(f"/day/{run.day.isoformat()}").text)
    assert run.name in shown
    assert format_distance(run.distance_m, "mi") in shown
    assert signed_in.get("/day/2026-13-01").status_code == 404
    assert "YYYY-MM-DD" in signed_in.get("/day/tomorrow").text


def test_changes_lists_every_change_newest_first(signed_in: TestClient, page: Page) -> None:
    shown = text_of(signed_in.get("/changes").text)
    with page.store.transaction() as session:
        changes = plan_changes(session, limit=500)
    assert changes, "the demo should have adapted the plan"
    positions = []
    for _version, change in changes:
        assert change.reason in shown
        positions.append((_version, shown.index(change.reason)))
    newest_version = max(v for v, _p in positions)
    oldest_version = min(v for v, _p in positions)
    if newest_version != oldest_version:
        first_new = min(p for v, p in positions if v == newest_version)
        first_old = min(p for v, p in positions if v == oldest_version)
        assert first_new < first_old


def test_status_shows_accounts_cycles_and_the_calendar_address(
    signed_in: TestClient, page: Page
) -> None:
    shown = text_of(signed_in.get("/status").text)
    with page.store.transaction() as session:
        key = auth.calendar_key(session, now=page.now())
    assert f"/calendar.ics?key={key}" in shown
    assert "Strava connected" in shown
    assert "Garmin connected" in shown
    assert "Last cycles" in shown
    assert "adapt" in shown
    assert "push" in shown
    # the Garmin column's marks are explained, and the days read with their weekday
    assert "✓ on Garmin · … waiting for the next push" in shown
    today = page.today()
    assert f"{today:%a} {today.day} {today:%b}" in shown


def test_api_plan_is_the_plans_documented_json(signed_in: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    assert signed_in.get("/api/plan").json() == json.loads(json.dumps(plan_json.plan_to_dict(plan)))


def test_api_status_is_what_status_json_prints(
    signed_in: TestClient, demo: DemoState, page: Page
) -> None:
    served = signed_in.get("/api/status").json()
    expected = collect_status(demo.config_path, now=page.now(), environ=demo.environ)
    assert set(served) == set(expected)
    assert served["tokens"]["strava"]["connected"] is True
    assert served["horizon"] == json.loads(json.dumps(expected["horizon"]))


def test_a_garmin_relogin_is_said_in_words_with_the_fix(signed_in: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        state.put(
            session, state.GARMIN_RELOGIN, {"since": "2026-12-01", "reason": "401"}, now=page.now()
        )
    try:
        shown = text_of(signed_in.get("/").text)
        assert "Garmin needs you to sign in again: run `ampt-sync auth garmin`" in shown
    finally:
        with page.store.transaction() as session:
            state.remove(session, state.GARMIN_RELOGIN)


def test_unknown_paths_are_404(signed_in: TestClient) -> None:
    assert signed_in.get("/nothing-here").status_code == 404
    assert signed_in.get("/api/nothing").status_code == 404


def test_a_signed_in_browser_arriving_from_another_site_can_go_on_from_the_sign_in_page(
    signed_in: TestClient,
) -> None:
    """SameSite=Strict keeps the cookie off a navigation from another app; the sign-in page then
    offers a same-site link, on which the browser sends it."""
    form = signed_in.get("/signin?next=/plan")
    assert '<a href="/plan" id="continue">' in form.text
    assert signed_in.get("/plan", follow_redirects=False).status_code == 200


def test_every_page_answers_on_a_fresh_store_without_a_plan(tmp_path) -> None:
    from page_helpers import sign_in

    from ampt_sync.config import parse_settings
    from ampt_sync.store.db import open_store

    settings = parse_settings(
        f'[goal]\ndistance = "10k"\ndate = 2027-03-01\n[storage]\nstate_dir = "{tmp_path}"\n',
        source="test",
    )
    store = open_store(settings.database_url())
    try:
        page = Page(settings=settings, store=store)
        with TestClient(create_app(page)) as fresh:
            sign_in(fresh, page)
            for path in ("/", "/plan", "/day/2026-12-24", "/changes", "/status", "/charts"):
                answer = fresh.get(path)
                assert answer.status_code == 200, path
            assert "no plan yet" in text_of(fresh.get("/").text)
            assert fresh.get("/api/plan").status_code == 404
            assert fresh.get("/api/status").status_code == 200
            assert fresh.get("/healthz").status_code == 503
    finally:
        store.close()
