"""The config file: where it is, what it may say, and what it means.

Lookup order (first hit wins): ``--config PATH``, ``$AMPT_SYNC_CONFIG``, the user config dir
(``~/.config/ampt-sync/config.toml`` on Linux), ``/etc/ampt-sync/config.toml``. A path given
explicitly must exist.

The keys are the user-facing contract (see ``config/ampt-sync.example.toml``); they may gain
siblings but are never renamed. Every error is a :class:`~ampt_sync.errors.ConfigError` of one line
naming the file, the key, what was found and what is expected.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ampt_sync import units as unitlib
from ampt_sync.domain import WEEKDAYS, Athlete, Goal, RaceResult, Schedule
from ampt_sync.errors import ConfigError

APP_NAME = "ampt-sync"
SYSTEM_CONFIG_PATH = Path("/etc/ampt-sync/config.toml")
ENV_CONFIG = "AMPT_SYNC_CONFIG"

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

#: The youngest runner ``athlete.birth_year`` allows, in years (a typo guard, not a rule).
MIN_AGE_YEARS = 10


def system_timezone() -> str:
    """The server's IANA zone name, or ``"UTC"`` when it cannot be told."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
    except Exception:
        name = None
    return name or "UTC"


def user_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _weekday(value: Any, what: str) -> str:
    if not isinstance(value, str) or value.strip().lower()[:3] not in WEEKDAYS:
        raise ValueError(f"found {value!r}, expected {what} from {', '.join(WEEKDAYS)}")
    return value.strip().lower()[:3]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AthleteConfig(_Section):
    name: str = "Runner"
    timezone: str = Field(default="", validate_default=True)  # "" = the server's zone
    units: Literal["km", "mi"] = "km"
    hr_max: int | None = None
    hr_rest: int | None = None
    weight_kg: float | None = None
    recent_race: str | None = None
    weekly_distance: float | None = None
    birth_year: int | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not value:
            return system_timezone()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"found {value!r}, expected an IANA time zone name such as 'America/New_York' "
                "(list them with `timedatectl list-timezones`)"
            ) from None
        return value

    @field_validator("hr_max")
    @classmethod
    def _hr_max(cls, value: int | None) -> int | None:
        if value is not None and not 100 <= value <= 240:
            raise ValueError(f"found {value}, expected a maximum heart rate from 100 to 240 bpm")
        return value

    @field_validator("hr_rest")
    @classmethod
    def _hr_rest(cls, value: int | None, info: Any) -> int | None:
        if value is None:
            return value
        if not 25 <= value <= 120:
            raise ValueError(f"found {value}, expected a resting heart rate from 25 to 120 bpm")
        hr_max = info.data.get("hr_max")
        if hr_max is not None and value >= hr_max:
            raise ValueError(f"found {value}, expected less than athlete.hr_max ({hr_max})")
        return value

    @field_validator("weight_kg")
    @classmethod
    def _weight(cls, value: float | None) -> float | None:
        if value is not None and not 25 <= value <= 250:
            raise ValueError(f"found {value:g}, expected a body mass from 25 to 250 kg")
        return value

    @field_validator("recent_race")
    @classmethod
    def _race(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            unitlib.parse_race_result(value)
        except ValueError as exc:
            raise ValueError(f"found {exc}") from None
        return value

    @field_validator("weekly_distance")
    @classmethod
    def _weekly(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 400:
            raise ValueError(f"found {value:g}, expected a weekly volume from 0 to 400 (in units)")
        return value

    @field_validator("birth_year", mode="before")
    @classmethod
    def _birth_year(cls, value: Any) -> int | None:
        if value is None:
            return value
        latest = date.today().year - MIN_AGE_YEARS
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= latest:
            raise ValueError(
                f"found {value!r}, expected a year of birth such as 1968 (1900 to {latest})"
            )
        return value


class GoalConfig(_Section):
    race: str = ""
    distance: str | float
    date: date
    target_time: str | None = None
    hot: bool | None = None  # None: a rule of thumb by month and time zone decides

    @field_validator("distance", mode="before")
    @classmethod
    def _distance(cls, value: Any) -> str | float:
        try:
            unitlib.parse_race_distance_m(value)
        except ValueError as exc:
            raise ValueError(f"found {exc}") from None
        return value

    @field_validator("target_time")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            unitlib.parse_duration_s(value)
        except ValueError as exc:
            raise ValueError(f"found {exc}") from None
        return value

    @field_validator("hot", mode="before")
    @classmethod
    def _hot(cls, value: Any) -> bool | None:
        if value is not None and not isinstance(value, bool):
            raise ValueError(
                f"found {value!r}, expected true or false (or no key: a rule of thumb by month "
                "and time zone)"
            )
        return value


class ScheduleConfig(_Section):
    run_days: list[str] = ["tue", "thu", "sat", "sun"]
    long_run_day: str = "sun"
    strength_days: list[str] | None = None
    hills: Literal["outdoor", "treadmill", "garage"] = "outdoor"

    @field_validator("run_days", mode="before")
    @classmethod
    def _run_days(cls, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise ValueError(f"found {value!r}, expected a list such as ['tue', 'thu', 'sun']")
        days = [_weekday(v, "day names") for v in value]
        if len(set(days)) != len(days):
            raise ValueError(f"found {value!r}, expected each day once")
        if len(days) < 3:
            raise ValueError(
                f"found {len(days)} run day{'s' if len(days) != 1 else ''} {days!r}, "
                "expected at least 3 (a plan needs a long run, a quality day and an easy day)"
            )
        return sorted(days, key=WEEKDAYS.index)

    @field_validator("long_run_day", mode="before")
    @classmethod
    def _long_run_day(cls, value: Any, info: Any) -> str:
        day = _weekday(value, "a day name")
        run_days = info.data.get("run_days")
        if run_days is not None and day not in run_days:
            raise ValueError(f"found {day!r}, expected one of schedule.run_days {run_days!r}")
        return day

    @field_validator("strength_days", mode="before")
    @classmethod
    def _strength_days(cls, value: Any, info: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            raise ValueError(f"found {value!r}, expected a list such as ['tue', 'fri']")
        days = [_weekday(v, "day names") for v in value]
        if len(set(days)) != len(days) or not 1 <= len(days) <= 3:
            raise ValueError(f"found {value!r}, expected one to three different days")
        long_day = info.data.get("long_run_day")
        if long_day is not None:
            eve = WEEKDAYS[(WEEKDAYS.index(long_day) - 1) % 7]
            if eve in days:
                raise ValueError(
                    f"found {eve!r}, the day before the long run ({long_day!r}); expected "
                    "strength days that leave the legs fresh for the long run"
                )
        return sorted(days, key=WEEKDAYS.index)


class SyncConfig(_Section):
    push_at: str = "04:30"
    adapt_at: str = "20:00"
    horizon_days: int = 7
    poll_minutes: int = 60
    garmin_write_interval_s: float = 1.0

    @field_validator("push_at", "adapt_at", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> str:
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        if not isinstance(value, str) or not _HHMM.match(value):
            raise ValueError(f"found {value!r}, expected a 24-hour local time such as '04:30'")
        return value

    @field_validator("horizon_days")
    @classmethod
    def _horizon(cls, value: int) -> int:
        if not 1 <= value <= 14:
            raise ValueError(f"found {value}, expected 1 to 14 days")
        return value

    @field_validator("poll_minutes")
    @classmethod
    def _poll(cls, value: int) -> int:
        # 5 minutes is 288 reads a day, well inside Strava's 1,000; 0 switches polling off.
        if value != 0 and not 5 <= value <= 1440:
            raise ValueError(f"found {value}, expected 0 (no polling) or 5 to 1440 minutes")
        return value

    @field_validator("garmin_write_interval_s")
    @classmethod
    def _write_interval(cls, value: float) -> float:
        # Garmin has no published limit; about one write a second has kept accounts unblocked.
        if not 0 <= value <= 10:
            raise ValueError(f"found {value:g}, expected 0 to 10 seconds")
        return value

    def push_time(self) -> time:
        return time.fromisoformat(self.push_at)

    def adapt_time(self) -> time:
        return time.fromisoformat(self.adapt_at)


class StravaConfig(_Section):
    client_id: int | None = None
    backfill_days: int = 112

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError(
                f"found {value}, expected the Client ID shown at strava.com/settings/api"
            )
        return value

    @field_validator("backfill_days")
    @classmethod
    def _backfill(cls, value: int) -> int:
        if not 7 <= value <= 3650:
            raise ValueError(f"found {value}, expected 7 to 3650 days")
        return value


#: The activity sources ``[activities] source`` accepts.
ACTIVITY_SOURCES = ("strava", "garmin", "intervals")


class ActivitiesConfig(_Section):
    """Where the runner's runs are read from: ``"strava"`` (the default), ``"garmin"`` (Garmin
    Connect, through the same sign-in the push uses) or ``"intervals"`` (intervals.icu, with the
    API key `ampt-sync auth intervals` stores); with either of the last two no Strava account is
    needed."""

    source: str = "strava"

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value not in ACTIVITY_SOURCES:
            raise ValueError(f'found {value!r}, expected "strava", "garmin" or "intervals"')
        return value


class StorageConfig(_Section):
    state_dir: Path | None = None
    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                "found a value that is not a database URL, expected e.g. "
                "'sqlite:////var/lib/ampt-sync/ampt-sync.db' or 'postgresql+psycopg://…'"
            ) from None
        return value


class DeliveryConfig(_Section):
    """Where the plan's workouts go: ``garmin`` (Garmin Connect, the unofficial API),
    ``intervals`` (intervals.icu, which passes them to the watch through the official route) or
    ``none`` (no push: FIT files with `ampt-sync export fit` and the calendar feed only)."""

    target: Literal["garmin", "intervals", "none"] = "garmin"


class SecretsConfig(_Section):
    backend: Literal["auto", "keyring", "file"] = "auto"


class AlertsConfig(_Section):
    ntfy_url: str = ""
    webhook_url: str = ""
    #: A dead-man's switch in the healthchecks.io style (see :mod:`ampt_sync.deadman`).
    ping_url: str = ""

    @field_validator("ntfy_url", "webhook_url", "ping_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"found {value!r}, expected an http:// or https:// URL, or ''")
        return value


#: ``web.listen``'s default: the page on this machine only.
DEFAULT_WEB_LISTEN = "127.0.0.1:8765"
_LISTEN = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):(?P<port>\d{1,5})$")


class WebConfig(_Section):
    """The runner's page. ``listen`` is ``"host:port"`` (``"[::1]:8765"`` for IPv6) or ``""``
    for no page; ``base_url`` the address the runner opens when a reverse proxy is in front."""

    listen: str = DEFAULT_WEB_LISTEN
    base_url: str = ""

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        match = _LISTEN.match(value)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise ValueError(
                f'found {value!r}, expected "host:port" such as "127.0.0.1:8765" or '
                '"0.0.0.0:8765" (port 1 to 65535), or "" for no page'
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
            raise ValueError(
                f"found {value!r}, expected an http:// or https:// URL such as "
                '"https://run.example.org" (no query), or ""'
            )
        return value.rstrip("/")

    def host_port(self) -> tuple[str, int] | None:
        """``(host, port)`` to listen on, or ``None`` when the page is off."""
        match = _LISTEN.match(self.listen)
        if match is None:
            return None
        return (match["v6"] or match["host"], int(match["port"]))


class Settings(BaseModel):
    """The whole validated config. Sections mirror the TOML tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    athlete: AthleteConfig = Field(default_factory=AthleteConfig)
    goal: GoalConfig
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    strava: StravaConfig = Field(default_factory=StravaConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    activities: ActivitiesConfig = Field(default_factory=ActivitiesConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    web: WebConfig = Field(default_factory=WebConfig)

    # ---- what the settings mean -------------------------------------------------------------

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.athlete.timezone)

    def schedule_domain(self) -> Schedule:
        s = self.schedule
        return Schedule(
            run_days=tuple(WEEKDAYS.index(d) for d in s.run_days),
            long_run_day=WEEKDAYS.index(s.long_run_day),
            strength_days=None
            if s.strength_days is None
            else tuple(WEEKDAYS.index(d) for d in s.strength_days),
            hills=s.hills,
        )

    def athlete_domain(self) -> Athlete:
        a = self.athlete
        recent = None
        if a.recent_race is not None:
            distance_m, duration_s = unitlib.parse_race_result(a.recent_race)
            recent = RaceResult(distance_m=distance_m, duration_s=duration_s)
        weekly_m = (
            None
            if a.weekly_distance is None
            else a.weekly_distance * unitlib.metres_per_unit(a.units)
        )
        return Athlete(
            name=a.name,
            timezone=a.timezone,
            units=a.units,
            schedule=self.schedule_domain(),
            hr_max_bpm=a.hr_max,
            hr_rest_bpm=a.hr_rest,
            weight_kg=a.weight_kg,
            recent_race=recent,
            weekly_distance_m=weekly_m,
            birth_year=a.birth_year,
        )

    def goal_domain(self) -> Goal:
        g = self.goal
        distance_m = unitlib.parse_race_distance_m(g.distance)
        return Goal(
            distance_m=distance_m,
            day=g.date,
            race=g.race or unitlib.distance_label(distance_m, self.athlete.units).capitalize(),
            target_s=None if g.target_time is None else unitlib.parse_duration_s(g.target_time),
            hot=g.hot,
        )

    def state_dir(self, environ: Mapping[str, str] = os.environ) -> Path:
        """``storage.state_dir``, else systemd's ``$STATE_DIRECTORY``, else the user state dir."""
        if self.storage.state_dir is not None:
            return self.storage.state_dir.expanduser()
        return default_state_dir(environ)

    def database_url(self, environ: Mapping[str, str] = os.environ) -> str:
        if self.storage.database_url:
            return self.storage.database_url
        return f"sqlite:///{self.state_dir(environ) / 'ampt-sync.db'}"


def default_state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    # systemd may list several directories separated by colons; ours is the first.
    systemd_dir = environ.get("STATE_DIRECTORY", "").split(":")[0]
    if systemd_dir:
        return Path(systemd_dir)
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME))


@dataclass(frozen=True)
class LoadedConfig:
    settings: Settings
    path: Path | None
    warnings: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------------------------
# Finding and reading the file


def config_candidates(
    explicit: Path | None, environ: Mapping[str, str] = os.environ
) -> list[tuple[Path, str]]:
    """Every place looked at, in order, with how it was chosen."""
    places: list[tuple[Path, str]] = []
    if explicit is not None:
        places.append((explicit, "--config"))
    if environ.get(ENV_CONFIG):
        places.append((Path(environ[ENV_CONFIG]), f"${ENV_CONFIG}"))
    places.append((user_config_path(), "user config dir"))
    places.append((SYSTEM_CONFIG_PATH, "system config"))
    return places


def find_config(explicit: Path | None, environ: Mapping[str, str] = os.environ) -> Path:
    """The config file to use; ConfigError when an explicit path is missing or none exists."""
    places = config_candidates(explicit, environ)
    for path, how in places:
        if how in ("--config", f"${ENV_CONFIG}"):
            if path.is_dir():
                raise ConfigError(
                    f"{path}: is a directory, not a config file (given by {how}); "
                    "give the path of the .toml file"
                )
            if not path.is_file():
                raise ConfigError(
                    f"{path}: no such config file (given by {how}); "
                    "create it with `ampt-sync init` or fix the path"
                )
            return path
        if path.is_file():
            return path
    looked = ", ".join(str(p) for p, _ in places)
    raise ConfigError(
        f"no config file found (looked in {looked}); create one with `ampt-sync init`"
    )


def load_config(
    explicit: Path | None = None,
    *,
    today: date | None = None,
    environ: Mapping[str, str] = os.environ,
) -> LoadedConfig:
    """Find, read and validate the config. ``today`` defaults to the athlete's local date."""
    path = find_config(explicit, environ)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the config file ({exc.strerror}); check its permissions"
        ) from None
    settings = parse_settings(text, source=str(path))
    if today is None:
        today = datetime.now(settings.zone()).date()
    check_goal_horizon(settings, today, source=str(path))
    return LoadedConfig(
        settings=settings, path=path, warnings=tuple(goal_warnings(settings, today))
    )


def parse_settings(text: str, *, source: str) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return settings_from_dict(data, source=source)


def settings_from_dict(data: dict[str, Any], *, source: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, data)}") from None


def goal_warnings(settings: Settings, today: date) -> list[str]:
    if settings.goal.date < today:
        return [
            f"goal.date {settings.goal.date.isoformat()} is in the past: the plan goes on with "
            "recovery and maintenance after the race; set a new goal in the config file"
        ]
    return []


#: The farthest a goal may be: a build lasts at most 30 weeks, and a plan reaching years ahead
#: helps nobody (set the goal when it is nearer; until then a nearer one, or maintenance).
GOAL_HORIZON_DAYS = 2 * 365


def check_goal_horizon(settings: Settings, today: date, *, source: str) -> None:
    """A goal more than two years away is a mistake in the date, most likely."""
    if (settings.goal.date - today).days > GOAL_HORIZON_DAYS:
        raise ConfigError(
            f"{source}: goal.date: found {settings.goal.date.isoformat()}, expected a race "
            "within two years (the build-up takes at most 30 weeks; set the goal when it is "
            "nearer)"
        )


def check_goal_in_future(settings: Settings, today: date, *, source: str) -> None:
    """For ``init``: a goal in the past is an error there, not a warning."""
    if settings.goal.date < today:
        raise ConfigError(
            f"{source}: goal.date: found {settings.goal.date.isoformat()}, "
            f"expected a race day on or after today ({today.isoformat()})"
        )


_SECTIONS: dict[str, type[BaseModel]] = {
    name: info.annotation  # type: ignore[misc]
    for name, info in Settings.model_fields.items()
}

_EXPECTED = {
    "goal.distance": "5k, 10k, half, marathon or metres",
    "goal.date": "a date such as 2027-04-18",
}


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    """One line for the first problem: the key, what was found, what is expected."""
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc[:2]) if loc else "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "missing":
        expected = _EXPECTED.get(key, "a value")
        where = f"[{loc[0]}] " if len(loc) > 1 else ""
        return f"{key}: missing; add it to {where or 'the file'}(expected {expected})"
    message = error["msg"]
    if message.startswith("Value error, "):
        return f"{key}: {message.removeprefix('Value error, ')}"
    if kind == "model_type" and len(loc) == 1:
        return f"[{loc[0]}]: found {error['input']!r}, expected a table"
    expected = _EXPECTED.get(key, message[0].lower() + message[1:])
    expected = expected.removeprefix("input should be ")
    return f"{key}: found {error['input']!r}, expected {expected}"


def _unknown_key(loc: list[str]) -> str:
    if len(loc) == 1:
        known = list(_SECTIONS)
        hint = difflib.get_close_matches(loc[0], known, n=1)
        suggestion = f"did you mean [{hint[0]}]?" if hint else f"known sections: {', '.join(known)}"
        return f"[{loc[0]}]: unknown section; {suggestion}"
    section, key = loc[0], loc[1]
    model = _SECTIONS.get(section)
    known = list(model.model_fields) if model is not None else []
    hint = difflib.get_close_matches(key, known, n=1)
    suggestion = f"did you mean {section}.{hint[0]}?" if hint else f"known keys: {', '.join(known)}"
    return f"{section}.{key}: unknown key; {suggestion}"


# ------------------------------------------------------------------------------------------------
# Writing a config file (``ampt-sync init``)

#: One comment per key, shown beside it in files written by `ampt-sync init`.
KEY_COMMENTS: dict[str, dict[str, str]] = {
    "athlete": {
        "name": "how the plan addresses you",
        "timezone": "IANA name; plan dates are local dates in this zone",
        "units": '"km" | "mi": how paces and distances are shown',
        "hr_max": "optional, bpm",
        "hr_rest": "optional, bpm",
        "weight_kg": "optional: fuelling amounts per kg",
        "recent_race": 'optional: "<5k|10k|half|marathon|metres> <H:MM:SS|MM:SS>"',
        "weekly_distance": "optional: current weekly running volume, in units",
        "birth_year": "optional: from 50, a cutback week every 3rd week",
    },
    "goal": {
        "race": "the race's name",
        "distance": '"5k" | "10k" | "half" | "marathon" | metres',
        "date": "race day",
        "target_time": "optional; never sets training paces",
        "hot": "optional: true | false; absent = by month and time zone",
    },
    "schedule": {
        "run_days": "at least 3",
        "long_run_day": "one of run_days",
        "strength_days": "optional; the planner chooses when absent",
        "hills": '"outdoor" | "treadmill" | "garage"',
    },
    "sync": {
        "push_at": "local time: workouts are on Garmin before the watch's morning sync",
        "adapt_at": "local time: tomorrow adapts to today's run",
        "horizon_days": "days ahead kept on Garmin (1..14)",
        "poll_minutes": "polls of the activity source between cycles; 0 = none",
        "garmin_write_interval_s": "seconds between writes to Garmin (0 against a local simulator)",
    },
    "strava": {
        "client_id": "from strava.com/settings/api; the secret never goes in this file",
        "backfill_days": "history fetched by the first pull",
    },
    "delivery": {
        "target": '"garmin" | "intervals" | "none": where the workouts go',
    },
    "activities": {
        "source": '"strava" | "garmin" | "intervals": where your runs are read from',
    },
    "storage": {
        "state_dir": "default: $STATE_DIRECTORY, else the user state dir",
        "database_url": "default: SQLite in state_dir",
    },
    "secrets": {"backend": '"auto" | "keyring" | "file"'},
    "alerts": {
        "ntfy_url": "optional",
        "webhook_url": "optional",
        "ping_url": "optional: a healthchecks.io-style check, pinged by every morning push",
    },
    "web": {
        "listen": '"host:port" of the runner\'s page; "" = no page',
        "base_url": "optional: the page's address behind a reverse proxy",
    },
}


def render_config(data: Mapping[str, Mapping[str, Any]]) -> str:
    """TOML text for ``data`` (sections of plain values), each key with its comment."""
    import tomli_w

    def _toml_value(value: Any) -> str:
        if isinstance(value, list):  # one line, unlike tomli_w's arrays
            return "[" + ", ".join(_toml_value(v) for v in value) + "]"
        return tomli_w.dumps({"v": value}).strip().removeprefix("v = ")

    lines = ["# ampt-sync configuration (written by `ampt-sync init`).", ""]
    for section, comments in KEY_COMMENTS.items():
        values = {k: v for k, v in data.get(section, {}).items() if v is not None}
        if not values:
            continue
        lines.append(f"[{section}]")
        for key in comments:
            if key not in values:
                continue
            value = values[key]
            if isinstance(value, Path):
                value = str(value)
            encoded = f"{key} = {_toml_value(value)}"
            lines.append(f"{encoded:<40} # {comments[key]}")
        lines.append("")
    return "\n".join(lines)


class ConfigWatch:
    """Notices the config file changing on disk (its modification time and size), so that a
    long-running process (the daemon, the page) follows `ampt-sync goal set` and `ampt-sync
    days` at its next cycle without a SIGHUP. An editor's save, or config_edit's atomic
    replace, both change the time."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            status = self.path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def changed(self) -> bool:
        """True once after each change since the last call (or since it was made)."""
        stamp = self._stamp()
        if stamp == self._seen:
            return False
        self._seen = stamp
        return True
