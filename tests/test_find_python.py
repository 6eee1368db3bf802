"""`scripts/find-python`, which `make venv` uses to find a Python >= 3.12 on a fresh machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "find-python"


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A PATH with only the tools the script needs, an empty pyenv root and an empty home."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "ls", "sort"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    pyenv = tmp_path / "pyenv"
    (pyenv / "versions").mkdir(parents=True)
    home = tmp_path / "machine-home"
    home.mkdir()
    return {"bin": bin_dir, "pyenv": pyenv, "home": home}


def fake(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def run(machine: dict[str, Path], **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": str(machine["bin"]),
        "PYENV_ROOT": str(machine["pyenv"]),
        "HOME": str(machine["home"]),
        **extra,
    }
    return subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )


def test_a_failing_pyenv_shim_is_skipped_for_a_pyenv_installed_version(machine) -> None:
    fake(machine["bin"] / "python3.12", 'echo "pyenv: python3.12: command not found" >&2; exit 127')
    fake(machine["bin"] / "python3", "exit 1")  # an older Python fails the version check
    real = machine["pyenv"] / "versions" / "3.12.9" / "bin" / "python3"
    real.parent.mkdir(parents=True)
    real.symlink_to(sys.executable)
    done = run(machine)
    assert (done.returncode, done.stdout.strip()) == (0, str(real))


def test_a_working_python_on_path_comes_first(machine) -> None:
    on_path = machine["bin"] / "python3.12"
    on_path.symlink_to(sys.executable)
    (machine["pyenv"] / "versions" / "3.13.1" / "bin").mkdir(parents=True)
    (machine["pyenv"] / "versions" / "3.13.1" / "bin" / "python3").symlink_to(sys.executable)
    done = run(machine)
    assert done.stdout.strip() == str(on_path)


def test_uv_installed_pythons_are_found(machine) -> None:
    uv = machine["home"] / ".local" / "share" / "uv" / "python" / "cpython-3.12.7-linux" / "bin"
    uv.mkdir(parents=True)
    (uv / "python3").symlink_to(sys.executable)
    done = run(machine)
    assert done.stdout.strip() == str(uv / "python3")


def test_without_a_suitable_python_it_says_what_to_install(machine) -> None:
    fake(machine["bin"] / "python3", "exit 1")
    done = run(machine)
    assert done.returncode == 1
    assert done.stdout == ""
    message = done.stderr.strip()
    assert message.count("\n") == 0
    assert "needs Python >= 3.12" in message
    assert "uv python install 3.12" in message


def test_python_variable_overrides_and_is_checked(machine) -> None:
    done = run(machine, PYTHON=sys.executable)
    assert done.stdout.strip() == sys.executable
    bad = fake(machine["bin"] / "old-python", "exit 1")
    done = run(machine, PYTHON=str(bad))
    assert done.returncode == 1
    assert "does not run as Python >= 3.12" in done.stderr


def test_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)
