"""Command groups shared by several services: ``ampt-sync auth …`` and ``ampt-sync disconnect …``.

Each service registers its own subcommand on these groups from its own CLI module, so that no
module owns another's commands. For example, in ``ampt_sync/cli/garmin.py``::

    from ampt_sync.cli.groups import auth_app, disconnect_app

    @auth_app.command("garmin")
    def auth_garmin(ctx: typer.Context) -> None:
        \"\"\"Sign in to Garmin Connect once.\"\"\"

    @disconnect_app.command("garmin")
    def disconnect_garmin(ctx: typer.Context) -> None:
        \"\"\"Forget the Garmin tokens.\"\"\"

and add one import line for that module in ``ampt_sync/cli/__init__.py``. The groups are added to
the root ``app`` here, once; importing this module is enough.
"""

from __future__ import annotations

from ampt_sync.cli.base import SERVICES, app, command_group

auth_app = command_group(
    help="Connect ampt-sync to a service (one-time set-up): `auth strava`, `auth garmin`, "
    "`auth intervals`.",
    no_args_is_help=True,
)
disconnect_app = command_group(
    help="Revoke ampt-sync's access to a service and delete its tokens and data.",
    no_args_is_help=True,
)

app.add_typer(auth_app, name="auth", rich_help_panel=SERVICES)
app.add_typer(disconnect_app, name="disconnect", rich_help_panel=SERVICES)
