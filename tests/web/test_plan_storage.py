"""A store that stays small: older plan versions kept as deltas that rebuild them exactly, the
migration that converts a store of full versions without losing any, and the charts reading the
same after it (issue 14). Here beside the charts' tests, whose store helpers it shares."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from web_helpers import MONDAY, add_runs, history, plan_on, settings

from ampt_sync import plan_json
from ampt_sync.domain import Change, Plan
from ampt_sync.store import db
from ampt_sync.store.deltas import rebuild, reverse_delta
from ampt_sync.store.models import PlanRow
from ampt_sync.store.plans import load_plan, newest_plan, plan_changes, save_plan
from ampt_sync.training import library
from ampt_sync.web.series import build_charts

NOW = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
TODAY = MONDAY + timedelta(weeks=3)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)
json_documents = st.dictionaries(st.text(max_size=5), json_values, max_size=6)


@given(json_documents, json_documents)
def test_a_reverse_delta_rebuilds_the_older_document_exactly(newer: dict, older: dict) -> None:
    kept = copy.deepcopy(newer)
    delta = reverse_delta(newer, older)
    assert rebuild(newer, [delta]) == older
    assert newer == kept  # neither making nor applying a delta touches the newer document


@given(st.lists(json_documents, min_size=1, max_size=5))
def test_a_chain_of_deltas_rebuilds_every_version(versions: list[dict]) -> None:
    newest = versions[-1]
    deltas = [reverse_delta(b, a) for a, b in itertools.pairwise(versions)]
    for back in range(len(versions)):
        wanted = versions[len(versions) - 1 - back]
        assert rebuild(newest, list(reversed(deltas))[:back]) == wanted


# ------------------------------------------------------------------------------------------------
# Versions in the store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[db.Store]:
    opened = db.open_store(f"sqlite:///{tmp_path}/state.db")
    add_runs(opened, history())
    yield opened
    opened.close()


def versions_of(store: db.Store, count: int) -> list[Plan]:
    """The plan the training core made on MONDAY, then ``count - 1`` versions of it, each a
    little fitter, three days later, with one upcoming easy run longer and a change saying so."""
    plan_on(store, settings(), MONDAY)
    with store.transaction() as session:
        first = load_plan(session)
    assert first is not None
    plans = [first]
    for k in range(1, count):
        previous = plans[-1]
        day = MONDAY + timedelta(days=3 * k)
        fitness = replace(previous.fitness, vdot=round(previous.fitness.vdot + 0.3, 1))
        upcoming = [(d, w) for d, w in previous.workouts_between(day, date.max) if w.kind == "easy"]
        easy_day, easy = upcoming[0]
        longer = library.easy_run(easy.key, fitness.paces, distance_m=easy.distance_m + 500)
        weeks = tuple(
            replace(
                week,
                days=tuple(
                    replace(
                        d, workouts=tuple(longer if w.key == easy.key else w for w in d.workouts)
                    )
                    for d in week.days
                ),
            )
            for week in previous.weeks
        )
        change = Change(easy_day, easy.key, f"Version {k + 1}: the easy run grew by 500 m.")
        plans.append(
            replace(previous, generated_on=day, fitness=fitness, weeks=weeks, changes=(change,))
        )
    return plans


def test_only_the_newest_version_is_stored_in_full_and_every_one_rebuilds(store: db.Store) -> None:
    plans = versions_of(store, 6)
    with store.transaction() as session:
        for k, plan in enumerate(plans[1:], start=2):
            assert save_plan(session, plan, now=NOW + timedelta(days=k)) == k
    with store.transaction() as session:
        rows = session.scalars(sa.select(PlanRow).order_by(PlanRow.version)).all()
        assert [r.plan_json is None for r in rows] == [True] * 5 + [False]
        assert [r.delta_json is None for r in rows] == [False] * 5 + [True]
        assert [r.vdot for r in rows] == [p.fitness.vdot for p in plans]
        full_bytes = len(plan_json.dumps(rows[-1].plan_json))
        for row in rows[:-1]:
            assert len(plan_json.dumps({"d": row.delta_json})) < full_bytes / 20
        for version, plan in enumerate(plans, start=1):
            assert load_plan(session, version) == plan
        assert newest_plan(session).plan == plans[-1]
        assert load_plan(session, 99) is None


# ------------------------------------------------------------------------------------------------
# Migration 0003 from a store of full versions


OLD_PLANS = sa.table(
    "plans",
    sa.column("version", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
    sa.column("generated_on", sa.Date()),
    sa.column("inputs_hash", sa.String()),
    sa.column("plan_json", sa.JSON()),
)
OLD_CHANGES = sa.table(
    "plan_changes",
    sa.column("plan_version", sa.Integer()),
    sa.column("day", sa.Date()),
    sa.column("key", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("created_at", sa.DateTime()),
)


def old_store(path: Path, plans: list[Plan]) -> str:
    """A database at revision 0001 holding ``plans`` as full versions, as before 0003."""
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for version, plan in enumerate(plans, start=1):
            connection.execute(
                sa.insert(OLD_PLANS).values(
                    version=version,
                    created_at=datetime(2026, 3, 1) + timedelta(days=version),
                    generated_on=plan.generated_on,
                    inputs_hash=f"h{version}",
                    plan_json=plan_json.plan_to_dict(plan),
                )
            )
            for change in plan.changes:
                connection.execute(
                    sa.insert(OLD_CHANGES).values(
                        plan_version=version,
                        day=change.day,
                        key=change.key,
                        reason=change.reason,
                        created_at=datetime(2026, 3, 1) + timedelta(days=version),
                    )
                )
    engine.dispose()
    return url


def test_migration_keeps_every_version_the_changes_and_the_newest_plan(
    store: db.Store, tmp_path: Path
) -> None:
    plans = versions_of(store, 8)
    path = tmp_path / "old.db"
    url = old_store(path, plans)
    size_before = path.stat().st_size

    migrated = db.open_store(url)  # migrates to head, backs up first, then compacts
    try:
        assert db.current_revision(migrated.engine) == db.head_revision()
        with migrated.transaction() as session:
            for version, plan in enumerate(plans, start=1):
                assert load_plan(session, version) == plan
            newest = newest_plan(session)
            assert newest.version == 8
            assert newest.plan == plans[-1]
            assert newest.inputs_hash == "h8"
            assert [c for _, c in plan_changes(session, limit=100)] == [
                c for p in reversed(plans) for c in p.changes
            ]
            rows = session.scalars(sa.select(PlanRow).order_by(PlanRow.version)).all()
            assert [r.vdot for r in rows] == [p.fitness.vdot for p in plans]
            assert sum(r.plan_json is not None for r in rows) == 1
            # the store keeps working: a new version after the migration
            ninth = replace(plans[-1], generated_on=plans[-1].generated_on + timedelta(days=1))
            ninth = replace(ninth, fitness=replace(ninth.fitness, vdot=60.0))
            assert save_plan(session, ninth, now=NOW + timedelta(days=30)) == 9
            assert load_plan(session, 8) == plans[-1]
    finally:
        migrated.close()
    assert list((tmp_path / "backups").glob("old-*-rev0001.db"))  # the full versions, kept aside
    assert path.stat().st_size < size_before / 2  # compacted: the freed pages are given back


def test_downgrade_restores_every_version_in_full(store: db.Store, tmp_path: Path) -> None:
    plans = versions_of(store, 4)
    url = old_store(tmp_path / "old.db", plans)
    db.open_store(url).close()
    engine = db.make_engine(url)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with engine.connect() as connection:
        stored = connection.execute(sa.select(OLD_PLANS.c.plan_json).order_by("version")).scalars()
        assert list(stored) == [plan_json.plan_to_dict(p) for p in plans]
    engine.dispose()


def test_the_charts_read_the_same_from_a_migrated_store(store: db.Store, tmp_path: Path) -> None:
    plans = versions_of(store, 6)
    # the same versions saved by today's code ...
    with store.transaction() as session:
        for k, plan in enumerate(plans[1:], start=2):
            save_plan(session, plan, now=NOW + timedelta(days=k))
        expected = build_charts(session, settings(), TODAY)
    # ... and converted from a store of full versions, with the same runs
    url = old_store(tmp_path / "old.db", plans)
    migrated = db.open_store(url)
    try:
        add_runs(migrated, history())
        with migrated.transaction() as session:
            charts = build_charts(session, settings(), TODAY)
    finally:
        migrated.close()
    assert charts == expected
    fitness = next(c for c in charts if c.slug == "fitness")
    assert fitness.bar_count == 2 * 3  # versions on days 0, 3 | 6, 9, 12 | 15: three weeks
    assert f"VDOT {plans[-1].fitness.vdot:.1f}" in fitness.summary


def test_through_the_real_cycles_only_the_newest_version_stays_in_full() -> None:
    from ampt_sync.demo import simulate

    seen: list[tuple[date, int, int, int]] = []

    def each_day(day: date, store: db.Store) -> None:
        with store.engine.connect() as connection:
            versions, full, delta_bytes = connection.execute(
                sa.text(
                    "SELECT count(*), count(plan_json), coalesce(sum(length(delta_json)), 0) "
                    "FROM plans"
                )
            ).one()
        seen.append((day, versions, full, delta_bytes))

    run = simulate(14, each_day=each_day)
    assert [d for d, *_ in seen] == [run.start + timedelta(days=n) for n in range(14)]
    assert seen[-1][1] >= 2  # the adaptation made new versions ...
    assert {full for _, _, full, _ in seen} == {1}  # ... and only the newest is whole
    assert seen[-1][3] < 50_000  # the older ones cost a few KB at most
