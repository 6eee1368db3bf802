"""The simulated Strava and the synthetic runner: stravalib's own models parse what they serve,
the sim keeps Strava's rules (pagination, token rotation, rate limits), and the runner is
realistic and deterministic."""

from __future__ import annotations

import itertools
import json
import warnings
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from strava_helpers import ZONE
from stravalib import Client, model

from ampt_sync.domain import End, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.sim.runner import activity_for_workout, summary_view, synthetic_history
from ampt_sync.sim.strava import SIM_CLIENT_ID, SIM_CLIENT_SECRET, StravaSim
from ampt_sync.strava.client import StravaSession, stravalib_client

END = date(2026, 11, 22)


@pytest.fixture(scope="module")
def runner() -> list[dict[str, Any]]:
    return synthetic_history(END, days=140, seed=3, zone=ZONE)


def lib_client(sim: StravaSim, access_token: str) -> Client:
    client = stravalib_client(StravaSession(sim.base_url))
    client.access_token = access_token
    return client


def test_stravalib_parses_every_summary_and_detail_the_sim_serves(
    sim: StravaSim, runner: list[dict[str, Any]]
) -> None:
    sim.add_activities(runner)
    client = lib_client(sim, sim.issue_tokens()["access_token"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. stravalib's "unexpected sport type"
        summaries = list(client.get_activities(after=datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))))
        assert len(summaries) == len(runner)
        assert all(isinstance(s, model.SummaryActivity) for s in summaries)
        for activity in runner[-12:]:
            detail = client.get_activity(activity["id"])
            assert detail.id == activity["id"]
            assert detail.sport_type.root == activity["sport_type"]
        athlete = client.get_athlete()
        assert athlete.id == sim.athlete_id


def test_summaries_hold_no_detail_and_details_hold_laps_splits_and_best_efforts(
    runner: list[dict[str, Any]],
) -> None:
    race = next(a for a in runner if a["workout_type"] == 1)
    summary = summary_view(race)
    assert summary["resource_state"] == 2
    assert not {"laps", "best_efforts", "splits_metric", "segment_efforts"} & set(summary)
    assert race["laps"]
    assert race["splits_metric"]
    assert [e["name"] for e in race["best_efforts"]][:3] == ["400m", "1/2 mile", "1K"]
    five_k = next(e for e in race["best_efforts"] if e["name"] == "5K")
    assert five_k["elapsed_time"] <= race["moving_time"]


def test_pages_follow_after_before_page_and_per_page(
    sim: StravaSim, runner: list[dict[str, Any]]
) -> None:
    sim.add_activities(runner)
    token = sim.issue_tokens()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{sim.base_url}/api/v3/athlete/activities"
    everything = session.get(url, params={"after": 0, "per_page": 200}).json()
    starts = [a["start_date"] for a in everything]
    assert starts == sorted(starts)  # `after` alone: oldest first
    newest_first = session.get(url, params={"per_page": 5}).json()
    assert [a["id"] for a in newest_first] == [a["id"] for a in everything[::-1][:5]]
    assert len(session.get(url).json()) == 30  # Strava's default page size
    page2 = session.get(url, params={"after": 0, "per_page": 10, "page": 2}).json()
    assert [a["id"] for a in page2] == [a["id"] for a in everything[10:20]]
    middle = datetime.fromisoformat(everything[50]["start_date"].replace("Z", "+00:00"))
    before = session.get(url, params={"before": int(middle.timestamp()), "per_page": 200}).json()
    assert len(before) == 50


def test_refresh_rotates_and_the_used_refresh_token_is_refused(sim: StravaSim) -> None:
    issued = sim.issue_tokens()
    client = lib_client(sim, issued["access_token"])
    info = client.refresh_access_token(SIM_CLIENT_ID, SIM_CLIENT_SECRET, issued["refresh_token"])
    assert info["refresh_token"] != issued["refresh_token"]
    # More than an hour left: Strava hands back the same access token.
    assert info["access_token"] == issued["access_token"]
    body = requests.post(
        f"{sim.base_url}/oauth/token",
        data={
            "client_id": SIM_CLIENT_ID,
            "client_secret": SIM_CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
        },
        timeout=5,
    )
    assert body.status_code == 400
    assert body.json()["errors"][0]["resource"] == "RefreshToken"
    sim.advance(5.5 * 3600)
    fresh = client.refresh_access_token(SIM_CLIENT_ID, SIM_CLIENT_SECRET, info["refresh_token"])
    assert fresh["access_token"] != issued["access_token"]


def test_rate_limit_headers_count_per_window_and_a_request_over_the_limit_is_429(
    sim: StravaSim,
) -> None:
    sim.set_time_of_day(12 * 3600 + 60)  # a minute into a window, far from UTC midnight
    # (the token after the clock: set_time_of_day may move it on by hours, past its 6 h life)
    token = sim.issue_tokens()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{sim.base_url}/api/v3/athlete"
    sim.set_usage(short=98, daily=500)
    first = requests.get(url, headers=headers, timeout=5)
    assert first.headers["X-ReadRateLimit-Usage"] == "99,501"
    assert first.headers["X-ReadRateLimit-Limit"] == "100,1000"
    assert first.headers["X-RateLimit-Limit"] == "200,2000"
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    refused = requests.get(url, headers=headers, timeout=5)
    assert refused.status_code == 429
    assert refused.json()["message"] == "Rate Limit Exceeded"
    sim.advance(900)
    again = requests.get(url, headers=headers, timeout=5)
    assert again.status_code == 200
    assert again.headers["X-ReadRateLimit-Usage"] == "1,504"  # the 429 still counted


def test_expired_tokens_get_401_and_an_inactive_app_403(sim: StravaSim) -> None:
    token = sim.issue_tokens()["access_token"]
    url = f"{sim.base_url}/api/v3/athlete"
    sim.expire_access_tokens()
    answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 401
    sim.app_inactive = True
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 403
    assert answer.json()["errors"] == [
        {"resource": "Application", "field": "Status", "code": "Inactive"}
    ]


def test_deauthorize_revokes_every_token(sim: StravaSim) -> None:
    issued = sim.issue_tokens()
    answer = requests.post(
        f"{sim.base_url}/oauth/deauthorize",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert sim.live_refresh_tokens == []


def test_the_request_log_keeps_no_bodies_or_headers(sim: StravaSim) -> None:
    issued = sim.issue_tokens()
    lib_client(sim, issued["access_token"]).refresh_access_token(
        SIM_CLIENT_ID, SIM_CLIENT_SECRET, issued["refresh_token"]
    )
    logged = json.dumps([r.__dict__ for r in sim.requests], default=str)
    assert SIM_CLIENT_SECRET not in logged
    assert issued["refresh_token"] not in logged


# ------------------------------------------------------------------------------------------------
# The synthetic runner


def test_the_runner_is_deterministic(runner: list[dict[str, Any]]) -> None:
    assert synthetic_history(END, days=140, seed=3, zone=ZONE) == runner
    assert synthetic_history(END, days=140, seed=4, zone=ZONE) != runner


def test_months_of_varied_running_with_races_workouts_cross_training_and_a_gap(
    runner: list[dict[str, Any]],
) -> None:
    kinds = Counter((a["sport_type"], a["workout_type"]) for a in runner)
    assert kinds[("Run", 1)] == 2  # a 5K and a 10K
    assert kinds[("Run", 3)] >= 30  # intervals and tempo runs
    assert kinds[("Run", 2)] >= 15  # long runs
    assert kinds[("Run", 0)] >= 15  # easy runs
    assert kinds[("WeightTraining", None)] >= 10
    assert kinds[("Ride", None)] >= 3
    days = sorted({date.fromisoformat(a["start_date_local"][:10]) for a in runner})
    assert days[-1] == END
    assert days[0] >= END - timedelta(days=139)
    assert max((b - a).days for a, b in itertools.pairwise(days)) >= 8
    ids = [a["id"] for a in runner]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    workouts = [a for a in runner if a["workout_type"] == 3]
    assert all(len(a["laps"]) >= 3 for a in workouts)
    long_runs = [a["distance"] for a in runner if a["workout_type"] == 2]
    assert max(long_runs) > 1.3 * min(long_runs)


def test_activities_are_in_the_given_zone(runner: list[dict[str, Any]]) -> None:
    activity = runner[-1]
    utc = datetime.fromisoformat(activity["start_date"].replace("Z", "+00:00"))
    local = datetime.fromisoformat(activity["start_date_local"].replace("Z", ""))
    assert utc.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None) == local
    assert activity["timezone"].endswith("America/New_York")
    assert activity["utc_offset"] == utc.astimezone(ZoneInfo(ZONE)).utcoffset().total_seconds()


def test_todays_run_follows_the_planned_workout_done_shortened_or_missed() -> None:
    workout = Workout(
        key="w-9",
        kind=WorkoutKind.TEMPO,
        title="Tempo 3 × 10 min",
        steps=(
            Step(StepRole.WARMUP, End(distance_m=2000)),
            Repeat(
                3,
                (
                    Step(StepRole.WORK, End(duration_s=600), Target(pace_s_per_km=(280, 290))),
                    Step(StepRole.RECOVERY, End(duration_s=120)),
                ),
            ),
            Step(StepRole.COOLDOWN, End(distance_m=2000)),
        ),
    )
    done = activity_for_workout(workout, END, "done", zone=ZONE, activity_id=9)
    short = activity_for_workout(workout, END, "shortened", zone=ZONE, activity_id=10)
    assert done is not None
    assert short is not None
    assert activity_for_workout(workout, END, "missed", zone=ZONE, activity_id=11) is None
    assert done["workout_type"] == 3
    assert done["start_date_local"].startswith("2026-11-22")
    assert len(done["laps"]) == 8
    reps = [lap for lap in done["laps"] if lap["name"] == "Rep"]
    assert all(abs(1000 / lap["average_speed"] - 285) < 1 for lap in reps)
    assert short["distance"] == pytest.approx(0.6 * done["distance"], rel=0.01)
    model.DetailedActivity.model_validate(done)
    strength = Workout(key="w-10", kind=WorkoutKind.STRENGTH, title="Circuit", duration_s=2400)
    lifted = activity_for_workout(strength, END, "done", zone=ZONE, activity_id=12)
    assert lifted is not None
    assert lifted["sport_type"] == "WeightTraining"
    rest = Workout(key="w-11", kind=WorkoutKind.REST, title="Rest")
    assert activity_for_workout(rest, END, "done", zone=ZONE, activity_id=13) is None
