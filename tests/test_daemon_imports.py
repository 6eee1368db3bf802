"""The daemon loads the page's stack only when it serves the page."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

PROBE = """
import json, sys
from ampt_sync.cli.daemon import _start_page
from ampt_sync.config import parse_settings

settings = parse_settings(sys.argv[1], source="test")
assert _start_page(settings, None, None) is None
print(json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] in ("starlette", "uvicorn", "jinja2", "wsproto")
)))
"""


def test_a_daemon_without_the_page_loads_none_of_its_stack() -> None:
    goal = date.today() + timedelta(weeks=16)
    config = (
        '[athlete]\ntimezone = "Europe/London"\n'
        f'[goal]\ndistance = "half"\ndate = {goal.isoformat()}\n'
        '[web]\nlisten = ""\n'
    )
    child = subprocess.run(
        [sys.executable, "-c", PROBE, config], capture_output=True, text=True, check=True
    )
    assert json.loads(child.stdout) == []
