"""PostgreSQL failure modes at the core of the streams (the hub and its subscriptions, as the
API process runs them): a held-open transaction, a killed LISTEN connection, a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from builders import PARAMETERS, WORKER, application

from api.container import Container, build
from api.settings import Settings
from domain.ledger import Ledger
from projections.backends import is_transient
from projections.feed.hub import Hub
from projections.feed.reader import LogReader
from tests.held_commit import HeldCommit
from tests.helpers import ADMIN
from tests.stream_support import log_positions, subscribe, until
from tests.throwaway_postgres import ThrowawayPostgres, throwaway_postgres

__all__ = ["throwaway_postgres"]  # the fixture, used by name

POSTGRES = [pytest.param("postgres", marks=pytest.mark.postgres)]


def submit(ledger: Ledger) -> Callable[[], object]:
    return lambda: ledger.submit_application(application(), WORKER)


@pytest.mark.parametrize("backend", POSTGRES)
def test_a_held_open_transaction_lets_no_reader_skip_past_it(
    ledger: Ledger, container: Container, database_url: str, backend: str
) -> None:
    hub = container.hub
    hub.start()
    reader = LogReader(ledger)
    live = subscribe(hub, hub.head, batch=500)
    with live:
        until(lambda: live.keepalives() >= 1, "the subscriber is live and idle")
        with HeldCommit(database_url) as held:
            taken = held.start(submit(ledger))
            held.queue(3, submit(ledger))
            assert taken > held.before == hub.head
            time.sleep(0.5)  # ten polls of the hub, while the ids are taken and not committed
            assert reader.read(held.before, 100).events == [] and reader.head() == held.before
            assert hub.head == held.before and hub.error is None
            assert live.positions() == []
            replaying = subscribe(hub, 0, batch=3)
            with replaying:
                until(lambda: replaying.keepalives() >= 1, "the replay reached the head")
                assert max(replaying.positions()) <= held.before
        head = ledger.latest_position()
        everything = log_positions(ledger, held.before)
        assert everything[: taken - held.before] == list(range(held.before + 1, taken + 1))
        assert len(everything) == 4 * 3  # four cases of three events: none lost
        assert live.wait_for_position(head) == everything  # in order, each once


@pytest.mark.parametrize("backend", POSTGRES)
def test_a_killed_listen_connection_comes_back_and_nothing_is_lost(
    ledger: Ledger, container: Container, database_url: str, backend: str
) -> None:
    """Only NOTIFY wakes this hub (it polls hourly), as for commits made by another process."""
    listener = container.runner.listener
    assert listener is not None
    hub = Hub(LogReader(ledger), window=1000, poll_interval=3600, listener=listener)
    hub.start()
    try:
        until(lambda: listener.connections >= 1, "LISTEN is connected")
        live = subscribe(hub, hub.head, batch=500)
        with live:
            first = ledger.submit_application(application(), WORKER).position
            live.wait_for_position(first)
            connections = listener.connections
            with psycopg.connect(database_url, autocommit=True) as conn:
                killed = conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'caseledger-listen'"
                    " AND datname = current_database()"
                ).fetchone()
            assert killed == (1,)
            start = ledger.latest_position()
            for _ in range(2):
                ledger.submit_application(application(), WORKER)
            live.wait_for_position(ledger.latest_position(), timeout=10)
            assert listener.connections > connections  # it came back (it woke the hub then)
            last = ledger.submit_application(application(), WORKER).position
            assert live.wait_for_position(last, timeout=10) == log_positions(
                ledger, hub.window_after
            )
            assert set(log_positions(ledger, start)) <= set(live.positions())
    finally:
        hub.stop()


def retried(command: Callable[[], object], what: str, timeout: float = 20) -> None:
    """Run a command until it succeeds, retrying only while the store is unreachable."""

    def attempt() -> bool:
        try:
            command()
            return True
        except Exception as e:
            if not is_transient(e):
                raise
            return False

    until(attempt, what, timeout)


@pytest.mark.postgres
def test_a_restart_of_postgresql_mid_stream_loses_nothing_and_repeats_nothing(
    throwaway_postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=throwaway_postgres.create_database(), poll_interval=0.05,
        load_demo_when_empty=False, signing_key_file=tmp_path / "key", clock=False,
    )  # fmt: skip
    container = build(settings)
    try:
        ledger = container.ledger
        for name, value, start, *_ in PARAMETERS:
            ledger.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
        container.runner.start()
        hub = container.hub
        hub.start()
        live = subscribe(hub, 0, batch=500)
        with live:
            for _ in range(2):
                ledger.submit_application(application(), WORKER)
            live.wait_for_position(ledger.latest_position())

            throwaway_postgres.stop("fast")
            during = subscribe(hub, 0, batch=2)  # its first reads fail: it retries
            with during:
                # Down for longer than the library's own retries take to give up on a read,
                # a replaying subscriber hears a beat all the same.
                until(lambda: during.keepalives() >= 2, "keep-alives while it is down")
                assert during.positions() == [] and not during.ended
                throwaway_postgres.start()
                for n in range(3):
                    retried(submit(ledger), f"commit {n} after the restart")
                head = ledger.latest_position()
                everything = log_positions(ledger, 0)
                assert everything[-1] == head
                assert live.wait_for_position(head, timeout=20) == everything
                assert during.wait_for_position(head, timeout=20) == everything
                assert during.disconnect() is None and live.disconnect() is None
        until(lambda: hub.error is None, "the hub reads normally again")
    finally:
        container.close()
