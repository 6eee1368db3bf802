"""Importing the CLI loads none of the heavy dependencies: each command imports what it needs
when it runs (checked in a fresh interpreter, so what other tests loaded does not count)."""

from __future__ import annotations

import json
import subprocess
import sys

#: What importing the CLI must not load: every dependency a command imports when it runs (each
#: command imports what it needs inside its function, so that `--help` and the commands that
#: need little start quickly on a Raspberry Pi).
HEAVY = (
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


def test_help_loads_no_heavy_module_and_no_markdown_renderer() -> None:
    """``--help`` prints Click's plain help: no domain model, no Markdown or Pygments."""
    code = (
        "import sys\n"
        "sys.argv = ['ampt-sync', '--help']\n"
        "from ampt_sync.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main()\n"
        "heavy_extra = ('markdown_it', 'pygments', 'rich.markdown', 'typer.rich_utils')\n"
        "assert not [m for m in sys.modules if m.startswith(heavy_extra)], 'a renderer loaded'\n"
    )
    assert loaded_after(code) == []
