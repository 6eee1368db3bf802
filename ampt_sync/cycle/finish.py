"""After a cycle: the state it leaves (the last good cycle), the alerts it raises or clears,
and its stored report."""

from __future__ import annotations

from ampt_sync import alerts
from ampt_sync.cycle.report import MORNING_KINDS, CycleDeps, CycleReport
from ampt_sync.store import reports, state
from ampt_sync.store.db import Store


def finish(deps: CycleDeps, store: Store, report: CycleReport) -> None:
    from ampt_sync.garmin.client import relogin_needed

    settings = deps.settings
    now = report.finished_at or deps.now()
    alerter = deps.alerter or alerts.Alerter(
        ntfy_url=settings.alerts.ntfy_url, webhook_url=settings.alerts.webhook_url
    )
    garmin_refused = relogin_needed(store)
    with store.transaction() as session:
        if report.result == "ok":
            state.put(session, state.LAST_CYCLE_OK, {"at": now.isoformat()}, now=now)
        if report.kind in MORNING_KINDS:
            if report.result in ("ok", "interrupted"):
                alerter.clear(session, alerts.CYCLE_FAILED, now=now)
            else:
                alerter.raise_alert(
                    session,
                    alerts.Alert(
                        alerts.CYCLE_FAILED,
                        f"ampt-sync: the morning sync of {report.today} failed",
                        "Today's workouts may not be on your watch. "
                        + " ".join(_plain(e) for e in report.errors)
                        + _fallback_text(report),
                        urgent=True,
                    ),
                    now=now,
                )
        if garmin_refused is not None:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.GARMIN_RELOGIN,
                    "ampt-sync: sign in to Garmin again",
                    "Garmin no longer accepts ampt-sync's sign-in, so no new workouts reach your "
                    "watch. Run `ampt-sync auth garmin` on the server (as the service user).",
                    urgent=True,
                ),
                now=now,
            )
        else:
            alerter.clear(session, alerts.GARMIN_RELOGIN, now=now)
        strava_auth = (
            any(e.startswith("Strava: ") for e in report.errors) and report.result == "auth"
        )
        if strava_auth:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.STRAVA_REAUTH,
                    "ampt-sync: connect Strava again",
                    "Strava refused ampt-sync's access, so new runs are not seen. Run "
                    "`ampt-sync auth strava` on the server (as the service user).",
                ),
                now=now,
            )
        elif report.pulled is not None and report.pulled.get("api_calls", 0):
            alerter.clear(session, alerts.STRAVA_REAUTH, now=now)
        intervals_auth = report.result == "auth" and any(
            e.startswith("intervals.icu: ") for e in report.errors
        )
        if intervals_auth:
            # The key serves the push, the pull, or both: say what stopped.
            stopped = [
                what
                for what, used in (
                    ("new runs are not seen", settings.activities.source == "intervals"),
                    ("no new workouts reach your watch", settings.delivery.target == "intervals"),
                )
                if used
            ] or ["no new workouts reach your watch"]
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.INTERVALS_REAUTH,
                    "ampt-sync: connect intervals.icu again",
                    f"intervals.icu refused ampt-sync's API key, so {' and '.join(stopped)}. Run "
                    "`ampt-sync auth intervals` on the server (as the service user).",
                    urgent=True,
                ),
                now=now,
            )
        elif (report.pushed is not None and report.pushed.get("target") == "intervals") or (
            settings.activities.source == "intervals"
            and report.pulled is not None
            and report.pulled.get("listing_complete")
        ):
            alerter.clear(session, alerts.INTERVALS_REAUTH, now=now)
        if report.settings is not None and report.settings.get("alert"):
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.RUN_DAYS_PENDING,
                    "ampt-sync: your new run days are not in the config yet",
                    # whole: it names the lines to edit
                    report.settings["message"],
                ),
                now=now,
            )
        elif report.settings is None or report.settings.get("applied"):
            # applied, or none due any more (taken back, or replaced by later run days)
            alerter.clear(session, alerts.RUN_DAYS_PENDING, now=now)
        if settings.goal.date < report.today:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.NEW_GOAL,
                    "ampt-sync: set your next goal",
                    f"Your goal race ({settings.goal_domain().race}, {settings.goal.date}) is "
                    "behind you; the plan keeps you running easily until you set a new goal in "
                    "the config file.",
                ),
                now=now,
            )
        else:
            alerter.clear(session, alerts.NEW_GOAL, now=now)
        reports.record(
            session,
            kind=report.kind,
            started_at=report.started_at,
            finished_at=report.finished_at,
            result=report.result,
            report=report.to_json(),
        )


def _fallback_text(report: CycleReport) -> str:
    from ampt_sync.fit.fallback import alert_text

    text = alert_text(report.fit_fallback) if report.fit_fallback else ""
    return f" {text}" if text else ""


def _plain(error: str) -> str:
    """An error line as alert text: ours already, but never longer than a sentence or two."""
    return error if len(error) <= 200 else error[:197] + "..."
