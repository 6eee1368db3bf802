"""The FIT tests reuse the planner tests' realistic runners (``tests/training``) and the
Garmin tests' library workouts (``tests/garmin``)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
for _folder in (str(_TESTS / "training"), str(_TESTS / "garmin")):
    if _folder not in sys.path:
        sys.path.append(_folder)
