"""`ampt-sync init`'s questions: lenient reading, re-asking by key, optional keys, next steps."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ampt_sync.cli import wizard

RACE_DAY = date.today() + timedelta(weeks=20)


def _empty() -> dict[str, dict[str, Any]]:
    return {
        section: dict.fromkeys(q.key for q in wizard.questions("UTC") if q.section == section)
        for section in ("athlete", "goal", "schedule", "activities", "delivery", "strava")
    }


class Script:
    """Answers the questions in order, by a fragment of each question's text."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.said: list[str] = []

    def ask(self, question: str, default: str) -> str:
        self.asked.append(question)
        for fragment, queue in self.answers.items():
            if fragment in question and queue:
                return queue.pop(0)
        return default


@pytest.mark.parametrize(
    "text",
    ["2027-04-18", "2027/04/18", "18 Apr 2027", "18 April 2027", "Apr 18 2027", "April 18, 2027"],
)
def test_race_day_is_read_in_the_ways_runners_write_it(text: str) -> None:
    assert wizard.parse_day(text) == date(2027, 4, 18)


@pytest.mark.parametrize("text", ["04/18/2027", "18/04/2027", "next April", "2027-13-01"])
def test_an_ambiguous_or_wrong_date_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="expected 2027-04-18 or 18 Apr 2027"):
        wizard.parse_day(text)


def test_answers_are_read_as_runners_type_them_and_bad_ones_are_asked_again_by_key() -> None:
    data = _empty()
    script = Script(
        {
            "Units": ["miles"],
            "Goal distance": ["half marathon"],
            "Race day": ["18/04/27", RACE_DAY.strftime("%d %b %Y")],
            "weekly distance": ["lots", "25"],
            "Maximum heart rate": ["999", "186"],
            "Strength days": ["Tuesday, Friday"],
        }
    )
    wizard.ask_missing(data, "Europe/London", ask=script.ask, say=script.said.append)
    assert data["athlete"]["units"] == "mi"
    assert data["goal"]["distance"] == "half"
    assert data["goal"]["date"] == RACE_DAY
    assert data["athlete"]["weekly_distance"] == 25.0
    assert data["athlete"]["hr_max"] == 186
    assert data["schedule"]["strength_days"] == ["tue", "fri"]
    assert data["athlete"]["weight_kg"] is None  # skipped with an empty answer
    # each bad answer was named by its key and echoed, then asked again
    bad_date = "  goal.date: '18/04/27' is not a date; expected 2027-04-18 or 18 Apr 2027"
    assert bad_date in script.said
    assert "  athlete.weekly_distance: 'lots' is not a number" in script.said
    assert any(line.startswith("  athlete.hr_max:") and "'999'" in line for line in script.said), (
        script.said
    )
    assert sum("Race day" in q for q in script.asked) == 2
    # the optional keys come with a one-line why
    whys = [q.why for q in wizard.questions("UTC") if q.why]
    assert len(whys) == 4
    assert all(why in script.said for why in whys)


def test_flags_already_given_are_not_asked() -> None:
    data = _empty()
    data["goal"]["distance"] = "marathon"
    data["athlete"]["hr_max"] = 180
    script = Script({"Race day": [RACE_DAY.isoformat()]})
    wizard.ask_missing(data, "UTC", ask=script.ask, say=script.said.append)
    assert not any("Goal distance" in q or "heart rate" in q for q in script.asked)


def test_the_last_line_names_a_command_that_will_work() -> None:
    data = _empty()
    without = wizard.next_steps(data, "/home/sam/.config/ampt-sync/config.toml")
    assert "strava.client_id" in without
    assert without.index("client_id") < without.index("ampt-sync auth strava")
    assert "ampt-sync demo" in without
    data["strava"]["client_id"] = 12345
    assert wizard.next_steps(data, "x") == (
        "next: `ampt-sync auth strava`, then `ampt-sync auth garmin`"
    )


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("garmin", "garmin", "next: `ampt-sync auth garmin`"),
        ("garmin", "intervals", "next: `ampt-sync auth garmin`, then `ampt-sync auth intervals`"),
        ("intervals", "intervals", "next: `ampt-sync auth intervals`"),
        ("intervals", "none", "next: `ampt-sync auth intervals`"),
        ("strava", "none", "next: `ampt-sync auth strava`"),
    ],
)
def test_the_next_steps_follow_where_runs_come_from_and_where_workouts_go(
    source: str, target: str, expected: str
) -> None:
    data = _empty()
    data["activities"]["source"] = source
    data["delivery"]["target"] = target
    data["strava"]["client_id"] = 12345 if source == "strava" else None
    assert wizard.next_steps(data, "x") == expected


def test_runs_from_garmin_asks_no_strava_client_id() -> None:
    data = _empty()
    data["goal"]["distance"] = "10k"
    data["goal"]["date"] = RACE_DAY
    script = Script({"runs are read from": ["Garmin"], "workouts go": ["none"]})
    wizard.ask_missing(data, "UTC", ask=script.ask, say=script.said.append)
    assert data["activities"]["source"] == "garmin"
    assert data["delivery"]["target"] == "none"
    assert not any("Strava" in q for q in script.asked)
    script = Script({"runs are read from": ["garmin connect", "garmin"]})
    data["activities"]["source"] = None
    wizard.ask_missing(data, "UTC", ask=script.ask, say=script.said.append)
    assert "  activities.source: 'garmin connect' is not one of strava, garmin, intervals" in (
        script.said
    )


def _run_in_a_terminal(args: list[str], answers: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the real console script on a pseudo-terminal, typing ``answers``."""
    script = Path(sys.executable).with_name("ampt-sync")
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(script), *args], stdin=secondary, stdout=secondary, stderr=secondary, env=env
    )
    os.close(secondary)
    os.write(primary, answers.encode())
    output = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 30)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        output += chunk
    code = process.wait(timeout=30)
    os.close(primary)
    return code, output.decode(errors="replace")


def test_init_in_a_terminal_writes_a_config_from_what_the_runner_typed(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    answers = (
        "\n".join(
            [
                "Sam",  # name
                "Europe/London",  # time zone
                "miles",  # units
                "Spring Half",  # race
                "13.1",  # distance
                "tomorrow-ish",  # a bad date, asked again
                RACE_DAY.strftime("%B %d, %Y"),
                "",  # target time
                "",  # recent race
                "20",  # weekly distance
                "mon,wed,fri,sun",  # run days
                "sun",  # long-run day
                "",  # hills
                "",  # runs from: strava
                "",  # workouts to: garmin
                "",  # client id: later
                "",  # hr max
                "",  # weight
                "1970",  # birth year
                "",  # strength days
            ]
        )
        + "\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb", "COLUMNS": "200"}
    code, output = _run_in_a_terminal(["init", "--config", str(target)], answers, env)
    assert code == 0, output
    assert "goal.date: 'tomorrow-ish' is not a date" in output
    written = tomllib.loads(target.read_text(encoding="utf-8"))
    assert written["athlete"]["units"] == "mi"
    assert written["goal"]["distance"] == "half"
    assert written["goal"]["date"] == RACE_DAY
    assert written["athlete"]["birth_year"] == 1970
    assert "strava.client_id" in output.replace("\r\n", " ").replace("\n", " ")
