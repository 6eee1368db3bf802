"""The page's steering buttons in a real browser (Debian's Chromium through Selenium), at phone
width, served by uvicorn on loopback over a copy of the demo's store: move, skip and "not feeling
100 %" change the plan the page shows; a form whose CSRF token was taken out of the DOM is refused
and stores nothing. Screenshots go to the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from page_helpers import free_port, own_copy
from web_browser import (
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
from ampt_sync.domain import InstructionKind, Plan, WorkoutKind
from ampt_sync.store.instructions import active_instructions
from ampt_sync.store.plans import load_plan
from ampt_sync.web.app import Page
from ampt_sync.web.serve import Listen, PageThread

QUALITY = {WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK, WorkoutKind.HILLS}


@pytest.fixture(scope="module")
def live(demo: DemoState, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Page]]:
    require_chromium()
    page = own_copy(demo, tmp_path_factory.mktemp("steer-store"))
    listen = Listen("127.0.0.1", free_port())
    thread = PageThread(page, listen)
    thread.start()
    try:
        yield f"http://{listen.host}:{listen.port}", page
    finally:
        thread.stop()
        page.store.close()


@pytest.fixture(scope="module")
def browser(live: tuple[str, Page], tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with chromium(tmp_path_factory.mktemp("chromium-steer-profile")) as driver:
        set_width(driver, PHONE)
        yield driver


def the_plan(page: Page) -> Plan:
    with page.store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    return plan


def the_instructions(page: Page) -> list:
    with page.store.transaction() as session:
        return active_instructions(session)


def run_days(plan: Plan, after: date) -> list[date]:
    return [
        d.day
        for d in plan.days()
        if d.day > after and any(w.is_run and w.kind is not WorkoutKind.RACE for w in d.workouts)
    ]


def run_key(plan: Plan, day: date) -> str:
    (planned,) = [d for d in plan.days() if d.day == day]
    return next(w.key for w in planned.workouts if w.is_run)


def keys_in_cell(browser, day: date) -> list[str]:
    from selenium.webdriver.common.by import By

    cell = browser.find_element(By.CSS_SELECTOR, f'.daycell[data-day="{day.isoformat()}"]')
    return [li.get_attribute("data-key") for li in cell.find_elements(By.CSS_SELECTOR, "li")]


def note(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "note").text


def no_overflow(browser) -> None:
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 1, f"{browser.current_url} is {overflow}px wider than the phone"


def test_move_at_phone_width_changes_the_plan_on_the_page(browser, live, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    base, page = live
    sign_in_with_a_link(browser, base, page)
    plan = the_plan(page)
    day = run_days(plan, page.today())[0]
    key = run_key(plan, day)
    browser.get(f"{base}/day/{day.isoformat()}")
    no_overflow(browser)
    shot(browser, tmp_path, "phone-day-forms")
    form = browser.find_element(By.CSS_SELECTOR, "form.move")
    choices = Select(form.find_element(By.NAME, "to"))
    target = date.fromisoformat(choices.options[-1].get_attribute("value"))
    choices.select_by_value(target.isoformat())
    click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))

    assert browser.current_url == f"{base}/day/{day.isoformat()}"
    assert "Done #" in note(browser)
    assert "move" in note(browser)
    shot(browser, tmp_path, "phone-day-moved")
    browser.get(f"{base}/plan")
    no_overflow(browser)
    assert key in keys_in_cell(browser, target)
    assert key not in keys_in_cell(browser, day)
    listed = browser.find_element(By.CSS_SELECTOR, "ul.instructions").text
    assert "move" in listed
    assert "from this page" in listed
    (instruction,) = [i for i in the_instructions(page) if i.kind is InstructionKind.MOVE]
    assert instruction.source == "web"
    shot(browser, tmp_path, "phone-plan-after-move")
    assert csp_violations(browser) == []


def test_skip_with_a_reason_at_phone_width(browser, live, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    plan = the_plan(page)
    day = run_days(plan, page.today())[1]
    key = run_key(plan, day)
    browser.get(f"{base}/day/{day.isoformat()}")
    boxes = browser.find_elements(By.CSS_SELECTOR, "section.workout")
    assert key in [b.get_attribute("data-key") for b in boxes]
    form = browser.find_element(By.CSS_SELECTOR, "form.skip")
    form.find_element(By.NAME, "why").send_keys("dentist")
    click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))

    assert "skip" in note(browser)
    assert "(dentist)" in note(browser)
    boxes = browser.find_elements(By.CSS_SELECTOR, "section.workout")
    assert key not in [b.get_attribute("data-key") for b in boxes]
    shot(browser, tmp_path, "phone-day-skipped")
    browser.get(f"{base}/plan")
    assert key not in keys_in_cell(browser, day)
    skips = [i for i in the_instructions(page) if i.kind is InstructionKind.SKIP]
    assert [(i.why, i.source) for i in skips] == [("dentist", "web")]


def test_not_feeling_100_percent_eases_today_and_the_next_days(
    browser, live, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    base, page = live
    sign_in_with_a_link(browser, base, page)
    today = page.today()
    browser.get(f"{base}/day/{today.isoformat()}")
    form = browser.find_element(By.CSS_SELECTOR, "form.unwell")
    days = form.find_element(By.NAME, "days")
    days.clear()
    days.send_keys("4")
    Select(form.find_element(By.NAME, "level")).select_by_value("tired")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button"))

    assert "tired, 4 days from" in note(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "form.unwell-end")  # it can be ended here
    shot(browser, tmp_path, "phone-today-unwell")
    plan = the_plan(page)
    eased = [
        w
        for d in plan.days()
        if today <= d.day < today + timedelta(days=4)
        for w in d.workouts
        if w.is_run
    ]
    assert not [w for w in eased if w.kind in QUALITY]
    browser.get(f"{base}/plan")
    for offset in range(4):
        cell = browser.find_element(
            By.CSS_SELECTOR, f'.daycell[data-day="{(today + timedelta(days=offset)).isoformat()}"]'
        )
        for kind in ("intervals", "tempo", "fartlek", "hills"):
            assert kind not in cell.text.lower()
    assert "tired, 4 days" in browser.find_element(By.CSS_SELECTOR, "ul.instructions").text


def test_a_form_without_its_csrf_token_is_refused_and_stores_nothing(
    browser, live, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    plan = the_plan(page)
    day = run_days(plan, page.today())[2]
    key = run_key(plan, day)
    before = the_instructions(page)
    browser.get(f"{base}/day/{day.isoformat()}")
    browser.execute_script("document.querySelector('form.skip input[name=csrf]').remove()")
    form = browser.find_element(By.CSS_SELECTOR, "form.skip")
    click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))

    assert browser.find_element(By.TAG_NAME, "h1").text == "Form out of date"
    shot(browser, tmp_path, "phone-csrf-refused")
    assert the_instructions(page) == before
    assert run_key(the_plan(page), day) == key


def test_new_run_days_from_the_plan_page_then_taken_back(browser, live, tmp_path: Path) -> None:
    """Last in the module: it makes the whole plan again."""
    from selenium.webdriver.common.by import By

    base, page = live
    sign_in_with_a_link(browser, base, page)
    config = page.config_path
    assert config is not None
    before_text = config.read_text()
    schedule = page.settings.schedule
    dropped = next(d for d in schedule.run_days if d != schedule.long_run_day)
    browser.get(f"{base}/plan")
    browser.find_element(By.CSS_SELECTOR, "details.settings summary").click()
    no_overflow(browser)
    shot(browser, tmp_path, "phone-plan-settings")
    form = browser.find_element(By.CSS_SELECTOR, "form.days")
    form.find_element(By.CSS_SELECTOR, f'input[name=run][value="{dropped}"]').click()
    click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))

    assert "Done #" in note(browser)
    assert "run days" in note(browser)
    kept = [d for d in schedule.run_days if d != dropped]
    assert f"run_days = {str(kept).replace(chr(39), chr(34))}" in config.read_text()
    (days,) = [i for i in the_instructions(page) if i.kind is InstructionKind.DAYS]
    assert days.source == "web"
    shot(browser, tmp_path, "phone-plan-new-days")

    click_and_wait(browser, browser.find_element(By.ID, "undo"))
    assert "Taken back" in note(browser)
    assert config.read_text() == before_text
    assert not [i for i in the_instructions(page) if i.kind is InstructionKind.DAYS]
