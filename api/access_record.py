"""The personal-data access record: written before an answer in full is sent, read by auditors.

One row per (subject, request) with the kinds of data shown, the purpose, who and when, all
rows of a request in one transaction (migration 0013). A write that fails fails the read.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from api.permissions import Disclosure, RecordFailed, Subject
from projections.store import Database, Row

INSERT = (
    "INSERT INTO personal_data_access (recorded_at, user_id, role, person_id, case_id, fields,"
    " purpose, request_id, via) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def timestamp(at: datetime) -> str:
    """UTC, fixed width: compares as text the way it compares as time."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def write(db: Database, disclosure: Disclosure, at: datetime | None = None) -> int:
    """Record the reads in full of one request, all or nothing; return the rows written.

    Raises RecordFailed (no driver text: it may quote values) when the store refuses.
    """
    if not disclosure.reads:
        return 0
    actor = disclosure.actor
    assert actor is not None and disclosure.purpose is not None  # a read in full had both
    when = timestamp(at or datetime.now(UTC))
    rows = [
        (
            when, actor.user, actor.role, subject.person_id, subject.case_id,
            json.dumps(sorted(kind.value for kind in kinds)), disclosure.purpose,
            disclosure.request_id, disclosure.via,
        )
        for subject, kinds in sorted(disclosure.reads.items(), key=_subject_order)
    ]  # fmt: skip
    try:
        with db.transaction() as tx:
            tx.executemany(INSERT, rows)
    except (sqlite3.Error, psycopg.Error) as e:
        raise RecordFailed(
            "the read of personal data could not be recorded, so it is not answered; retry shortly",
        ) from e
    return len(rows)


def _subject_order(item: tuple[Subject, object]) -> tuple[str, str]:
    return item[0].case_id or "", item[0].person_id or ""


@dataclass(frozen=True)
class AccessFilter:
    user: str | None = None
    role: str | None = None
    #: A person id or a case id.
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> tuple[str, list[Any]]:
        conditions, params = ["1 = 1"], list[Any]()
        if self.user is not None:
            conditions.append("user_id = %s")
            params.append(self.user)
        if self.role is not None:
            conditions.append("role = %s")
            params.append(self.role)
        if self.subject is not None:
            conditions.append("(person_id = %s OR case_id = %s)")
            params += [self.subject, self.subject]
        if self.since is not None:
            conditions.append("recorded_at >= %s")
            params.append(timestamp(self.since))
        if self.until is not None:
            conditions.append("recorded_at < %s")
            params.append(timestamp(self.until))
        return " AND ".join(conditions), params


def page(db: Database, found: AccessFilter, after: int | None, limit: int) -> list[Row]:
    """Up to `limit` rows, newest first, older than the row `after`."""
    condition, params = found.where()
    if after is not None:
        condition += " AND seq < %s"
        params.append(after)
    rows = db.query(
        f"SELECT * FROM personal_data_access WHERE {condition} ORDER BY seq DESC LIMIT %s",
        [*params, limit],
    )
    return [{**r, "fields": json.loads(r["fields"])} for r in rows]


def count(db: Database, found: AccessFilter) -> int:
    condition, params = found.where()
    return int(db.scalar(f"SELECT COUNT(*) FROM personal_data_access WHERE {condition}", params))
