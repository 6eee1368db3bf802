"""/charts: the charts (ampt_sync.web.series and .charts) on the page."""

from __future__ import annotations

import html
import re

from page_helpers import sign_in
from starlette.testclient import TestClient
from web_browser import PHONE, chromium, click_and_wait, require_chromium, set_width

from ampt_sync.web.app import Page
from ampt_sync.web.series import build_charts


def charts_now(page: Page) -> list:
    with page.store.transaction() as session:
        return build_charts(session, page.settings, page.today())


def test_charts_page_shows_every_chart_with_its_text_alternative(
    signed_in: TestClient, page: Page
) -> None:
    answer = signed_in.get("/charts")
    assert answer.status_code == 200
    charts = charts_now(page)
    assert charts, "a demo store has weeks to chart"
    body = answer.text
    assert body.count("<svg") == len(charts)
    for chart in charts:
        assert f'id="{chart.slug}"' in body
        assert chart.svg in body  # inserted as it is, not escaped
        assert f'aria-label="{html.escape(chart.summary, quote=True)}"' in body
        assert html.escape(chart.title) in body
        if chart.explanation:
            assert html.escape(chart.explanation) in body
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", body)
    assert len(answer.content) < 150 * 1024


def test_charts_in_a_browser_draw_their_bars_within_a_phone_screen(
    client: TestClient, page: Page, tmp_path, demo
) -> None:
    require_chromium()
    from page_helpers import free_port
    from selenium.webdriver.common.by import By

    from ampt_sync.web import auth
    from ampt_sync.web.serve import Listen, PageThread

    sign_in(client, page)  # the store's secret exists; the browser signs in on its own below
    listen = Listen("127.0.0.1", free_port())
    thread = PageThread(page, listen)
    thread.start()
    try:
        with chromium(tmp_path / "profile") as driver:
            base = f"http://{listen.host}:{listen.port}"
            with page.store.transaction() as session:
                token = auth.new_sign_in_token(session, now=page.now())
            driver.get(f"{base}/signin?token={token}")
            click_and_wait(driver, driver.find_element(By.ID, "use-link"))
            set_width(driver, PHONE)
            driver.get(f"{base}/charts")
            charts = charts_now(page)
            figures = driver.find_elements(By.CSS_SELECTOR, "section.chart svg")
            assert len(figures) == len(charts)
            for chart in charts:
                drawn = driver.find_elements(
                    By.CSS_SELECTOR, f"section#{chart.slug} .bar, section#{chart.slug} .point"
                )
                assert len(drawn) == chart.bar_count, chart.slug
            for figure in figures:
                assert figure.size["width"] <= PHONE[0]
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 1
            refused = [e["message"] for e in driver.get_log("browser") if "Refused" in e["message"]]
            assert refused == [], "the charts break the Content-Security-Policy"
            driver.save_screenshot(str(tmp_path / "phone-charts.png"))
    finally:
        thread.stop()
