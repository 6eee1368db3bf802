"""intervals.icu as a delivery target and as an activity source: its HTTP client, its events
calendar and the push, and the pull of the runner's activities.

intervals.icu is an official Garmin (and COROS, Suunto, Wahoo) partner: a planned workout on its
calendar reaches the watch through the official route once the runner has enabled "upload
planned workouts" there. See ``docs/intervals-icu.md``.

Modules, one job each: :mod:`.client` (HTTP, auth, errors), :mod:`.credentials` (the athlete id
and API key in the token store), :mod:`.events` (a planned workout as a calendar event),
:mod:`.calendar` (the events port), :mod:`.reconcile` (the pure diff), :mod:`.ledger` (what we
put there), :mod:`.push` (the push and its check), :mod:`.activity_json` (its activity JSON
mapped to ours, pure), :mod:`.activities` (the pull).
"""
