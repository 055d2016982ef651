"""GraphQL `auditFindings` and `auditSummary`: the findings of the audit rules, and counts.

Nothing here is personal data (summaries name programmes, months and dates), so no field is
masked; a street-bound caller sees its street's findings only.
"""

from __future__ import annotations

import asyncio
import json
from enum import Enum
from typing import Any

import strawberry

from api.graphql.area import narrowed, own_street
from api.graphql.context import Info
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from domain.audit.finding import SEVERITIES, STATUSES
from domain.shared.errors import InvalidInput
from domain.shared.values import check_choices
from projections.store import Row
from projections.views import audit_findings


@strawberry.type(description="What a person did about a finding, and why.")
class FindingDisposition:
    status: str
    user: str
    role: str
    reason: str
    occurred_on: str
    recorded_at: str
    position: int


@strawberry.type(description="A finding of an audit rule (DOMAIN.md section 4).")
class AuditFinding:
    id: strawberry.ID
    rule: str
    title: str
    severity: str
    status: str = strawberry.field(
        description="raised, acknowledged, rectified, dismissed, or resolved (the rule no "
        "longer matches)"
    )
    street: str | None
    case_id: strawberry.ID | None
    summary: str
    evidence: list[int] = strawberry.field(description="the ledger positions of the evidence")
    raised_position: int
    raised_on: str
    raised_at: str
    resolved_position: int | None
    resolved_on: str | None
    resolved_at: str | None
    dispositions: list[FindingDisposition]
    still_matching: bool = strawberry.field(
        description="the rule still finds the defect now: a finding rectified while this is "
        "true was not put right, and one dismissed may have grown since"
    )
    version: int

    @staticmethod
    def from_row(r: Row) -> AuditFinding:
        return AuditFinding(
            id=strawberry.ID(r["finding_id"]), rule=r["rule"], title=r["title"],
            severity=r["severity"], status=r["status"], street=r["street"],
            case_id=strawberry.ID(r["case_id"]) if r["case_id"] else None, summary=r["summary"],
            evidence=json.loads(r["evidence"]), raised_position=r["raised_position"],
            raised_on=r["raised_on"], raised_at=r["raised_at"],
            resolved_position=r["resolved_position"], resolved_on=r["resolved_on"],
            resolved_at=r["resolved_at"],
            dispositions=[FindingDisposition(**d) for d in json.loads(r["dispositions"])],
            still_matching=bool(r.get("still_matching")), version=r["version"],
        )  # fmt: skip


@strawberry.input
class AuditFindingFilter:
    rule: str | None = None
    street: str | None = None
    status: str | None = None
    severity: str | None = None
    case_id: strawberry.ID | None = None


@strawberry.enum
class AuditGroup(Enum):
    RULE = "rule"
    STREET = "street"
    STATUS = "status"
    SEVERITY = "severity"


@strawberry.type(description="Findings in one group: all of them, and those still open.")
class AuditSummaryRow:
    key: str | None
    count: int
    open: int = strawberry.field(description="raised or acknowledged")


def _filters(filter: AuditFindingFilter | None) -> dict[str, Any]:
    filters = {k: v for k, v in vars(filter).items() if v} if filter else {}
    if "status" in filters:
        check_choices([filters["status"]], STATUSES, "status")
    if "severity" in filters:
        check_choices([filters["severity"]], SEVERITIES, "severity")
    if "rule" in filters and not (len(filters["rule"]) == 3 and filters["rule"][0] == "A"):
        raise InvalidInput("rule is a rule id such as A01", field="rule")
    return filters


async def audit_findings_resolver(
    info: Info, filter: AuditFindingFilter | None = None, first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[AuditFinding]:  # fmt: skip
    first, key = page_size(first), uncursor(after)
    db = info.context.container.read_db
    found = narrowed(audit_findings.matching(db, _filters(filter)), info)
    rows = await asyncio.to_thread(found.page, key, first + 1)
    return connection(
        rows, first, key=lambda r: r["finding_id"], node=AuditFinding.from_row,
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip


async def audit_summary_resolver(
    info: Info, group_by: AuditGroup = AuditGroup.RULE, filter: AuditFindingFilter | None = None
) -> list[AuditSummaryRow]:
    filters = own_street(info, _filters(filter))
    rows = await asyncio.to_thread(
        audit_findings.summary, info.context.container.read_db, group_by.value, filters
    )
    return [AuditSummaryRow(key=r["key"], count=int(r["count"]), open=int(r["open"] or 0))
            for r in rows]  # fmt: skip
