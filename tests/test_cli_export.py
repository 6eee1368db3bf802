"""``ampt-sync export fit`` through the real entry point: the push horizon into the current
folder by default, the chosen days and folder otherwise, one JSON document with ``--format
json``, files that decode with the SDK and hold the plan's workouts, and clear errors."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from garmin_fit_sdk import Decoder, Stream

from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan

ZONE = "Europe/Berlin"


def today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def config(tmp_path: Path) -> str:
    return f"""
[athlete]
name = "Sam"
timezone = "{ZONE}"
weekly_distance = 40
hr_max = 186

[goal]
race = "AMPT Half"
distance = "half"
date = {(today() + timedelta(weeks=12)).isoformat()}

[schedule]
run_days = ["tue", "thu", "sat", "sun"]
long_run_day = "sun"
strength_days = ["mon", "wed"]

[sync]
horizon_days = 5

[storage]
state_dir = "{tmp_path / "state"}"
"""


def stored_plan(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    try:
        with store.transaction() as session:
            return load_plan(session)
    finally:
        store.close()


def decoded_name(path: Path) -> str:
    decoder = Decoder(Stream.from_byte_array(bytearray(path.read_bytes())))
    assert decoder.check_integrity()
    decoder = Decoder(Stream.from_byte_array(bytearray(path.read_bytes())))
    messages, errors = decoder.read()
    assert errors == []
    return messages["workout_mesgs"][0]["wkt_name"]


def test_by_default_the_push_horizon_goes_into_the_current_folder(
    cli, write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(config(tmp_path))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = cli("-c", str(path), "export", "fit")
    assert result.code == 0, result.stderr
    plan = stored_plan(tmp_path)
    wanted = [
        (d, w) for d, w in plan.workouts_between(today(), today() + timedelta(days=5))
        if w.kind != "rest"
    ]  # fmt: skip
    assert wanted, "five days of a 4-run week hold workouts"
    files = sorted(here.iterdir())
    assert [f.name for f in files] == sorted(
        f"{d.isoformat()}_{w.kind.value}_{w.key}.fit" for d, w in wanted
    )
    titles = {w.key: w.title for _, w in wanted}
    for file in files:
        assert f"{file.name}  ({titles[file.stem.split('_', 2)[2]]})" in result.stdout
        key = file.stem.split("_", 2)[2]
        assert decoded_name(file) == titles[key].replace("×", "x")[:80]
    assert f"{len(files)} FIT workout file(s)" in result.stderr


def test_chosen_days_into_a_new_folder_as_one_json_document(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))
    first = today() + timedelta(days=7)
    out = tmp_path / "usb" / "GARMIN" / "NewFiles"
    args = ("-c", str(path), "export", "fit", "--from", first.isoformat(), "--days", "14")
    result = cli(*args, "--out", str(out), "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)  # exactly one document
    assert (document["from"], document["days"]) == (first.isoformat(), 14)
    listed = document["files"]
    assert len(listed) >= 8  # two weeks of 4 runs a week
    assert "long" in {f["kind"] for f in listed}
    assert all(first <= date.fromisoformat(f["date"]) < first + timedelta(days=14) for f in listed)
    assert sorted(p.name for p in out.iterdir()) == sorted(f["name"] for f in listed)
    for entry in listed:
        assert Path(entry["path"]).stat().st_size == entry["bytes"]
    # Run again: the same names, the same bytes, no new plan version.
    again = cli(*args, "--out", str(out), "--format", "json")
    assert json.loads(again.stdout)["files"] == listed


def test_a_bad_date_is_one_line_naming_the_option_and_the_fix(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))
    result = cli("-c", str(path), "export", "fit", "--from", "7/12/2026")
    assert result.code == 78
    assert result.stderr.strip().count("\n") == 0
    assert "--from" in result.stderr
    assert "YYYY-MM-DD" in result.stderr


def test_an_unwritable_folder_is_one_line_naming_it(cli, write_config, tmp_path: Path) -> None:
    path = write_config(config(tmp_path))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("-c", str(path), "export", "fit", "--out", str(blocker / "sub"))
    assert result.code == 78
    assert str(blocker / "sub") in result.stderr
    assert result.stderr.strip().count("\n") == 0
