"""Before a cycle: new run days given for a later day (`ampt-sync days --from`) are written to
the config file by the first cycle on or after their day (see :mod:`ampt_sync.service`)."""

from __future__ import annotations

import dataclasses
import logging

from ampt_sync.cycle.report import CycleDeps, CycleReport
from ampt_sync.errors import ConfigError
from ampt_sync.store.db import Store

log = logging.getLogger(__name__)


def apply_due_run_days(
    deps: CycleDeps, store: Store, report: CycleReport, *, dry_run: bool
) -> CycleDeps | None:
    """Pending run days whose day has come, written to the config file; the deps with the
    settings the file now gives, or ``None`` when nothing was written (none due, no config
    path, a dry run, or the file cannot be written: then the instruction stays pending)."""
    from ampt_sync.steering import apply_due_settings, due_settings
    from ampt_sync.training.instructions import summary

    with store.transaction() as session:
        due = due_settings(session, report.today)
    if due is None:
        return None
    what = f"instruction #{due.id} ({summary(due, report.today)})"
    if deps.config_path is None or dry_run:
        why = "a dry run" if dry_run else "this cycle has no config file (the demo?)"
        message = f"{what} is due but not applied: {why}; the plan keeps the old days"
        log.info("%s", message)
        report.settings = {"instruction": due.id, "applied": False, "message": message}
        return None
    try:
        with store.transaction() as session:
            applied = apply_due_settings(
                session, config_path=deps.config_path, today=report.today, now=deps.now()
            )
    except ConfigError as exc:  # rolled back: still pending, the next cycle tries again
        message = f"{what} is due but not applied: {exc}"
        log.warning("%s", message)
        report.settings = {"instruction": due.id, "applied": False, "message": message}
        # not a failed cycle (the old days still reach the watch): an error line, and the
        # alert that tells the runner what to edit
        report.errors.append(message)
        report.settings["alert"] = True
        return None
    if applied is None:
        return None
    instruction, settings = applied
    message = f"{what} applied: {deps.config_path} now holds them; the plan follows them"
    log.info("%s", message)
    report.settings = {"instruction": instruction.id, "applied": True, "message": message}
    return dataclasses.replace(deps, settings=settings)
