"""The top-level help (``ampt-sync``, ``-h``, ``--help``) is drawn by ampt_sync.cli.overview
without building every command; it must be exactly what Typer prints, and must stay cheap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer

from ampt_sync.cli import app, main
from ampt_sync.cli.overview import print_overview


def typers_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str]:
    """What Typer itself prints for ``args``, and its exit code."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        app(args=args, prog_name="ampt-sync")
    return exit_.value.code, capsys.readouterr().out


def ours(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("columns", ["80", "132"])
@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("args", [[], ["--help"], ["-h"]])
def test_the_top_level_help_is_exactly_typers(
    args: list[str],
    colour: bool,
    columns: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("TERMINAL_WIDTH", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)
    code, text = ours(args, capsys)
    assert "Training" in text
    assert ("\x1b[" in text) == colour
    assert (code, text) == typers_help(args, capsys)


def test_every_command_and_group_is_in_the_top_level_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, text = ours(["--help"], capsys)
    group = typer.main.get_command(app)
    names = [name for name, command in group.commands.items() if not command.hidden]
    assert len(names) > 20
    for name in names:
        assert f"│ {name} " in text, name


#: What the top-level help must not load: Typer's rich formatter (and Markdown, Pygments
#: through it), and every dependency a command imports when it runs.
HEAVY = (
    "typer.rich_utils",
    "rich.markdown",
    "markdown_it",
    "pygments",
    "ampt_sync.domain",
    "pydantic",
    "sqlalchemy",
    "alembic",
    "stravalib",
    "garminconnect",
    "apscheduler",
    "starlette",
    "uvicorn",
    "jinja2",
    "icalendar",
    "garmin_fit_sdk",
    "requests",
    "keyring",
    "cryptography",
)


def loaded_after(code: str) -> list[str]:
    probe = (
        "import contextlib, io, json, sys\n"
        f"{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if any(m == h or m.startswith(h + '.') for h in heavy))))\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return json.loads(child.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert loaded_after("import ampt_sync.cli") == []


def test_the_top_level_help_loads_no_heavy_module() -> None:
    run = (
        "from ampt_sync.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0"
    )
    assert loaded_after(run) == []


def a_toy_app() -> typer.Typer:
    """What ampt-sync's own commands do not use yet: emphasis and several paragraphs (drawn
    by Rich's Markdown, as Typer does), a hidden and a deprecated command, the default panel,
    a required root option, and a sub-app."""
    toy = typer.Typer(rich_markup_mode="markdown", help="A *toy*.\n\nIts second paragraph.")

    @toy.callback()
    def root(
        name: Annotated[str, typer.Option("--name", "-n", help="Whose toy.")],
        loud: Annotated[bool, typer.Option("--loud/--quiet", help="How it speaks.")] = False,
    ) -> None:
        """Unused: the help is the Typer's."""

    @toy.command()
    def play() -> None:
        """Play with **it**; `play` again.

        More about playing.
        """

    @toy.command(hidden=True)
    def secret() -> None:
        """Not listed."""

    @toy.command(deprecated=True, rich_help_panel="Old")
    def break_it() -> None:
        """Breaks it (use `play`)."""

    parts = typer.Typer(help="Its parts: `parts list`.")

    @parts.command("list")
    def list_parts() -> None:
        """Every part."""

    toy.add_typer(parts, name="parts")
    return toy


@pytest.mark.parametrize("colour", [False, True])
def test_what_the_app_does_not_use_yet_is_drawn_as_typer_draws_it(
    colour: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)
    toy = a_toy_app()
    capsys.readouterr()
    assert print_overview(toy, prog_name="toy")
    print()  # as main() ends a --help
    drawn = capsys.readouterr().out
    with pytest.raises(SystemExit):
        toy(args=["--help"], prog_name="toy")
    assert drawn == capsys.readouterr().out
    assert "secret" not in drawn
    assert "(deprecated)" in drawn
    assert "Old" in drawn


def test_with_rich_turned_off_typer_prints_the_plain_help() -> None:
    script = Path(sys.executable).with_name("ampt-sync")
    env = {**os.environ, "TYPER_USE_RICH": "0", "COLUMNS": "80"}

    def help_text(*args: str) -> str:
        return subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, check=True
        ).stdout

    plain = help_text("--help")
    assert "Usage: ampt-sync" in plain
    assert "╭" not in plain
    assert plain == help_text("-v", "--help")  # not the overview's path: Typer's own
