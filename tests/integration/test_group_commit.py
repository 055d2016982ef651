"""Group commit: concurrent commands share a transaction, and each still answers for itself."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import psycopg
import pytest
from builders import WORKER, application

from domain.assistance.case import AssistanceCase
from domain.ledger import CommandResult, Ledger
from domain.shared.errors import VersionConflict
from domain.shared.ledger_base import IdempotencyRecord
from tests.held_commit import HeldCommit

POSTGRES_ONLY = [pytest.param("postgres", marks=pytest.mark.postgres)]
DAY = "2024-03-04"


def stored_at(ledger: Ledger, position: int) -> tuple[UUID, int]:
    """The originator and version of the event stored at this ledger position."""
    [n] = ledger.recorder.select_notifications(start=position, limit=1)
    assert n.id == position
    return UUID(str(n.originator_id)), n.originator_version


def in_threads(count: int, command: Any) -> tuple[list[CommandResult], list[BaseException]]:
    results: list[CommandResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        start.wait()
        try:
            results.append(command(i))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_concurrent_commands_each_answer_their_own_event(ledger: Ledger) -> None:
    # Sixteen callers submit at once; some of them share a transaction.
    committer = ledger.committer
    assert committer is not None
    saves_before, commits_before = committer.saves, committer.commits
    results, errors = in_threads(16, lambda _: ledger.submit_application(application(), WORKER))
    assert not errors
    assert len({r.position for r in results}) == 16
    # Every answer's position holds that very command's event: nothing acknowledged is lost.
    for r in results:
        assert stored_at(ledger, r.position) == (r.id, r.version)
    # Then each accepts its own case, again all at once.
    accepted, errors = in_threads(
        16, lambda i: ledger.accept_application(results[i].id, WORKER, occurred_on=DAY)
    )
    assert not errors
    for r in accepted:
        assert stored_at(ledger, r.position) == (r.id, 2)
    assert committer.saves - saves_before >= 32
    assert committer.commits - commits_before <= committer.saves - saves_before


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
def test_a_conflict_in_a_batch_fails_only_its_command(ledger: Ledger, database_url: str) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    with HeldCommit(database_url) as held:
        held.start(lambda: ledger.submit_application(application(), WORKER))
        # Queued behind the held batch, so they form the next one together: two of them
        # accept the same case from the same version 1, the others submit new cases.
        for _ in range(2):
            held.queue(1, lambda: ledger.accept_application(case_id, WORKER, occurred_on=DAY))
        held.queue(3, lambda: ledger.submit_application(application(), WORKER))
        assert ledger.committer is not None
        commits = ledger.committer.commits
        held.release()
        assert ledger.committer.commits == commits + 2  # the held one, then the queued five
        [conflict] = held.errors
        held.errors.clear()
    assert isinstance(conflict, VersionConflict)
    assert len(held.results) == 5
    for r in held.results:
        assert stored_at(ledger, r.position) == (r.id, r.version)
    assert ledger.load(case_id, AssistanceCase, "case").version == 2


POISON = """
CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the store failed inside the transaction';
END $$;
CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON ledger_events
    FOR EACH ROW WHEN (NEW.originator_id = '{id}') EXECUTE FUNCTION refuse_poison();
"""


@pytest.mark.parametrize("backend", POSTGRES_ONLY)
def test_a_failed_batch_acknowledges_none_of_its_commands(
    ledger: Ledger, database_url: str
) -> None:
    # One command's row makes the store fail inside the transaction (not a conflict).
    poisoned = IdempotencyRecord.create_id(WORKER.user, "poison")
    with psycopg.connect(database_url, autocommit=True) as test:
        test.execute(POISON.format(id=poisoned))  # type: ignore[arg-type]
        before = ledger.latest_position()
        with HeldCommit(database_url) as held:
            held.start(lambda: ledger.submit_application(application(), WORKER))
            held.queue(2, lambda: ledger.submit_application(application(), WORKER))
            held.queue(1, lambda: ledger.submit_application(application(), WORKER, "poison"))
            held.release()
            errors = list(held.errors)
            held.errors.clear()
        stored = test.execute(
            "SELECT count(*) FROM ledger_events WHERE notification_id > %s", (before,)
        ).fetchone()
    # The held command committed alone; its batch of three failed together, none stored.
    assert len(held.results) == 1 and len(errors) == 3
    assert all("failed inside the transaction" in str(e) for e in errors)
    assert stored == (3,)  # the held case's event and its member's PersonRecord (2 events)
