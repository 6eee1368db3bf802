"""The Typer app, its global options, shared output helpers and the entry point.

Output rules: with ``--format json`` stdout holds exactly one JSON document; logs, progress bars
and notices go to stderr. Every known error becomes one line on stderr and an exit code
(78 configuration or authorisation, 75 temporary, 1 otherwise); a traceback only with ``--verbose``.

Heavy imports (SQLAlchemy, stravalib, garminconnect, APScheduler) happen inside the commands that
need them, so that ``ampt-sync --help`` starts quickly on a Raspberry Pi.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
from rich.console import Console

from ampt_sync import __version__
from ampt_sync.errors import AmptSyncError, RemoteError

if TYPE_CHECKING:
    # Typer vendors Click as typer._click; importing the standalone click would load a second one
    from typer._click import HelpFormatter

    from ampt_sync.config import LoadedConfig, Settings
    from ampt_sync.secrets import TokenStore
    from ampt_sync.store.db import Store


class PanelledGroup(typer.core.TyperGroup):
    """Click's own plain help, as git and pip print theirs, with the commands listed under
    their panels (``rich_help_panel``) in the order they were added.

    Typer's rich help would import Rich's Markdown and traceback renderers (markdown-it,
    Pygments) for every ``--help``, which more than doubles its start-up on a Raspberry Pi
    (docs/performance.md); Click's formatter needs nothing more than Click."""

    def format_commands(self, ctx: typer.Context, formatter: HelpFormatter) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            # the whole first sentence, wrapped by write_dl, rather than cut at the width
            panels.setdefault(panel, []).append((name, command.get_short_help_str(limit=500)))
        # one column for the names across every panel, as in a single table
        width = max((len(name) for rows in panels.values() for name, _ in rows), default=0)
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl([(name.ljust(width), text) for name, text in rows])


def command_group(**options: Any) -> typer.Typer:
    """A Typer app (the root or a group of subcommands) that prints Click's plain help."""
    return typer.Typer(cls=PanelledGroup, rich_markup_mode=None, **options)


app = command_group(
    name="ampt-sync",
    help="Strava history in, an adaptive AMPT training plan out, structured workouts on Garmin.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh and fish
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
    pretty_exceptions_enable=False,
)


#: Help panels, in the order a runner meets the commands.
SETUP = "Set-up"
SERVICES = "Strava and Garmin"
TRAINING = "Training"
UNATTENDED = "Running unattended"


class OutputFormat(StrEnum):
    """Every command's ``--format``: ``text`` for a person, ``json`` for a script; ``table`` is
    accepted as another name for ``text`` (earlier releases used it for ``plan``)."""

    text = "text"
    json = "json"
    table = "table"


@dataclass
class AppState:
    config_path: Path | None
    verbose: bool


def out() -> Console:
    """stdout: what the command produces. Markup is off: our text contains [brackets]."""
    return Console(highlight=False, markup=False, soft_wrap=True)


def err() -> Console:
    """stderr: notices, warnings, errors and progress."""
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def emit_json(document: Any) -> None:
    """Write one JSON document to stdout, and nothing else."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def open_stores(settings: Settings) -> tuple[Store, TokenStore]:
    """The database and the token store the settings name (the caller closes the store)."""
    from ampt_sync.secrets import open_token_store
    from ampt_sync.store.db import open_store

    return open_store(settings.database_url()), open_token_store(
        settings.secrets.backend, settings.state_dir()
    )


def finish_push(
    document: dict[str, Any],
    *,
    changes: int,
    dry_run: bool,
    calls: dict[str, int],
    errors: list[str],
    service: str,
    text: bool,
) -> None:
    """The end of a push command: the report as JSON, or a line counting the changes and the
    requests to ``service``; then the push's first error (and how many more) as one line."""
    if not text:
        emit_json(document)
    else:
        done = "would be made (dry run)" if dry_run else "made"
        err().print(
            f"{changes} change(s) {done}; {calls.get('total', 0)} {service} request(s) "
            f"({calls.get('reads', 0)} read, {calls.get('writes', 0)} write)"
        )
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RemoteError(f"{errors[0]}{more}")


def app_state(ctx: typer.Context) -> AppState:
    state = ctx.find_root().obj
    if not isinstance(state, AppState):  # a subcommand invoked without the root callback
        state = AppState(config_path=None, verbose=False)
    return state


def load(ctx: typer.Context) -> LoadedConfig:
    """The config for this invocation; warnings go to stderr."""
    from ampt_sync.config import load_config

    loaded = load_config(app_state(ctx).config_path)
    for warning in loaded.warnings:
        err().print(f"warning: {warning}")
    return loaded


def _version(value: bool) -> None:
    if value:
        print(f"ampt-sync {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file. Default: $AMPT_SYNC_CONFIG, then ~/.config/ampt-sync/config.toml, "
            "then /etc/ampt-sync/config.toml.",
            # Not checked here (a framework error box, exit 2): load_config says what is wrong
            # in one line and exits 78, as for $AMPT_SYNC_CONFIG.
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging, and tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    from ampt_sync.logs import setup_logging

    setup_logging(verbose=verbose)
    ctx.obj = AppState(config_path=config, verbose=verbose)


# ------------------------------------------------------------------------------------------------
# entry point


#: The global options that take a value, which a runner may also write after the subcommand.
_GLOBAL_VALUE_OPTIONS = ("--config", "-c")


def global_options_first(args: list[str]) -> list[str]:
    """``push --config F`` → ``--config F push``: the global ``--config`` is accepted after the
    subcommand too, as in git or docker, by moving it in front (Click reads a group's options
    only before its subcommand). Nothing after a ``--`` is touched; no subcommand defines
    ``--config`` or ``-c`` itself."""
    moved: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg in _GLOBAL_VALUE_OPTIONS and index + 1 < len(args):
            moved += args[index : index + 2]
            index += 2
            continue
        if arg.startswith("--config="):
            moved.append(arg)
        else:
            rest.append(arg)
        index += 1
    return moved + rest


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    args = global_options_first(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    try:
        # Standalone mode: usage errors, --help and typer.Exit end in SystemExit with their code;
        # our own errors propagate to here.
        app(args=args, prog_name="ampt-sync")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except AmptSyncError as exc:
        if verbose:
            err().print_exception()
        err().print(f"ampt-sync: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err().print("interrupted")
        return 130
    except Exception as exc:
        if verbose:
            err().print_exception()
        from ampt_sync.logs import redact

        err().print(
            f"ampt-sync: unexpected {exc.__class__.__name__}: {redact(str(exc))} "
            "(rerun with --verbose for details)"
        )
        return 1
    return 0
