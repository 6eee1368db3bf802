"""Logging: syslog priority prefixes under journald, and redaction of anything secret-shaped."""

from __future__ import annotations

import io
import logging

import pytest

from ampt_sync.logs import redact, register_secret, setup_logging


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_under_journald_every_line_carries_its_syslog_priority() -> None:
    stream = io.StringIO()
    setup_logging(stream=stream, environ={"JOURNAL_STREAM": "8:1234"})
    log = logging.getLogger("ampt_sync.test")
    log.info("pulled 3 activities")
    log.warning("Garmin answered slowly")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("cycle failed")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "<6>ampt_sync.test: pulled 3 activities"
    assert lines[1] == "<4>ampt_sync.test: Garmin answered slowly"
    assert lines[2] == "<3>ampt_sync.test: cycle failed"
    assert all(line.startswith("<3>") for line in lines[3:])  # the traceback keeps the level
    assert any("RuntimeError: boom" in line for line in lines[3:])


def test_on_a_terminal_info_is_quiet_unless_verbose() -> None:
    stream = io.StringIO()
    setup_logging(stream=stream, environ={})
    logging.getLogger("ampt_sync.test").info("chatter")
    assert stream.getvalue() == ""
    setup_logging(stream=stream, environ={}, verbose=True)
    logging.getLogger("ampt_sync.test").debug("detail")
    assert "DEBUG ampt_sync.test: detail" in stream.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d",
        "POST /oauth/token refresh_token=7d3e9a0b1c2d&client_secret=supersecretvalue",
        '{"access_token": "0a1b2c3d4e5f6a7b", "expires_at": 1}',
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "callback ?state=xyz&code=4f5e6d7c8b9a",
        "password: hunter2hunter2",
    ],
)
def test_secret_shaped_values_are_masked(text: str) -> None:
    masked = redact(text)
    for secret in (
        "0a1b2c3d4e5f6a7b8c9d",
        "7d3e9a0b1c2d",
        "supersecretvalue",
        "0a1b2c3d4e5f6a7b",
        "c2lnbmF0dXJl",
        "4f5e6d7c8b9a",
        "hunter2hunter2",
    ):
        assert secret not in masked
    assert "***" in masked


def test_registered_secrets_are_masked_wherever_they_appear() -> None:
    register_secret("plainlookingvalue42")
    stream = io.StringIO()
    setup_logging(stream=stream, environ={}, verbose=True)
    logging.getLogger("ampt_sync.test").debug("weird message plainlookingvalue42 here")
    assert "plainlookingvalue42" not in stream.getvalue()
    assert "weird message *** here" in stream.getvalue()


def test_on_a_terminal_no_traceback_unless_verbose_and_garminconnect_is_silent() -> None:
    stream = io.StringIO()
    setup_logging(stream=stream, environ={})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("ampt_sync.test").exception("cycle failed")
        logging.getLogger("garminconnect.api._common").exception("Connection error")
    assert stream.getvalue().splitlines()[-1].endswith("ERROR ampt_sync.test: cycle failed")
    assert "Traceback" not in stream.getvalue()
    assert "garminconnect" not in stream.getvalue()
    verbose = io.StringIO()
    setup_logging(stream=verbose, environ={}, verbose=True)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("garminconnect.api._common").exception("Connection error")
    assert "Traceback" in verbose.getvalue()
