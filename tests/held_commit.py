"""A PostgreSQL writer held open after its positions are taken, for tests that prove a reader
never skips an event (the store's table lock keeps commit order equal to position order).

    with HeldCommit(database_url) as held:
        first = held.start(lambda: ledger.submit_application(application(), WORKER))
        others = held.queue(3, lambda: ...)   # they wait for the table lock
        ... assert the readers have seen nothing past `held.before` ...
    # leaving the block releases the first writer; then every writer commits in order

A trigger holds the first writer's transaction (on an advisory lock the test owns) after its
rows are inserted and its ids taken, until the test lets it go; the other writers are seen,
in pg_locks, waiting for the table lock the library takes before every insert, or in the
Ledger's group commit (domain/shared/group_commit.py), queued behind the held batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from domain.shared.group_commit import GroupCommit

HOLD = 4242  # the advisory lock key the held writer waits on
HOLD_FIRST_INSERT = f"""
CREATE TABLE IF NOT EXISTS hold_first_insert (armed boolean NOT NULL);
DELETE FROM hold_first_insert;
INSERT INTO hold_first_insert VALUES (false);
CREATE OR REPLACE FUNCTION hold_first_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hold_first_insert SET armed = false WHERE armed;
    IF FOUND THEN
        PERFORM pg_advisory_xact_lock({HOLD});  -- ids taken, rows inserted, not committed
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER hold_first_insert AFTER INSERT ON ledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION hold_first_insert();
"""
#: pg_locks is server-wide: count this database's waiters only (other tests run beside this
#: one on the same server, pytest-xdist workers or other checkouts, and every test database
#: is a copy of one template, so its ledger_events has the same oid in each).
THIS_DATABASE = " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
WAITING_ON_THE_HOLD = (
    f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {HOLD} AND NOT granted"
    + THIS_DATABASE
)
WAITING_ON_THE_TABLE = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND NOT granted"
    " AND relation = 'ledger_events'::regclass" + THIS_DATABASE
)


def until(
    test: psycopg.Connection[Any], count: str, expected: int, what: str,
    also: Callable[[], int] = lambda: 0,
) -> None:  # fmt: skip
    """Poll pg_locks (with a deadline) until `count` backends (+ `also`) wait as described."""
    deadline = time.monotonic() + 20
    while (test.execute(count).fetchone() or (0,))[0] + also() != expected:
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


class HeldCommit:
    """Holds the next writer open after its insert; `queue` adds writers behind it."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.threads: list[threading.Thread] = []
        self.results: list[Any] = []
        self.errors: list[BaseException] = []
        self._queued = 0
        #: The last position committed before the held writer took its ids.
        self.before = 0

    def __enter__(self) -> HeldCommit:
        self.test = psycopg.connect(self.database_url, autocommit=True)
        self.test.execute(HOLD_FIRST_INSERT)
        self.test.execute("SELECT pg_advisory_lock(%s)", (HOLD,))
        self.test.execute("UPDATE hold_first_insert SET armed = true")
        return self

    def _run(self, command: Callable[[], Any]) -> None:
        thread = threading.Thread(target=self._call, args=(command,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def _call(self, command: Callable[[], Any]) -> None:
        try:
            self.results.append(command())
        except BaseException as e:
            self.errors.append(e)

    def start(self, command: Callable[[], Any]) -> int:
        """Run the writer to hold; return the highest position taken so far (its ids)."""
        committed = self.test.execute("SELECT max(notification_id) FROM ledger_events")
        self.before = int((committed.fetchone() or (0,))[0] or 0)
        self._run(command)
        until(self.test, WAITING_ON_THE_HOLD, 1, "the first writer holds its ids, uncommitted")
        taken = self.test.execute("SELECT last_value FROM ledger_events_notification_id_seq")
        return int((taken.fetchone() or (0,))[0])

    def queue(self, count: int, command: Callable[[], Any]) -> None:
        """Start `count` more writers; they wait for the table lock or in the group commit."""
        for _ in range(count):
            self._run(command)
        self._queued += count
        until(
            self.test, WAITING_ON_THE_TABLE, self._queued, "the other writers wait",
            also=lambda: GroupCommit.queued_in_process,
        )  # fmt: skip

    def release(self) -> None:
        self.test.execute("SELECT pg_advisory_unlock(%s)", (HOLD,))
        for thread in self.threads:
            thread.join(timeout=30)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            self.release()
            self.test.execute("DROP TRIGGER IF EXISTS hold_first_insert ON ledger_events")
        finally:
            self.test.close()
        if exc_type is None:  # else the test's own failure says more than the writers'
            assert not self.errors, self.errors
