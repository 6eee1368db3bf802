"""The top-level help (``ampt-sync``, ``-h``, ``--help``) is drawn by ampt_sync.cli.overview
without building every command; it must be exactly what Typer prints, and must stay cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ampt_sync.cli import app, main


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
    import typer

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
