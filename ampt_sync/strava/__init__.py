"""Strava: the one-time OAuth from the CLI, the client, the rate budget and the activity sync.

Modules (import them directly; this package imports nothing, so that ``--help`` stays fast):

:mod:`~ampt_sync.strava.oauth`
    authorisation URL, paste-back parsing, the ``--listen`` callback server, the code exchange
:mod:`~ampt_sync.strava.client`
    :func:`~ampt_sync.strava.client.build_client` → :class:`~ampt_sync.strava.client.StravaClient`
    (refresh persisted before use, timeouts, error translation, request counts)
:mod:`~ampt_sync.strava.ratelimit`
    :class:`~ampt_sync.strava.ratelimit.RateBudget`: reads Strava's headers, raises
    :class:`~ampt_sync.errors.RateLimited` instead of sleeping
:mod:`~ampt_sync.strava.sync`
    :func:`~ampt_sync.strava.sync.pull` → :class:`~ampt_sync.strava.sync.PullReport`
:mod:`~ampt_sync.strava.disconnect`
    revoke at Strava, delete tokens and every Strava activity
"""
