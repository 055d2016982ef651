"""What an audit rule is: a projection that raises and resolves findings in `audit_matches`.

Each rule (one module per rule id) keeps whatever state it needs in tables of its own and
calls `found` when the history shows the defect and `cured` when a later event removes it.
The finding's id derives from the rule and the key, so a rebuild finds the same findings
under the same ids, and the AuditFinding raised from a match keeps its lifecycle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar, Literal

from domain.audit.finding import finding_id
from projections.buffer import column_types
from projections.store import Database, Row, Tx
from projections.view import Projection

Severity = Literal["high", "medium", "low"]

__all__ = ["AuditRule", "Severity", "finding_id", "matches"]


class AuditRule(Projection):
    """A subclass sets `rule`, `severity`, `title` (and `name`, `tables` for its own state)."""

    rule: ClassVar[str]  # "A01"
    severity: ClassVar[Severity]
    title: ClassVar[str]  # English, as in DOMAIN.md section 4
    title_zh: ClassVar[str] = ""
    shared_tables = ("audit_matches",)

    def found(
        self, tx: Tx, position: int, *, key: str, street: str | None, case_id: str | None,
        evidence: Iterable[int], summary: str, occurred_on: str | None = None,
    ) -> None:  # fmt: skip
        """The defect stands (again): raise it, or add this event to its evidence.

        `summary` says what is wrong in words a supervisor reads; never personal data.
        """
        fid = str(finding_id(self.rule, key))
        _cure_now(tx, fid)
        before = tx.scalar("SELECT evidence FROM audit_matches WHERE finding_id = %s", [fid])
        proof = sorted({*json.loads(before or "[]"), *evidence, position})
        tx.execute(
            "INSERT INTO audit_matches (finding_id, rule, match_key, severity, street, case_id,"
            " summary, evidence, matched, raised_position, raised_on, resolved_position)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1, %s, %s, NULL)"
            " ON CONFLICT (finding_id) DO UPDATE SET summary = excluded.summary,"
            " evidence = excluded.evidence, street = excluded.street,"
            " case_id = excluded.case_id, matched = 1,"
            " raised_position = CASE WHEN audit_matches.matched = 1"
            " THEN audit_matches.raised_position ELSE excluded.raised_position END,"
            " raised_on = CASE WHEN audit_matches.matched = 1"
            " THEN audit_matches.raised_on ELSE excluded.raised_on END,"
            " resolved_position = NULL",
            [fid, self.rule, key, self.severity, street, case_id, summary, json.dumps(proof),
             position, occurred_on],
        )  # fmt: skip

    def cured(self, tx: Tx, position: int, *, key: str) -> None:
        """A later event removed the defect: the finding is resolved by that event.

        A no-op when the finding is not found now: callers need not ask `is_found` first.
        Most cures cure nothing (a step done in time), so they are gathered and sent as one
        statement before the commit; a later `found` or `is_found` of the same finding sends
        its cure first, so the order of what happened to one finding is kept."""
        if not tx.deferring:
            tx.execute(_CURE, [position, str(finding_id(self.rule, key))])
            return
        pending: dict[str, int] = tx.memo.setdefault(CURES, {})
        if not pending:
            tx.defer(CURES, _send_cures)
        pending.setdefault(str(finding_id(self.rule, key)), position)  # the first cure wins

    def is_found(self, tx: Tx, key: str) -> bool:
        fid = str(finding_id(self.rule, key))
        _cure_now(tx, fid)
        return bool(tx.scalar("SELECT matched FROM audit_matches WHERE finding_id = %s", [fid]))

    def clear(self, tx: Tx) -> None:
        super().clear(tx)
        tx.execute("DELETE FROM audit_matches WHERE rule = %s", [self.rule])


#: Tx.memo's key (and the deferred write's name) of the cures not sent yet: finding -> position.
CURES = "audit_matches:cures"
_CURE = (
    "UPDATE audit_matches SET matched = 0, resolved_position = %s"
    " WHERE finding_id = %s AND matched = 1"
)


def _cure_now(tx: Tx, fid: str) -> None:
    """Send the finding's pending cure, before anything else reads or writes the finding."""
    position = tx.memo.get(CURES, {}).pop(fid, None)
    if position is not None:
        tx.execute(_CURE, [position, fid])


def _send_cures(tx: Tx) -> None:
    pending: dict[str, int] = tx.memo.pop(CURES, {})
    if not pending:
        return
    rows = list(pending.items())
    if tx.dialect == "sqlite":
        tx.executemany(_CURE, [(position, fid) for fid, position in rows])
        return
    kind = column_types(tx, "audit_matches", ["finding_id"])[0]
    tx.execute(  # two arrays: one statement text, whatever the count (see buffer.py)
        "UPDATE audit_matches AS m SET matched = 0, resolved_position = v.position"
        f" FROM unnest(%b::{kind}[], %b::bigint[]) AS v (finding_id, position)"
        " WHERE m.finding_id = v.finding_id AND m.matched = 1",
        [[fid for fid, _ in rows], [position for _, position in rows]],
    )


def matches(db: Database, rule: str | None = None, *, matched: bool | None = None) -> list[Row]:
    """The rules' current matches (tests and the findings process read them)."""
    sql = "SELECT * FROM audit_matches WHERE 1 = 1"
    params: list[object] = []
    if rule is not None:
        sql, params = sql + " AND rule = %s", [rule]
    if matched is not None:
        sql, params = sql + " AND matched = %s", [*params, int(matched)]
    rows = db.query(sql + " ORDER BY rule, raised_position, match_key", params)
    return [{**r, "evidence": json.loads(r["evidence"])} for r in rows]
