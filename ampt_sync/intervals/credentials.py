"""The runner's intervals.icu athlete id and API key, in the token store (never in the config or
a log), and a client built from them.

Stored under :data:`ampt_sync.secrets.INTERVALS_KEY` as ``{"athlete_id", "api_key"}``. The key
does not expire or rotate; the runner replaces it (and runs ``ampt-sync auth intervals`` again)
when it is regenerated on intervals.icu.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ampt_sync.errors import AuthError
from ampt_sync.intervals.client import (
    BeforeRequest,
    IntervalsClient,
    base_url_from,
    check_api_key,
    check_athlete_id,
)
from ampt_sync.secrets import INTERVALS_KEY


class TokenStoreLike(Protocol):
    def get_json(self, name: str) -> dict | None: ...

    def set_json(self, name: str, value: Mapping) -> None: ...


@dataclass(frozen=True)
class IntervalsCredentials:
    athlete_id: str
    api_key: str

    def __repr__(self) -> str:  # never the key, even in a traceback's locals
        return f"IntervalsCredentials(athlete_id={self.athlete_id!r}, api_key=<hidden>)"


def load_credentials(token_store: TokenStoreLike) -> IntervalsCredentials:
    """The stored credentials; AuthError naming the fix when there are none."""
    data = token_store.get_json(INTERVALS_KEY)
    if not data or not data.get("athlete_id") or not data.get("api_key"):
        raise AuthError(
            "intervals.icu is not connected; run `ampt-sync auth intervals` (it asks for your "
            "athlete id and API key)"
        )
    return IntervalsCredentials(str(data["athlete_id"]), str(data["api_key"]))


def save_credentials(token_store: TokenStoreLike, credentials: IntervalsCredentials) -> None:
    token_store.set_json(
        INTERVALS_KEY,
        {
            "athlete_id": check_athlete_id(credentials.athlete_id),
            "api_key": check_api_key(credentials.api_key),
        },
    )


def open_intervals(
    token_store: TokenStoreLike,
    *,
    environ: Mapping[str, str] = os.environ,
    before_request: BeforeRequest | None = None,
) -> IntervalsClient:
    """A client from the stored credentials, at ``AMPT_SYNC_INTERVALS_URL`` or the service."""
    credentials = load_credentials(token_store)
    return IntervalsClient(
        credentials.athlete_id,
        credentials.api_key,
        base_url=base_url_from(environ),
        before_request=before_request,
    )
