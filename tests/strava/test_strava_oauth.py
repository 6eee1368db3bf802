"""The one-time authorisation against the simulated Strava, with the real stravalib: the URL,
paste-back parsing, the one-shot callback server, the code exchange and its errors."""

from __future__ import annotations

import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from strava_helpers import browser_get, follow_once

from ampt_sync.errors import AuthError, ConfigError, RemoteUnavailable
from ampt_sync.sim.strava import SIM_CLIENT_ID, SIM_CLIENT_SECRET, StravaSim
from ampt_sync.strava import oauth


def test_authorization_url_asks_for_read_all_with_a_forced_prompt_and_a_state(
    sim: StravaSim,
) -> None:
    state = oauth.new_state()
    url = oauth.authorization_url(
        SIM_CLIENT_ID, oauth.PASTE_REDIRECT_URI, state, base_url=sim.base_url
    )
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == sim.base_url
    assert parts.path == "/oauth/authorize"
    assert query == {
        "client_id": str(SIM_CLIENT_ID),
        "redirect_uri": "http://localhost/exchange_token",
        "approval_prompt": "force",
        "scope": "read,activity:read_all",
        "response_type": "code",
        "state": state,
    }
    assert len(state) >= 32
    assert oauth.new_state() != state


def test_the_real_strava_url_is_the_default() -> None:
    url = oauth.authorization_url(123, oauth.PASTE_REDIRECT_URI, "s")
    assert url.startswith("https://www.strava.com/oauth/authorize?")


def test_paste_back_exchanges_the_code_once(sim: StravaSim) -> None:
    state = oauth.new_state()
    url = oauth.authorization_url(
        SIM_CLIENT_ID, oauth.PASTE_REDIRECT_URI, state, base_url=sim.base_url
    )
    pasted = follow_once(url)
    assert pasted.startswith("http://localhost/exchange_token?")
    grant = oauth.parse_redirect(pasted, state)
    assert grant.scope == "read,activity:read_all"
    assert grant.code not in repr(grant)
    tokens = oauth.exchange_code(
        client_id=SIM_CLIENT_ID, client_secret=SIM_CLIENT_SECRET, grant=grant, base_url=sim.base_url
    )
    assert tokens.athlete_id == sim.athlete_id
    assert tokens.scope == "read,activity:read_all"
    assert tokens.expires_at > sim.now() + 5 * 3600
    assert tokens.refresh_token in sim.live_refresh_tokens
    with pytest.raises(AuthError, match="expired or was already used"):
        oauth.exchange_code(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            grant=grant,
            base_url=sim.base_url,
        )


def test_an_expired_code_says_run_auth_again(sim: StravaSim) -> None:
    grant = oauth.Grant(code=sim.authorize(), scope="read,activity:read_all")
    sim.advance(11 * 60)
    with pytest.raises(AuthError, match=r"expired or was already used.*ampt-sync auth strava"):
        oauth.exchange_code(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            grant=grant,
            base_url=sim.base_url,
        )


def test_a_wrong_client_secret_or_id_is_named(sim: StravaSim) -> None:
    grant = oauth.Grant(code=sim.authorize(), scope="")
    with pytest.raises(AuthError, match="refused the client secret"):
        oauth.exchange_code(
            client_id=SIM_CLIENT_ID, client_secret="wrong", grant=grant, base_url=sim.base_url
        )
    with pytest.raises(AuthError, match="does not know the client id 999"):
        oauth.exchange_code(
            client_id=999, client_secret=SIM_CLIENT_SECRET, grant=grant, base_url=sim.base_url
        )


def test_an_inactive_app_says_the_subscription_lapsed(sim: StravaSim) -> None:
    sim.app_inactive = True
    grant = oauth.Grant(code="whatever-code", scope="")
    with pytest.raises(AuthError, match=r"inactive.*subscription"):
        oauth.exchange_code(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            grant=grant,
            base_url=sim.base_url,
        )


def test_network_down_is_temporary() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RemoteUnavailable, match="cannot reach Strava"):
        oauth.exchange_code(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            grant=oauth.Grant("some-code", ""),
            base_url=f"http://127.0.0.1:{port}",
        )


def test_a_state_from_another_attempt_is_refused() -> None:
    with pytest.raises(AuthError, match="another sign-in attempt"):
        oauth.parse_redirect(
            "http://localhost/exchange_token?state=other&code=abc&scope=read,activity:read_all",
            "mine",
        )


def test_declining_on_stravas_page_says_so(sim: StravaSim) -> None:
    sim.consent.approve = False
    state = oauth.new_state()
    url = oauth.authorization_url(
        SIM_CLIENT_ID, oauth.PASTE_REDIRECT_URI, state, base_url=sim.base_url
    )
    with pytest.raises(AuthError, match="declined"):
        oauth.parse_redirect(follow_once(url), state)


def test_an_unticked_private_activities_box_is_refused(sim: StravaSim) -> None:
    sim.consent.scope = "read,activity:read"
    state = oauth.new_state()
    url = oauth.authorization_url(
        SIM_CLIENT_ID, oauth.PASTE_REDIRECT_URI, state, base_url=sim.base_url
    )
    with pytest.raises(AuthError, match="needs read,activity:read_all"):
        oauth.parse_redirect(follow_once(url), state)


def test_pasting_something_else_explains_what_to_paste() -> None:
    with pytest.raises(AuthError, match="no code="):
        oauth.parse_redirect("http://localhost/exchange_token", "s")


def test_code_option_takes_a_bare_code_or_the_whole_address() -> None:
    assert oauth.grant_from_code("  abc123  ") == oauth.Grant("abc123", "")
    grant = oauth.grant_from_code(
        "http://localhost/exchange_token?state=x&code=abc123&scope=read,activity:read_all"
    )
    assert grant == oauth.Grant("abc123", "read,activity:read_all")
    with pytest.raises(AuthError, match="needs"):
        oauth.grant_from_code("http://localhost/exchange_token?code=abc123&scope=read")


def test_callback_server_listens_on_loopback_only_and_closes_after_one_request(
    sim: StravaSim,
) -> None:
    state = oauth.new_state()
    server = oauth.CallbackServer(0, state)
    assert server.address[0] == "127.0.0.1"
    url = oauth.authorization_url(SIM_CLIENT_ID, server.redirect_uri, state, base_url=sim.base_url)
    answers: list[tuple[int, bytes]] = []
    browser = threading.Thread(target=lambda: answers.append(browser_get(url)))
    browser.start()
    grant = server.wait(timeout_s=5)
    browser.join(5)
    assert grant.scope == "read,activity:read_all"
    assert answers[0][0] == 200
    assert b"You can close this tab" in answers[0][1]
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", server.port), timeout=1),
    ):
        pass


def test_callback_server_shows_the_problem_in_the_browser_and_raises_it() -> None:
    state = oauth.new_state()
    server = oauth.CallbackServer(0, state)
    answers: list[tuple[int, bytes]] = []
    url = f"{server.redirect_uri}?state=nope&code=c&scope=read"
    browser = threading.Thread(target=lambda: answers.append(browser_get(url)))
    browser.start()
    with pytest.raises(AuthError, match="another sign-in attempt"):
        server.wait(timeout_s=5)
    browser.join(5)
    assert answers[0][0] == 400
    assert b"another sign-in attempt" in answers[0][1]


def test_callback_server_gives_up_after_its_timeout() -> None:
    server = oauth.CallbackServer(0, "s")
    with pytest.raises(AuthError, match="no browser came back"):
        server.wait(timeout_s=0.1)


def test_a_busy_port_is_reported_before_the_browser_is_opened() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match="already in use"):
            oauth.CallbackServer(taken.getsockname()[1], "s")
