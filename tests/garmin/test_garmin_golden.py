"""Golden files: the exact Garmin JSON of one workout of every kind the library makes.

A change in the encoder or the workout library shows up here as a diff to review. After a change
that is meant, rewrite the files and read the diff before committing it::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/garmin/test_garmin_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from garmin_helpers import library_workouts

from ampt_sync.garmin.encode import encode, second_opinion, validate
from ampt_sync.sim.garmin import garmin_validation_problem

GOLDEN = Path(__file__).with_name("golden")
# Read at import: the suite's fixtures clear the environment of each test.
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
WORKOUTS = library_workouts()


def _text(payload: dict) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(WORKOUTS))
def test_the_encoded_workout_matches_its_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    text = _text(encode(WORKOUTS[name]).payload)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_every_golden_file_passes_both_validations_and_garmins(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert validate(payload) == []
    assert second_opinion(payload) == []
    assert garmin_validation_problem(payload) is None


def test_there_is_a_golden_file_for_every_kind_and_no_stale_one() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(WORKOUTS)
    kinds = {w.kind.value for w in WORKOUTS.values()}
    assert kinds == {
        "easy",
        "recovery",
        "long",
        "tempo",
        "intervals",
        "fartlek",
        "strides",
        "hills",
        "strength",
        "race",
    }
