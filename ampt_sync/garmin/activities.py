"""Garmin Connect as a listed service of the incremental pull (:mod:`ampt_sync.listed_pull`:
the window, the cursors, deletions and details, as for intervals.icu): the Garmin road in,
through garminconnect and the session the push uses (:func:`~ampt_sync.garmin.client.open_garmin`:
the same token store, no second sign-in).

* the listing: ``search_activities(start, limit=PAGE_SIZE, startDate=<first local day>)``, which
  is ``GET /activitylist-service/activities/search/activities``, newest first, in pages of
  :data:`PAGE_SIZE`, stopping at the first page that is not full. So a pull that finds nothing
  new costs **one request** (while the 3-day overlap holds fewer than 100 activities);
* details: the laps (``get_activity_splits``: ``GET /activity-service/activity/{id}/splits``) of
  races and of runs recorded from a structured workout (see :mod:`ampt_sync.garmin.activity_json`
  for the mapping and its assumptions);
* errors map to our hierarchy in :func:`~ampt_sync.garmin.client.translate`: 429 →
  :class:`~ampt_sync.errors.RateLimited`, refused sign-in → :class:`~ampt_sync.errors.ReloginNeeded`
  (recorded as "re-login needed"), 5xx and network → :class:`~ampt_sync.errors.RemoteUnavailable`;
  a page that is not a JSON list stops the pull as :class:`~ampt_sync.garmin.client.Malformed`
  (what was stored stays, the next pull resumes).

Assumptions not verified against the live service (the simulator answers this way, and the tests
hold it to them): ``startDate`` filters on the activity's local start date and, without
``endDate``, lists up to now; the list is sorted newest first; ``start``/``limit`` page through it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ampt_sync.garmin.activity_json import (
    garmin_id,
    laps_from_splits,
    our_id,
    parse_garmin_summary,
    wants_laps,
)
from ampt_sync.garmin.client import NotFound, garmin_errors, malformed
from ampt_sync.listed_pull import pull
from ampt_sync.pulls import Progress, PullReport
from ampt_sync.store.activities import ActivityColumns, MalformedActivity

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.garmin.client import GarminSession, RequestHook, TokenStoreLike
    from ampt_sync.store.db import Store

#: Activities per listing request. The web app asks for 20; 100 keeps a backfill of four months
#: at 1–2 requests while staying far below garminconnect's cap of 1,000.
PAGE_SIZE = 100
SOURCE = "garmin"
#: Garmin's social and bookkeeping fields that change without the activity changing.
GARMIN_VOLATILE_KEYS = frozenset(
    {
        "likedByUser",
        "kudosCount",
        "commentCount",
        "favorite",
        "userPro",
        "ownerProfileImageUrlSmall",
    }
)


class GarminActivities:
    """Garmin Connect as a :class:`~ampt_sync.listed_pull.ListedService`, over an open
    :class:`GarminSession`."""

    source = SOURCE
    name = "Garmin"
    detail_word = "laps"
    volatile_keys = GARMIN_VOLATILE_KEYS

    def __init__(self, session: GarminSession) -> None:
        self.session = session

    @property
    def api_calls(self) -> int:
        return self.session.calls.total

    def listing(self, first_day: date, last_day: date) -> Iterator[list[Any]]:
        """Pages of the list from ``first_day`` on (up to now: Garmin lists no later day)."""
        offset = 0
        while True:
            items = self.page(first_day, offset, PAGE_SIZE)
            yield items
            if len(items) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def page(self, first_day: date, offset: int, limit: int) -> list[Any]:
        """One page of the activity list from local day ``first_day``, newest first."""
        what = f"list activities from {first_day.isoformat()}"
        with garmin_errors(what):
            answer = self.session.api.search_activities(
                start=offset, limit=limit, startDate=first_day.isoformat()
            )
        if not isinstance(answer, list):
            raise malformed(what, f"a {type(answer).__name__}, not a list")
        return answer

    def number(self, raw: Any) -> int | None:
        return garmin_id(raw)

    def our_id(self, number: int) -> int:
        return our_id(number)

    def label(self, number: int | None) -> str:
        return f"Garmin activity {number}"

    def parse(self, raw: Any) -> ActivityColumns:
        return parse_garmin_summary(raw)

    def wants_detail(self, raw: Any, columns: ActivityColumns) -> bool:
        return wants_laps(raw, columns)

    def detail(self, number: int) -> Any:
        """Garmin's splits answer (``lapDTOs``) for activity ``number``; None when it is gone."""
        with contextlib.suppress(NotFound), garmin_errors(f"laps of activity {number}"):
            return self.session.api.get_activity_splits(str(number))
        return None

    def check_detail(self, detail: Any, number: int) -> None:
        what = self.label(number)
        if not isinstance(detail, dict):
            raise MalformedActivity(f"{what}: the splits answer is not a JSON object")
        if detail.get("activityId") not in (None, number):
            raise MalformedActivity(f"{what}: the splits answer is for another id")
        laps_from_splits(detail, what)


# ------------------------------------------------------------------------------------------------
# The shell: one pull with its own Garmin session


def run_pull(
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    now: Callable[[], datetime],
    environ: Mapping[str, str] = os.environ,
    on_request: RequestHook | None = None,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Open a Garmin session from the stored tokens (the push's, no second sign-in) and pull.
    A refused sign-in is recorded as "re-login needed" in ``store``, as for the push."""
    from ampt_sync.garmin.client import open_garmin

    report = report if report is not None else PullReport()
    with open_garmin(token_store, store=store, environ=environ, on_request=on_request) as session:
        source = GarminActivities(session)
        try:
            return pull(
                source, store, settings, now=now(), since=since, report=report, progress=progress
            )
        finally:
            # The token refresh made when the session opened counts against the budget too.
            report.token_refreshes = session.calls.token_refreshes
