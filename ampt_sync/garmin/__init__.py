"""Garmin Connect: sign in once, encode workouts, keep the calendar equal to the plan.

The package is split by concern, edges to core:

- :mod:`.auth` — ``ampt-sync auth garmin``: the one credential sign-in (login strategy injected),
  or importing a garminconnect token file. Never called by the daemon.
- :mod:`.client` — a garminconnect client from the stored tokens (``client.loads()``), aimed at
  ``AMPT_SYNC_GARMIN_URL``, with rotated tokens saved before use, capped timeouts, call counts,
  the "re-login needed" state, and the one mapping of HTTP failures to our errors.
- :mod:`.calendar` — the ``WorkoutCalendar`` port and its thin garminconnect adapter.
- :mod:`.encode` — a domain ``Workout`` as Garmin workout JSON, validated twice; the marker.
- :mod:`.reconcile` — the pure diff: plan window + ledger + Garmin's view → actions.
- :mod:`.push` — the push's entry points and its promises; :func:`.push.run_push` is what the
  daemon and the CLI call. Its parts:

  - :mod:`.apply` — the pusher: gathers, applies the actions, settles late writes, keeps the
    ledger true;
  - :mod:`.writes` — each write with its safety checks (paced, resolved by look-up, read back,
    marker checked before a delete);
  - :mod:`.verify` — the final read that checks what the writes left to it;
  - :mod:`.push_report` — what a push decided and did.

Only the push's modules, :mod:`.reconcile` and :mod:`.encode` are needed to reason about what
reaches the watch; garminconnect is imported lazily, inside the functions that talk to Garmin.
"""
