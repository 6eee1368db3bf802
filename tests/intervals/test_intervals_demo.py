"""`ampt-sync demo --delivery intervals`: the demo's whole loop with intervals.icu as the road
to the watch (real client, simulator that decodes every uploaded FIT file with the SDK)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def test_the_demo_runs_its_whole_loop_on_intervals_icu(cli: Callable[..., Any]) -> None:
    result = cli("demo", "--days", "3", "--delivery", "intervals", "--format", "json")
    assert result.code == 0, result.stderr
    assert "simulated Strava and intervals.icu" in result.stderr
    run = json.loads(result.stdout)
    assert run["delivery"] == "intervals"
    # Every cycle succeeded: the sim refuses (422) a FIT file its decoder cannot read.
    assert all(c.endswith(": ok") for day in run["days"] for c in day["cycles"])
    assert all(day["watch"] for day in run["days"])  # the next days were there each morning
    assert run["watch_now"]
    calls = run["api_calls"]
    assert calls["garmin"] == 0
    # A morning push with something new costs 3 requests; a cycle with nothing new, 1.
    assert calls["cycles"] <= calls["intervals"] <= 3 * calls["cycles"]


def test_an_unknown_delivery_is_one_line(cli: Callable[..., Any]) -> None:
    result = cli("demo", "--days", "1", "--delivery", "tredict")
    assert result.code == 78
    assert "--delivery: found 'tredict', expected one of garmin, intervals" in result.stderr
