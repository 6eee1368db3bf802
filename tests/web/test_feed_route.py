"""/calendar.ics: the feed (ampt_sync.web.feed) behind the page's own key."""

from __future__ import annotations

from starlette.testclient import TestClient

from ampt_sync.web import auth
from ampt_sync.web.app import Page
from ampt_sync.web.feed import calendar_feed


def test_the_feed_answers_with_the_key_and_only_with_it(client: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        key = auth.calendar_key(session, now=page.now())
        expected = calendar_feed(session, page.settings, base_url=None, now=page.now())
    answer = client.get(f"/calendar.ics?key={key}")  # no session: calendar apps cannot sign in
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.content == expected
    assert b"BEGIN:VCALENDAR" in answer.content
    assert client.get(f"/calendar.ics?key={key}x").status_code == 403


def test_a_new_key_retires_the_old_address(client: TestClient, page: Page) -> None:
    with page.store.transaction() as session:
        old = auth.calendar_key(session, now=page.now())
        new = auth.new_calendar_key(session, now=page.now())
    assert client.get(f"/calendar.ics?key={old}").status_code == 403
    assert client.get(f"/calendar.ics?key={new}").status_code == 200
