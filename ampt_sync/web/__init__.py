"""The runner's page: the plan, today's workout, the changes and the sync's health, served by
the daemon on the home network (issue 10).

Stack: **Starlette + Jinja2, served by uvicorn.** Measured on a 1 GB-class machine
(``shared/reference/ecosystem-2026-12.md`` §7) Starlette with uvicorn and Jinja2 costs about
30 MiB in a bare Python against 47 MiB for FastAPI (whose OpenAPI machinery a page does not
need) and 31 MiB for Flask with waitress; inside the daemon the page adds about 13 MiB
(``docs/performance.md``), because the daemon already carries much of what it imports. All three
are among PyPI's most-used and best-kept packages; Starlette is ASGI, so uvicorn serves it on
its own event loop in a thread beside the scheduler, and its TestClient tests it without a
socket. Jinja2 autoescapes every template; the pages need no JavaScript at all.

Modules, each with one job:

``app``     the ASGI app: routes, the session middleware, security headers (CSP), sign-in guard
``routes``  the handlers: read the store in one short transaction, build views, render
``views``   pure: plan, activities and ledger → what each page shows, in the runner's units
``auth``    password hash, one-time sign-in links, session secret, CSRF, throttle, feed key
``serve``   uvicorn beside the daemon (a thread) or alone (foreground); the loopback rule
``templates/``, ``style.css``  the markup and the one stylesheet (inlined, allowed by its hash)

The words are the CLI's (:mod:`ampt_sync.plan_text`, :mod:`ampt_sync.units`,
:mod:`ampt_sync.status`). The page reads the store only and never calls Strava or Garmin; its
only writes are sign-in bookkeeping in ``service_state``.
"""
