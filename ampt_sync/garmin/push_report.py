"""What one Garmin push decided and did: :class:`PushReport`, and :func:`describe`, the one
wording of an action for a table row, a log line and the run report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ampt_sync.garmin.calendar import ScheduledItem
from ampt_sync.garmin.reconcile import Action, Adopt, Create, Move, Remove, Update


def describe(action: Action) -> tuple[str, str, str, str]:
    """(what, day, workout, detail) for a table row or a log line."""
    if isinstance(action, Create):
        d = action.desired
        return ("create", str(d.day), d.title, "new workout, scheduled")
    if isinstance(action, Update):
        d = action.desired
        return ("update", str(d.day), d.title, f"rewritten in place (workout {action.workout_id})")
    if isinstance(action, Move):
        if action.to_day is None:
            extra = len(action.unschedule)
            return ("unschedule", str(action.from_day or ""), action.title, f"{extra} duplicate(s)")
        source = str(action.from_day) if action.from_day else "not on the calendar"
        return ("move", str(action.to_day), action.title, f"from {source}")
    if isinstance(action, Remove):
        what = "remove" if action.forget else "remove duplicate"
        detail = f"{len(action.schedule_ids)} entr(ies), {len(action.workout_ids)} workout(s)"
        return (what, str(action.day or ""), action.title, detail)
    entry = action.entry
    return ("record", str(entry.scheduled_day or ""), entry.key, "ledger catches up with Garmin")


@dataclass
class PushReport:
    """What one push decided and did. ``api_calls`` counts HTTP requests (see
    :class:`~ampt_sync.garmin.client.ApiCalls`); ``errors`` are per-workout problems that did not
    stop the push."""

    today: date
    first: date
    end: date
    dry_run: bool
    actions: list[Action] = field(default_factory=list)
    applied: list[Action] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    stopped_by: str | None = None
    #: The window's calendar entries as the push last read them, with no calendar write of ours
    #: after that read (None when it cannot say). The cycle's check against the plan uses it
    #: instead of reading the calendar once more. Not part of :meth:`as_dict`.
    calendar_after: tuple[ScheduledItem, ...] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.stopped_by is None

    @property
    def writes(self) -> int:
        return self.api_calls.get("writes", 0)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the run report."""
        return {
            "today": self.today.isoformat(),
            "window": [self.first.isoformat(), self.end.isoformat()],
            "dry_run": self.dry_run,
            "planned": [list(describe(a)) for a in self.actions if not isinstance(a, Adopt)],
            "applied": [list(describe(a)) for a in self.applied if not isinstance(a, Adopt)],
            "errors": list(self.errors),
            "api_calls": dict(self.api_calls),
            "stopped_by": self.stopped_by,
        }
