"""FIT file names (FAT-safe, unique, stable across a re-plan that keeps the session), the week's
zip, and writing files."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

from athletes import build_inputs, population
from fit_helpers import decode
from garmin_helpers import library_workouts, plan_of
from hypothesis import given
from hypothesis import strategies as st

from ampt_sync.domain import Workout, WorkoutKind
from ampt_sync.fit import encode_workout, fit_file_name, fit_workouts, week_zip
from ampt_sync.fit.files import NAME_RE, fit_files, write_files
from ampt_sync.training.planner import generate_plan
from ampt_sync.training.replan import replan_from

#: What a FAT long file name may not contain (plus control characters), per Microsoft's FAT spec.
FAT_FORBIDDEN = re.compile(r'[\x00-\x1f"*/:<>?\\|\x7f]')
KEYS = st.from_regex(r"\A[A-Za-z0-9._:-]{1,40}\Z")


def _workout(key: str, kind: WorkoutKind = WorkoutKind.EASY) -> Workout:
    return dataclasses.replace(library_workouts()["easy"], key=key, kind=kind)


@given(KEYS, st.sampled_from(list(WorkoutKind)), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_every_name_is_fat_safe_and_says_day_kind_and_key(key, kind, day) -> None:
    name = fit_file_name(day, _workout(key, kind))
    assert NAME_RE.match(name)
    assert not FAT_FORBIDDEN.search(name)
    assert len(name) <= 255
    assert name.startswith(f"{day.isoformat()}_{kind.value}_")
    assert name.endswith(".fit")


@given(KEYS, KEYS)
def test_two_keys_never_share_a_name_even_on_a_case_blind_volume(a, b) -> None:
    day = date(2026, 12, 8)
    if a != b:
        assert fit_file_name(day, _workout(a)).lower() != fit_file_name(day, _workout(b)).lower()


def test_an_ordinary_key_is_the_name_as_it_is() -> None:
    assert fit_file_name(date(2026, 12, 8), _workout("w-7f3a01")) == "2026-12-08_easy_w-7f3a01.fit"


def test_a_session_kept_by_a_re_plan_keeps_its_file_name() -> None:
    """Fitness improves three days in: the future is planned afresh with new paces, and every
    session that stays on its day keeps its key, so its file name; its content changes."""
    spec = population(seed=3, size=1)[0]
    today = date(2026, 3, 2)
    inputs = build_inputs(spec, today)
    before = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, today)
    fitter = dataclasses.replace(
        inputs.fitness,
        vdot=inputs.fitness.vdot + 1,
        paces=dataclasses.replace(
            inputs.fitness.paces,
            threshold=inputs.fitness.paces.threshold - 5,
            interval=inputs.fitness.paces.interval - 5,
        ),
    )
    later = today + timedelta(days=3)
    after = replan_from(before, inputs.goal, inputs.athlete, fitter, inputs.history, later)
    old = {(d, w.key): w for d, w in fit_workouts(before, later, 28)}
    new = {(d, w.key): w for d, w in fit_workouts(after, later, 28)}
    kept = sorted(set(old) & set(new))
    assert len(kept) >= 8, "the re-plan kept too few sessions for this test to mean anything"
    for day, key in kept:
        assert fit_file_name(day, old[day, key]) == fit_file_name(day, new[day, key])
    changed = [
        k for k in kept if encode_workout(old[k], day=k[0]) != encode_workout(new[k], day=k[0])
    ]
    assert changed, "the new paces should change some files' content"


def test_the_week_zip_holds_that_weeks_files_each_decoding_cleanly() -> None:
    monday = date(2026, 12, 7)
    library = library_workouts()
    plan = plan_of(
        [
            (monday - timedelta(days=1), library["long"]),  # the week before
            (monday + timedelta(days=1), library["intervals"]),
            (monday + timedelta(days=1), library["strength"]),
            (monday + timedelta(days=3), library["tempo"]),
            (monday + timedelta(days=6), library["long"]),
            (monday + timedelta(days=7), library["easy"]),  # the week after
        ]
    )
    data = week_zip(plan, monday)
    assert week_zip(plan, monday) == data  # deterministic
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [
            "2026-12-08_intervals_w-intervals.fit",
            "2026-12-08_strength_w-strength.fit",
            "2026-12-10_tempo_w-tempo.fit",
            "2026-12-13_long_w-long.fit",
        ]
        for name in names:
            (workout,) = decode(archive.read(name))["workout_mesgs"]
            assert workout["wkt_name"]
    with zipfile.ZipFile(io.BytesIO(week_zip(plan, monday + timedelta(days=14)))) as empty:
        assert empty.namelist() == []


def test_writing_replaces_a_file_of_the_same_name_and_leaves_others(tmp_path: Path) -> None:
    tmp_path = tmp_path / "watch"
    tmp_path.mkdir()
    library = library_workouts()
    day = date(2026, 12, 8)
    (tmp_path / "mine.txt").write_text("the runner's own file")
    first = fit_files([(day, library["easy"])])
    write_files(first, tmp_path)
    resized = dataclasses.replace(library["easy"], title="Easy run, shorter")
    paths = write_files(fit_files([(day, resized)]), tmp_path)
    assert [p.name for p in paths] == [first[0].name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first[0].name, "mine.txt"])
    (workout,) = decode(paths[0].read_bytes())["workout_mesgs"]
    assert workout["wkt_name"] == "Easy run, shorter"
