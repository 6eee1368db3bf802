"""The remote services' names as messages say them, by the keys the config and reports use.

``delivery.target`` and a cycle report's ``api_calls`` use ``"garmin"``/``"intervals"``
(and ``"strava"``); ``[activities] source`` uses the same keys, but Garmin's source is its
activity list on Garmin Connect, so it is named as such.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Every service, as a message names it.
SERVICE_NAMES = {"strava": "Strava", "garmin": "Garmin", "intervals": "intervals.icu"}
#: The roads to the watch (``delivery.target`` other than "none").
ROAD_NAMES = {key: SERVICE_NAMES[key] for key in ("garmin", "intervals")}
#: The activity sources (``[activities] source``).
SOURCE_NAMES = {**SERVICE_NAMES, "garmin": "Garmin Connect"}


def calls_in_words(api_calls: Mapping[str, int]) -> str:
    """A cycle's requests per service, e.g. "Strava 3, intervals.icu 2 calls"; services that
    were not called are left out, and "no calls" when none was."""
    named = [
        f"{SERVICE_NAMES.get(key, key)} {count}" for key, count in api_calls.items() if count
    ]
    return f"{', '.join(named)} calls" if named else "no calls"
