"""intervals.icu as a listed service of the incremental pull (:mod:`ampt_sync.listed_pull`: the
window, the cursors, deletions and details, as for Garmin Connect): the intervals.icu road in,
through our :class:`~ampt_sync.intervals.client.IntervalsClient` and the athlete id and API key
`ampt-sync auth intervals` stored (:func:`~ampt_sync.intervals.credentials.open_intervals`).

* the listing: ``GET /api/v1/athlete/{id}/activities?oldest=<day>&newest=<day>``, local dates,
  both included. intervals.icu lists by date range, not by page, so the window is asked for in
  spans of at most :data:`SPAN_DAYS` days, oldest first (a backfill of months stays a few
  answers of bounded size on a small server), up to tomorrow's local date (a run just uploaded
  from a watch whose clock is ahead is not missed). A pull that finds nothing new costs **one
  request**;
* edits: :data:`ICU_VOLATILE_KEYS`, the metrics intervals.icu recomputes when *other* activities
  change, are kept out of the edit hash;
* details: the intervals (``GET /api/v1/activity/{id}/intervals``) of races and of runs matched
  with a planned workout (see :mod:`ampt_sync.intervals.activity_json` for the mapping and its
  assumptions);
* errors: the client's mapping (:mod:`ampt_sync.intervals.client`): 429 →
  :class:`~ampt_sync.errors.RateLimited`, a refused key → :class:`~ampt_sync.errors.AuthError`
  naming `ampt-sync auth intervals`, 5xx and network → :class:`~ampt_sync.errors.RemoteUnavailable`;
  an answer that is not a JSON list stops the pull as :class:`~ampt_sync.errors.RemoteError`
  (what was stored stays, the next pull resumes); an activity intervals.icu got from Strava (a
  stub, see :class:`~ampt_sync.intervals.activity_json.StravaStub`) is skipped and reported.

Assumptions not verified against the live service (the simulator answers this way, and the tests
hold it to them): ``oldest`` and ``newest`` are local dates, both included, and a span is
answered whole (no ``limit`` sent, none applied); deleted activities are simply absent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ampt_sync.errors import RemoteError
from ampt_sync.intervals.activity_json import (
    SOURCE,
    activity_number,
    laps_from_intervals,
    our_id,
    parse_intervals_summary,
    wants_intervals,
)
from ampt_sync.intervals.client import API_PREFIX, NotFound
from ampt_sync.listed_pull import pull
from ampt_sync.pulls import Progress, PullReport
from ampt_sync.store.activities import ActivityColumns, MalformedActivity

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.intervals.client import BeforeRequest, IntervalsClient
    from ampt_sync.intervals.credentials import TokenStoreLike
    from ampt_sync.store.db import Store

#: Local days per listing request. Three months of a runner's activities is well under a
#: megabyte of JSON; the steady state (the 3-day overlap) is one span.
SPAN_DAYS = 92
#: intervals.icu's own metrics that change when other activities (or the runner's settings)
#: change, not this one: kept, each change would count as an edit and fetch intervals again.
ICU_VOLATILE_KEYS = frozenset(
    {
        "icu_ctl",
        "icu_atl",
        "icu_sync_date",
        "analyzed",
        "updated",
        "icu_achievements",
        "icu_ftp",
        "icu_w_prime",
        "icu_eftp",
        "icu_rolling_ftp",
        "icu_rolling_w_prime",
        "icu_rolling_p_max",
        "icu_rolling_ftp_delta",
    }
)


class IntervalsActivities:
    """intervals.icu as a :class:`~ampt_sync.listed_pull.ListedService`, over an open
    :class:`IntervalsClient`."""

    source = SOURCE
    name = "intervals.icu"
    detail_word = "intervals"
    volatile_keys = ICU_VOLATILE_KEYS

    def __init__(self, client: IntervalsClient) -> None:
        self.client = client

    @property
    def api_calls(self) -> int:
        return self.client.calls.total

    def listing(self, first_day: date, last_day: date) -> Iterator[list[Any]]:
        for oldest, newest in spans(first_day, last_day):
            yield self.span(oldest, newest)

    def span(self, oldest: date, newest: date) -> list[Any]:
        """The activities whose local day is in ``oldest..newest`` (both included)."""
        answer = self.client.get_json(
            self.client.athlete_path("/activities"),
            {"oldest": oldest.isoformat(), "newest": newest.isoformat()},
        )
        if not isinstance(answer, list):
            raise RemoteError(
                f"intervals.icu answered the activity list from {oldest.isoformat()} with "
                f"{type(answer).__name__} where a list belongs; what was stored stays, the next "
                "pull resumes"
            )
        return answer

    def number(self, raw: Any) -> int | None:
        return activity_number(raw)

    def our_id(self, number: int) -> int:
        return our_id(number)

    def label(self, number: int | None) -> str:
        return f"intervals.icu activity i{number}"

    def parse(self, raw: Any) -> ActivityColumns:
        return parse_intervals_summary(raw)

    def wants_detail(self, raw: Any, columns: ActivityColumns) -> bool:
        return wants_intervals(raw, columns)

    def detail(self, number: int) -> Any:
        """intervals.icu's intervals answer for activity ``i<number>``; None when it is gone."""
        with contextlib.suppress(NotFound):
            return self.client.get_json(f"{API_PREFIX}/activity/i{number}/intervals")
        return None

    def check_detail(self, detail: Any, number: int) -> None:
        what = self.label(number)
        if not isinstance(detail, dict):
            raise MalformedActivity(f"{what}: the intervals answer is not an object")
        if detail.get("id") not in (None, f"i{number}"):
            raise MalformedActivity(f"{what}: the intervals answer is for another id")
        laps_from_intervals(detail, what)


def spans(first_day: date, last_day: date, span_days: int = SPAN_DAYS) -> list[tuple[date, date]]:
    """``first_day..last_day`` (both included) cut into spans of at most ``span_days`` days,
    oldest first; one span when the window is short."""
    out = []
    start = first_day
    while start <= last_day:
        end = min(start + timedelta(days=span_days - 1), last_day)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


# ------------------------------------------------------------------------------------------------
# The shell: one pull with its own client


def run_pull(
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    now: Callable[[], datetime],
    environ: Mapping[str, str] = os.environ,
    before_request: BeforeRequest | None = None,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Open a client from the stored athlete id and key (`ampt-sync auth intervals`) and pull.
    AuthError naming that command when there is no key or intervals.icu refuses it."""
    from ampt_sync.intervals.credentials import open_intervals

    report = report if report is not None else PullReport()
    with open_intervals(token_store, environ=environ, before_request=before_request) as client:
        return pull(
            IntervalsActivities(client),
            store,
            settings,
            now=now(),
            since=since,
            report=report,
            progress=progress,
        )
