"""The shipped systemd units verify and stay hardened (skipped where systemd-analyze is absent)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "systemd"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def _installed_copy(tmp_path: Path) -> Path:
    """The units with ExecStart pointing at this checkout's ampt-sync, so verify can run them."""
    executable = Path(sys.executable).with_name("ampt-sync")
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/opt/ampt-sync/venv/bin/ampt-sync", str(executable))
        (tmp_path / unit.name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "unit", ["ampt-sync.service", "ampt-sync-cycle.service", "ampt-sync-cycle.timer"]
)
def test_units_pass_systemd_analyze_verify(unit: str, tmp_path: Path) -> None:
    folder = _installed_copy(tmp_path)
    done = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(folder / unit)],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


@pytest.mark.parametrize("unit", ["ampt-sync.service", "ampt-sync-cycle.service"])
def test_units_score_2_or_better_in_systemd_analyze_security(unit: str, tmp_path: Path) -> None:
    folder = _installed_copy(tmp_path)
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", str(folder / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    score = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert score is not None, done.stdout + done.stderr
    assert float(score.group(1)) <= 2.0


def test_the_daemon_unit_has_what_the_issue_requires() -> None:
    text = (UNITS / "ampt-sync.service").read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        "RestartPreventExitStatus=78",
        "After=network-online.target time-sync.target",
        "User=ampt-sync",
        "StateDirectory=ampt-sync",
        "ConfigurationDirectory=ampt-sync",
        "LoadCredentialEncrypted=token-key:",
        "LoadCredentialEncrypted=strava-client-secret:",
    ):
        assert line in text
