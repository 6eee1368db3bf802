"""The page in a real browser (Debian's Chromium through Selenium), served by uvicorn on
loopback over the demo's store: signing in with a link, every page at phone and desktop widths,
what is shown against the plan and the store, and refusals without a session or CSRF token.
Screenshots go to the test's temporary folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from page_helpers import free_port
from web_browser import (
    DESKTOP,
    PHONE,
    chromium,
    click_and_wait,
    csp_violations,
    require_chromium,
    set_width,
    shot,
    sign_in_with_a_link,
)

from ampt_sync.demo import DemoState
from ampt_sync.plan_text import step_tree
from ampt_sync.store.activities import load_activities
from ampt_sync.store.db import Store, open_store
from ampt_sync.store.plans import load_plan
from ampt_sync.units import format_distance
from ampt_sync.web.app import Page
from ampt_sync.web.serve import Listen, PageThread
from ampt_sync.web.views import week_planned_m

PAGES = ["/", "/plan", "/day/{today}", "/changes", "/status", "/charts"]


@pytest.fixture(scope="module")
def live(demo: DemoState) -> Iterator[tuple[str, Page]]:
    require_chromium()
    store: Store = open_store(demo.settings.database_url(demo.environ))
    page = Page(
        settings=demo.settings,
        store=store,
        config_path=demo.config_path,
        environ=demo.environ,
        clock=lambda: demo.now,
    )
    listen = Listen("127.0.0.1", free_port())
    thread = PageThread(page, listen)
    thread.start()
    try:
        yield f"http://{listen.host}:{listen.port}", page
    finally:
        thread.stop()
        store.close()


@pytest.fixture(scope="module")
def browser(live: tuple[str, Page], tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def test_every_page_at_phone_and_desktop_width(browser, live, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    today = page.today().isoformat()
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        set_width(browser, size)
        for path in PAGES:
            path = path.format(today=today)
            browser.get(base + path)
            assert "/signin" not in browser.current_url, path
            heading = browser.find_element(By.TAG_NAME, "h1").text
            assert heading, path
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 1, f"{path} is {overflow}px wider than a {size[0]}px screen"
            name = path.strip("/").replace("/", "-") or "today"
            shot(browser, tmp_path, f"{label}-{name}")
        assert csp_violations(browser) == []


def test_today_shows_the_workout_steps_as_planned(browser, live) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    set_width(browser, PHONE)
    browser.get(f"{base}/")
    today = page.today()
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    todays = [
        w
        for _d, w in plan.workouts_between(today, today + timedelta(days=1))
        if w.kind.value != "rest"
    ]
    boxes = browser.find_elements(By.CSS_SELECTOR, "section.workout")
    assert [b.get_attribute("data-key") for b in boxes] == [w.key for w in todays]
    for box, workout in zip(boxes, todays, strict=True):
        shown = [li.text for li in box.find_elements(By.CSS_SELECTOR, "ol.steps > li")]
        lines = step_tree(workout.steps, "mi")
        assert len(shown) == len(lines)
        for text, line in zip(shown, lines, strict=True):
            assert text.startswith(line.text)
            if line.target:
                assert line.target in text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.ahead tbody tr")
    assert len(rows) >= page.settings.sync.horizon_days
    assert any("on Garmin ✓" in row.text for row in rows)


def test_the_plan_shows_each_weeks_distances_from_the_plan_and_the_store(browser, live) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    set_width(browser, DESKTOP)
    browser.get(f"{base}/plan")
    with page.store.transaction() as session:
        plan = load_plan(session)
        activities = load_activities(session)
    assert plan is not None
    today = page.today()
    weeks = browser.find_elements(By.CSS_SELECTOR, "section.week")
    assert len(weeks) == len([w for w in plan.weeks if w.days])
    for section, week in zip(weeks, [w for w in plan.weeks if w.days], strict=True):
        title = section.find_element(By.TAG_NAME, "h2").text
        assert f"{format_distance(week_planned_m(week), 'mi')} planned" in title
        monday = week.days[0].day - timedelta(days=week.days[0].day.weekday())
        if monday <= today:
            done = sum(
                a.distance_m
                for a in activities
                if a.is_run and monday <= a.day < monday + timedelta(days=7)
            )
            assert f"{format_distance(done, 'mi')} done" in title
        assert len(section.find_elements(By.CSS_SELECTOR, ".daycell")) == 7
    marked = browser.find_elements(By.CSS_SELECTOR, ".daycell.today")
    assert [m.get_attribute("data-day") for m in marked] == [today.isoformat()]


def test_every_route_refuses_without_a_session(browser, live) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    browser.delete_all_cookies()
    today = page.today().isoformat()
    for path in PAGES:
        browser.get(base + path.format(today=today))
        assert "/signin" in browser.current_url, path
        assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    for path in ("/api/plan", "/api/status"):
        browser.get(base + path)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "sign in first" in json.loads(body)["error"]
    browser.get(f"{base}/calendar.ics?key=not-the-key")
    assert "not (or no longer) valid" in browser.find_element(By.TAG_NAME, "body").text


def test_a_post_without_the_csrf_token_is_refused(browser, live) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    browser.get(f"{base}/status")
    browser.execute_script("document.querySelector('nav form input[name=csrf]').remove()")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "nav form button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Form out of date"
    browser.get(f"{base}/")
    assert "/signin" not in browser.current_url  # still signed in
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "nav form button"))
    assert "/signin" in browser.current_url
    browser.get(f"{base}/")
    assert "/signin" in browser.current_url  # signed out
