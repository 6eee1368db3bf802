"""The config file: every error is one line naming the file, the key, what was found and what
is expected; the lookup order; defaults; the past-goal warning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ampt_sync.config import (
    KEY_COMMENTS,
    Settings,
    find_config,
    load_config,
    parse_settings,
    render_config,
    user_config_path,
)
from ampt_sync.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
GOAL = '[goal]\ndistance = "half"\ndate = 2027-04-18\n'
LATEST_BIRTH_YEAR = date.today().year - 10


def error_for(text: str, tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, today=date(2026, 11, 22))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[athlete]\nnmae = "Sam"\n' + GOAL,
            "athlete.nmae: unknown key; did you mean athlete.name?",
        ),
        (
            '[atlete]\nname = "Sam"\n' + GOAL,
            "[atlete]: unknown section; did you mean [athlete]?",
        ),
        (
            '[athlete]\ntimezone = "Mars/Olympus"\n' + GOAL,
            "athlete.timezone: found 'Mars/Olympus', expected an IANA time zone name such as "
            "'America/New_York' (list them with `timedatectl list-timezones`)",
        ),
        (
            GOAL + '[schedule]\nrun_days = ["mon", "sun"]\n',
            "schedule.run_days: found 2 run days ['mon', 'sun'], expected at least 3 "
            "(a plan needs a long run, a quality day and an easy day)",
        ),
        (
            GOAL + '[schedule]\nrun_days = ["mon", "wed", "sat"]\nlong_run_day = "sun"\n',
            "schedule.long_run_day: found 'sun', expected one of schedule.run_days "
            "['mon', 'wed', 'sat']",
        ),
        (
            GOAL + '[schedule]\nlong_run_day = "sun"\nstrength_days = ["tue", "sat"]\n',
            "schedule.strength_days: found 'sat', the day before the long run ('sun'); "
            "expected strength days that leave the legs fresh for the long run",
        ),
        (
            "[goal]\ndate = 2027-04-18\n",
            "goal.distance: missing; add it to [goal] (expected 5k, 10k, half, marathon or metres)",
        ),
        (
            '[goal]\ndistance = "ultra"\ndate = 2027-04-18\n',
            "goal.distance: found 'ultra' is not a distance; expected 5k, 10k, half, marathon "
            "or metres",
        ),
        (
            '[goal]\ndistance = "half"\ndate = "next spring"\n',
            "goal.date: found 'next spring', expected a date such as 2027-04-18",
        ),
        (
            '[athlete]\nrecent_race = "10k fast"\n' + GOAL,
            "athlete.recent_race: found 'fast' is not a time; expected H:MM:SS or MM:SS",
        ),
        (
            "[athlete]\nhr_max = 180\nhr_rest = 190\n" + GOAL,
            "athlete.hr_rest: found 190, expected a resting heart rate from 25 to 120 bpm",
        ),
        (
            '[athlete]\nunits = "furlongs"\n' + GOAL,
            "athlete.units: found 'furlongs', expected 'km' or 'mi'",
        ),
        (
            GOAL + '[sync]\npush_at = "4:30am"\n',
            "sync.push_at: found '4:30am', expected a 24-hour local time such as '04:30'",
        ),
        (
            GOAL + "[sync]\nhorizon_days = 30\n",
            "sync.horizon_days: found 30, expected 1 to 14 days",
        ),
        (
            GOAL + "[sync]\npoll_minutes = 1\n",
            "sync.poll_minutes: found 1, expected 0 (no polling) or 5 to 1440 minutes",
        ),
        (
            GOAL + '[secrets]\nbackend = "plaintext"\n',
            "secrets.backend: found 'plaintext', expected 'auto', 'keyring' or 'file'",
        ),
        (
            GOAL + '[alerts]\nntfy_url = "ntfy.sh/topic"\n',
            "alerts.ntfy_url: found 'ntfy.sh/topic', expected an http:// or https:// URL, or ''",
        ),
        (
            GOAL + '[strava]\nclient_id = "abc"\n',
            "strava.client_id: found 'abc', expected a valid integer, unable to parse string "
            "as an integer",
        ),
        (
            "[athlete]\nbirth_year = 1850\n" + GOAL,
            "athlete.birth_year: found 1850, expected a year of birth such as 1968 "
            f"(1900 to {LATEST_BIRTH_YEAR})",
        ),
        (
            f"[athlete]\nbirth_year = {LATEST_BIRTH_YEAR + 1}\n" + GOAL,
            f"athlete.birth_year: found {LATEST_BIRTH_YEAR + 1}, expected a year of birth such "
            f"as 1968 (1900 to {LATEST_BIRTH_YEAR})",
        ),
        (
            '[athlete]\nbirth_year = "1968"\n' + GOAL,
            "athlete.birth_year: found '1968', expected a year of birth such as 1968 "
            f"(1900 to {LATEST_BIRTH_YEAR})",
        ),
        (
            "[athlete]\nbirth_year = true\n" + GOAL,
            "athlete.birth_year: found True, expected a year of birth such as 1968 "
            f"(1900 to {LATEST_BIRTH_YEAR})",
        ),
        (
            GOAL + 'hot = "yes"\n',
            "goal.hot: found 'yes', expected true or false (or no key: a rule of thumb by "
            "month and time zone)",
        ),
        (
            GOAL + "hot = 1\n",
            "goal.hot: found 1, expected true or false (or no key: a rule of thumb by month "
            "and time zone)",
        ),
    ],
)
def test_each_config_error_is_one_line_naming_key_found_and_expected(
    text: str, expected: str, tmp_path: Path
) -> None:
    assert error_for(text, tmp_path) == expected


def test_invalid_toml_names_the_file_and_the_position(tmp_path: Path) -> None:
    message = error_for("[athlete\nname = 1\n", tmp_path)
    assert message.startswith("not valid TOML: ")
    assert "line 1" in message


def test_a_config_with_only_the_goal_gets_documented_defaults(write_config) -> None:
    settings = load_config(write_config(GOAL), today=date(2026, 11, 22)).settings
    assert settings.athlete.name == "Runner"
    assert settings.athlete.units == "km"
    assert settings.schedule.run_days == ["tue", "thu", "sat", "sun"]
    assert settings.schedule.long_run_day == "sun"
    assert settings.schedule.strength_days is None
    assert settings.sync.push_at == "04:30"
    assert settings.sync.adapt_at == "20:00"
    assert settings.sync.horizon_days == 7
    assert settings.sync.poll_minutes == 60
    assert settings.strava.backfill_days == 112
    assert settings.secrets.backend == "auto"
    assert settings.athlete.timezone  # the server's zone, never empty


def test_birth_year_and_hot_are_optional_and_reach_the_domain(write_config) -> None:
    plain = load_config(write_config(GOAL), today=date(2026, 11, 22)).settings
    assert (plain.athlete.birth_year, plain.goal.hot) == (None, None)
    assert plain.athlete_domain().birth_year is None
    assert plain.goal_domain().hot is None
    for birth_year, hot in ((1968, True), (1900, False), (LATEST_BIRTH_YEAR, True)):
        path = write_config(
            f"[athlete]\nbirth_year = {birth_year}\n{GOAL}hot = {str(hot).lower()}\n",
            name=f"c{birth_year}.toml",
        )
        settings = load_config(path, today=date(2026, 11, 22)).settings
        assert settings.athlete_domain().birth_year == birth_year
        assert settings.goal_domain().hot is hot


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2018, 6, 30), 49),  # before 1 July: not yet 50
        (date(2018, 7, 1), 50),  # the assumed birthday
        (date(2018, 12, 31), 50),
        (date(2019, 1, 1), 50),
        (date(2019, 7, 1), 51),
    ],
)
def test_age_counts_whole_years_from_1_july_of_the_birth_year(day: date, age: int) -> None:
    athlete = parse_settings("[athlete]\nbirth_year = 1968\n" + GOAL, source="x").athlete_domain()
    assert athlete.age_on(day) == age


def test_without_a_birth_year_the_age_is_unknown() -> None:
    assert parse_settings(GOAL, source="x").athlete_domain().age_on(date(2027, 1, 1)) is None


def test_rendered_birth_year_and_hot_load_back() -> None:
    text = render_config(
        {
            "athlete": {"birth_year": 1968},
            "goal": {"distance": "10k", "date": date(2027, 5, 1), "hot": False},
        }
    )
    assert "birth_year = 1968" in text
    assert "hot = false" in text
    loaded = parse_settings(text, source="rendered")
    assert (loaded.athlete.birth_year, loaded.goal.hot) == (1968, False)


def test_goal_in_the_past_is_a_warning_not_an_error(write_config) -> None:
    path = write_config('[goal]\ndistance = "10k"\ndate = 2026-04-18\n')
    loaded = load_config(path, today=date(2026, 11, 22))
    assert loaded.warnings == (
        "goal.date 2026-04-18 is in the past: the plan goes on with recovery and maintenance "
        "after the race; set a new goal in the config file",
    )
    assert load_config(path, today=date(2026, 4, 18)).warnings == ()


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = REPO / "config" / "ampt-sync.example.toml"
    settings = parse_settings(example.read_text(encoding="utf-8"), source=str(example))
    text = example.read_text(encoding="utf-8")
    for section, model in Settings.model_fields.items():
        assert f"[{section}]" in text
        for key in model.annotation.model_fields:  # type: ignore[union-attr]
            assert f"{key} =" in text, f"{section}.{key} is not in the example config"
            assert key in KEY_COMMENTS[section]
    assert settings.goal_domain().distance_m == 21097.5
    assert settings.athlete_domain().weekly_distance_m == pytest.approx(30 * 1609.344)


def test_domain_views_convert_units_and_weekdays(write_config) -> None:
    path = write_config(
        '[athlete]\nunits = "mi"\nrecent_race = "half 1:50:00"\nweekly_distance = 20\n'
        '[goal]\ndistance = 15000\ndate = 2027-01-01\ntarget_time = "1:10:00"\n'
        '[schedule]\nrun_days = ["Monday", "wed", "fri", "sun"]\nlong_run_day = "sun"\n'
    )
    settings = load_config(path, today=date(2026, 11, 22)).settings
    athlete = settings.athlete_domain()
    assert athlete.schedule.run_days == (0, 2, 4, 6)
    assert athlete.schedule.long_run_day == 6
    assert athlete.recent_race is not None
    assert athlete.recent_race.distance_m == 21097.5
    assert athlete.recent_race.duration_s == 6600
    assert athlete.weekly_distance_m == pytest.approx(32186.88)
    goal = settings.goal_domain()
    assert (goal.distance_m, goal.target_s, goal.race) == (15000, 4200, "9.3 mi")


class TestLookupOrder:
    def test_explicit_path_wins_over_everything(self, write_config, monkeypatch) -> None:
        explicit = write_config(name="explicit.toml")
        env = write_config(name="env.toml")
        monkeypatch.setenv("AMPT_SYNC_CONFIG", str(env))
        user = user_config_path()
        user.parent.mkdir(parents=True)
        user.write_text(GOAL)
        assert find_config(explicit) == explicit

    def test_environment_variable_comes_second(self, write_config, monkeypatch) -> None:
        env = write_config(name="env.toml")
        monkeypatch.setenv("AMPT_SYNC_CONFIG", str(env))
        user = user_config_path()
        user.parent.mkdir(parents=True)
        user.write_text(GOAL)
        assert find_config(None) == env

    def test_user_config_dir_comes_third(self, isolated_env: Path) -> None:
        user = user_config_path()
        assert user == isolated_env / ".config" / "ampt-sync" / "config.toml"
        user.parent.mkdir(parents=True)
        user.write_text(GOAL)
        assert find_config(None) == user

    def test_system_config_is_the_last_resort(self, tmp_path: Path, monkeypatch) -> None:
        system = tmp_path / "etc" / "config.toml"
        system.parent.mkdir()
        system.write_text(GOAL)
        monkeypatch.setattr("ampt_sync.config.SYSTEM_CONFIG_PATH", system)
        assert find_config(None) == system

    def test_a_missing_explicit_path_is_an_error_not_a_fallback(self, tmp_path: Path) -> None:
        user = user_config_path()
        user.parent.mkdir(parents=True)
        user.write_text(GOAL)
        with pytest.raises(ConfigError, match=r"no such config file \(given by --config\)"):
            find_config(tmp_path / "missing.toml")

    def test_nothing_found_says_where_it_looked_and_what_to_do(self, monkeypatch, tmp_path) -> None:
        monkeypatch.setattr("ampt_sync.config.SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
        with pytest.raises(
            ConfigError, match=r"no config file found \(looked in .*`ampt-sync init`"
        ):
            find_config(None)


def test_state_dir_prefers_config_then_systemd_then_user_dir(write_config, isolated_env) -> None:
    settings = load_config(write_config(GOAL), today=date(2026, 11, 22)).settings
    assert settings.state_dir({}) == isolated_env / ".local" / "state" / "ampt-sync"
    assert settings.state_dir({"STATE_DIRECTORY": "/var/lib/ampt-sync:/other"}) == Path(
        "/var/lib/ampt-sync"
    )
    pinned = load_config(
        write_config(GOAL + '[storage]\nstate_dir = "/srv/ampt"\n', name="pinned.toml"),
        today=date(2026, 11, 22),
    ).settings
    assert pinned.state_dir({"STATE_DIRECTORY": "/var/lib/ampt-sync"}) == Path("/srv/ampt")
    assert pinned.database_url({}) == "sqlite:////srv/ampt/ampt-sync.db"


def test_rendered_config_loads_back_equal() -> None:
    data = {
        "athlete": {"name": "Sam", "timezone": "Europe/Berlin", "units": "mi", "hr_max": 190},
        "goal": {"race": "Spring 10", "distance": 16093.44, "date": date(2027, 5, 1)},
        "schedule": {"run_days": ["mon", "wed", "fri", "sun"], "strength_days": ["mon"]},
        "storage": {"state_dir": Path("/tmp/x")},
    }
    text = render_config(data)
    loaded = parse_settings(text, source="rendered")
    assert loaded.athlete.hr_max == 190
    assert loaded.goal.distance == 16093.44
    assert loaded.schedule.strength_days == ["mon"]
    assert loaded.storage.state_dir == Path("/tmp/x")


def test_a_goal_more_than_two_years_away_is_an_error(tmp_path: Path) -> None:
    assert error_for('[goal]\ndistance = "half"\ndate = 2207-04-18\n', tmp_path) == (
        "goal.date: found 2207-04-18, expected a race within two years (the build-up takes at "
        "most 30 weeks; set the goal when it is nearer)"
    )


def test_an_unnamed_goal_is_named_after_its_distance_in_the_runners_units() -> None:
    text = '[athlete]\nunits = "mi"\n[goal]\ndistance = 15000\ndate = 2027-04-18\n'
    assert parse_settings(text, source="x").goal_domain().race == "9.3 mi"
    assert parse_settings(GOAL, source="x").goal_domain().race == "Half marathon"
