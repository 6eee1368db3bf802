"""The ``ampt-sync`` command line. Thin: parse, call the service layer, render.

Output rules: with ``--format json`` stdout holds exactly one JSON document; logs, progress bars
and notices go to stderr. Every known error becomes one line on stderr and an exit code
(78 configuration or authorisation, 75 temporary, 1 otherwise); a traceback only with ``--verbose``.

Each area registers its commands on the one Typer ``app`` from its own module; importing them here
is what adds them. Heavy imports (SQLAlchemy, stravalib, garminconnect, APScheduler) happen inside
the commands that need them, so that ``ampt-sync --help`` starts quickly on a Raspberry Pi.
"""

# isort: off
# Import order is the order of the help's panels: set-up, services, training, unattended.
from ampt_sync.cli import setup  # noqa: F401  (registers its commands)
from ampt_sync.cli import groups  # noqa: F401
from ampt_sync.cli import strava  # noqa: F401
from ampt_sync.cli import garmin  # noqa: F401
from ampt_sync.cli import intervals  # noqa: F401
from ampt_sync.cli import plan  # noqa: F401
from ampt_sync.cli import export  # noqa: F401
from ampt_sync.cli import training  # noqa: F401
from ampt_sync.cli import steer  # noqa: F401
from ampt_sync.cli import daemon  # noqa: F401
from ampt_sync.cli import web  # noqa: F401
from ampt_sync.cli.base import app, main
# isort: on

__all__ = ["app", "main"]
