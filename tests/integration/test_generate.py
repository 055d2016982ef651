"""The province generator (bench/generate.py): deterministic, resumable, and views that add up.

A tiny province (30 cases, about a thousand events) on SQLite and PostgreSQL: the same seed
gives the same events on the same aggregates in the same order; a run interrupted (within a
case, and between a payroll run's approval and its settlement) and started again ends with
the same ledger; and the views built from it count the cases by the statuses they have.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from api.container import Container, build
from api.settings import Settings
from bench.generate import GenerateError, Generator, Interrupted
from bench.generate_plan import derived_id, person
from tests.conftest import _drop_postgres_database, _fresh_postgres_database

CASES, SEED = 30, 7


def log(container: Container) -> list[tuple[str, str, int]]:
    """Every event's type, aggregate and version, in the ledger's order."""
    rows = container.ledger.recorder.select_notifications(start=1, limit=10**6)
    return [(n.topic, str(n.originator_id), n.originator_version) for n in rows]


@pytest.fixture
def other_settings(
    settings: Settings, backend: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """A second, empty database beside the test's own."""
    if backend == "sqlite":
        url = settings.database_url.replace("ledger.sqlite3", "other.sqlite3")
        yield settings.model_copy(update={"database_url": url})
        return
    admin = request.getfixturevalue("pg_admin_url")
    name, url = _fresh_postgres_database(admin, request.getfixturevalue("pg_migrated_template"))
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        _drop_postgres_database(admin, name)


@contextmanager
def opened(settings: Settings) -> Iterator[Container]:
    c = build(settings)
    try:
        yield c
    finally:
        c.close()


def run_until(container: Container, stop_after: int | None) -> Generator:
    generator = Generator(container, CASES, SEED)
    generator.stop_after = stop_after
    with suppress(Interrupted):
        generator.run()
    return generator


def test_same_seed_same_ledger_and_a_resumed_run_ends_equal(
    container: Container, other_settings: Settings
) -> None:
    first = run_until(container, None)
    expected = log(container)
    assert len(expected) > 500 and first.stats.events == len(expected)
    trace = first.trace
    mid_case = trace.index("confirm_eligibility") + 3  # inside a later case's procedure
    mid_payroll = trace.index("record_settlement")  # approved, not yet settled
    with opened(other_settings) as other:
        for stop in (1, mid_case, mid_payroll, None):
            run_until(other, stop)
        assert log(other) == expected
        again = run_until(other, None)  # finished: a further run writes nothing
        assert again.stats.events == 0 and log(other) == expected
        with pytest.raises(GenerateError, match="not written by this generator"):
            Generator(other, CASES, SEED + 1).run()


def test_views_count_the_generated_cases_by_status(container: Container) -> None:
    run_until(container, None)
    container.runner.run_once()  # the views, and the death process's consequences
    container.runner.run_once()
    ledger = container.ledger
    statuses = Counter(ledger.get_case(derived_id(SEED, "case", i)).status for i in range(CASES))
    rows: list[dict[str, Any]] = container.db.query(
        "SELECT status, COUNT(*) AS n FROM case_summary GROUP BY status"
    )
    assert {r["status"]: int(r["n"]) for r in rows} == dict(statuses)
    assert statuses["active"] > CASES // 2
    runs = container.db.query("SELECT COUNT(*) AS n FROM payroll_runs")
    assert int(runs[0]["n"]) >= 12  # twelve months of DIBAO at least
    paid = container.db.query("SELECT COUNT(*) AS n FROM payouts WHERE status = 'settled'")
    assert int(paid[0]["n"]) > statuses["active"] * 6


def test_shards_write_the_same_events_as_one_run(
    container: Container, other_settings: Settings, tmp_path: Path
) -> None:
    """Three shards at once (threads here, processes with --shards) end with the same events
    on the same aggregates as one run; only their order in the log may differ."""
    run_until(container, None)
    expected = Counter(log(container))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    with opened(other_settings) as other:
        shards = [Generator(other, CASES, SEED, k, 3, barrier) for k in range(3)]
        errors: list[BaseException] = []

        def run(generator: Generator) -> None:
            try:
                generator.run()
            except BaseException as e:  # reported by the assertion below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(g,)) for g in shards]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not errors and not any(t.is_alive() for t in threads)
        assert Counter(log(other)) == expected
        # Each month's payroll ran after every shard's units of that month.
        assert sorted(p.name for p in barrier.iterdir()) == sorted(
            [f"{m:02d}-units-{k}" for m in range(1, 13) for k in range(3)]
            + [f"{m:02d}-payroll" for m in range(1, 13)]
        )
        with pytest.raises(GenerateError, match="a shard is 0 to 2"):
            Generator(other, CASES, SEED, 3, 3, barrier)


def test_no_two_people_share_an_id_number_whatever_their_ages() -> None:
    """Numbers that differ only in their slot (the same region and sequence) are told apart
    by the birthday, whichever ranges of years the people were drawn from (an elder of a
    TEKUN case, an adult, a child)."""
    ranges = [(1940, 1965), (1955, 1985), (2008, 2018)]
    for base in (0, 4, 1234, 9999):
        numbers = {}
        for slot in range(64):
            number = base + 10_000 * slot
            for years in ranges:
                rng = random.Random(f"{number}:{years}")
                id_number = person(rng, number, "self", years)["id_number"]
                assert numbers.setdefault(id_number, number) == number, id_number
