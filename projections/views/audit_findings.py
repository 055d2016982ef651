"""audit_findings: every finding the audit rules raised, its status and who did what about it.

Built from AuditFinding events only (the lifecycle), with each rule's title; the rules'
current matches are in `audit_matches`. Nothing here is personal data: summaries name
programmes, months and dates, never people.
"""

from __future__ import annotations

import json
from typing import Any

from domain.audit.finding import AuditFinding
from projections.audit.registry import all_rules
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at

#: The findings still waiting for someone.
OPEN = ("raised", "acknowledged")
FILTERS = ("rule", "street", "status", "severity", "case_id")
GROUPS = {"rule": "rule", "street": "street", "status": "status", "severity": "severity"}


def titles() -> dict[str, str]:
    return {r.rule: r.title for r in all_rules()}


class AuditFindings(Projection):
    name = "audit_findings"
    tables = ("audit_findings",)
    row_table = "audit_findings"
    row_key = "finding_id"

    def __init__(self) -> None:
        self.titles = titles()

    @handles(AuditFinding.Raised)
    def raised(self, tx: Tx, e: Any, position: int) -> None:
        at = recorded_at(e)
        tx.execute(
            "INSERT INTO audit_findings (finding_id, rule, match_key, title, severity, status,"
            " street, case_id, summary, evidence, raised_position, raised_on, raised_at,"
            " dispositions, version, position, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, 'raised', %s, %s, %s, %s, %s, %s, %s, '[]', %s, %s, %s)",
            [str(e.originator_id), e.rule, e.match_key, self.titles.get(e.rule, e.rule),
             e.severity, e.street, e.case_id, e.summary, json.dumps(list(e.evidence)),
             e.raised_position, e.occurred_on, at, e.originator_version, position, at],
        )  # fmt: skip

    @handles(AuditFinding.Resolved)
    def resolved(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="resolved", resolved_position=e.resolved_position,
            resolved_on=e.occurred_on, resolved_at=recorded_at(e),
        )  # fmt: skip

    @handles(AuditFinding.Reraised)
    def reraised(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="raised", summary=e.summary,
            evidence=json.dumps(list(e.evidence)), raised_position=e.raised_position,
            raised_on=e.occurred_on, raised_at=recorded_at(e), resolved_position=None,
            resolved_on=None, resolved_at=None,
        )  # fmt: skip

    @handles(AuditFinding.Acknowledged, AuditFinding.Rectified, AuditFinding.Dismissed)
    def disposed(self, tx: Tx, e: Any, position: int) -> None:
        status = {"Acknowledged": "acknowledged", "Rectified": "rectified",
                  "Dismissed": "dismissed"}[type(e).__name__]  # fmt: skip
        before = tx.scalar(
            "SELECT dispositions FROM audit_findings WHERE finding_id = %s", [str(e.originator_id)]
        )
        step = {"status": status, "user": e.actor.get("user"), "role": e.actor.get("role"),
                "reason": e.reason, "occurred_on": e.occurred_on, "recorded_at": recorded_at(e),
                "position": position}  # fmt: skip
        steps = [*json.loads(before or "[]"), step]
        self._update(tx, e, position, status=status, dispositions=json.dumps(steps))


#: The findings with whether their rule still finds the defect now (`still_matching`): a
#: finding rectified or dismissed while its rule still matches is told apart in the answer.
WITH_MATCH = (
    "(SELECT f.*, COALESCE(m.matched, 0) AS still_matching FROM audit_findings f"
    " LEFT JOIN audit_matches m ON m.finding_id = f.finding_id) AS findings"
)


def matching(db: Database, filters: dict[str, Any]) -> Keyset:
    """Findings matching the filter, paged on the finding id."""
    where, params = ["1=1"], []
    for column in FILTERS:
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(filters[column])
    return Keyset(db, WITH_MATCH, "finding_id", " AND ".join(where), tuple(params))


def summary(db: Database, group_by: str, filters: dict[str, Any]) -> list[Row]:
    """Counts (all and open) per rule, street, status or severity, over the filtered findings."""
    column = GROUPS[group_by]
    found = matching(db, filters)
    return db.query(
        f"SELECT {column} AS key, COUNT(*) AS count,"
        " SUM(CASE WHEN status IN ('raised', 'acknowledged') THEN 1 ELSE 0 END) AS open"
        f" FROM audit_findings WHERE {found.condition} GROUP BY {column} ORDER BY {column}",
        found.params,
    )


def finding(db: Database, finding_id: str) -> Row | None:
    rows = db.query("SELECT * FROM audit_findings WHERE finding_id = %s", [finding_id])
    return {**rows[0], "evidence": json.loads(rows[0]["evidence"]),
            "dispositions": json.loads(rows[0]["dispositions"])} if rows else None  # fmt: skip
