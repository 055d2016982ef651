"""What the page should show, asked of GraphQL over HTTP with the page's own token.

Each function answers `{figure key: raw GraphQL value}` in the keys of the DOM contract
(`caseload.<street>.<status>`, `payouts.<month>.<programme>`, ...), for the year and street
the page has chosen.
"""

from __future__ import annotations

from typing import Any

import httpx


def ask(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


def kpis(client: httpx.Client, year: int, street: str | None) -> dict[str, Any]:
    if street is None:
        data = ask(client, "query($y: Int!) { supervisionKpis(year: $y) { ...K } }" + KPIS, y=year)
    else:
        data = ask(
            client,
            "query($y: Int!, $s: String) { supervisionKpis(year: $y, street: $s) { ...K } }" + KPIS,
            y=year, s=street,
        )  # fmt: skip
    return {f"kpis.{name}": value for name, value in data["supervisionKpis"].items()}


KPIS = """ fragment K on SupervisionKpis { year dibaoHouseholdsConfirmed tekunPeopleConfirmed
  casesInPaymentAtYearEnd payoutsSettled payoutsSettledFen temporaryHouseholds temporaryPeople
  temporaryAmountFen deathsVerified institutions institutionalBeds nursingBedShare
  institutionsGradedPercent caregiversCertifiedPercent bedsConverted bedsConversionTarget
  organizationsRegistered organizationsGradedPercent villagesPlanned villagesCompleted }"""


def caseload(client: httpx.Client, street: str | None) -> dict[str, Any]:
    rows = ask(client, '{ caseload(groupBy: ["street", "status"]) { street status cases } }')
    return {
        f"caseload.{row['street']}.{row['status']}": row["cases"]
        for row in rows["caseload"]
        if street is None or row["street"] == street
    }


def payouts(client: httpx.Client, year: int, street: str | None) -> dict[str, Any]:
    """Monthly totals by programme in the year (months filtered here, so this also works
    where `PayoutFilter.year` is not known)."""
    rows = ask(
        client,
        'query($f: PayoutFilter) { payoutTotals(groupBy: ["month", "programme"], filter: $f)'
        " { month programme amountFen } }",
        f={"street": street} if street else None,
    )
    return {
        f"payouts.{row['month']}.{row['programme']}": row["amountFen"]
        for row in rows["payoutTotals"]
        if str(row["month"]).startswith(f"{year}-")
    }


def audit(client: httpx.Client, street: str | None) -> dict[str, Any]:
    """Findings by rule and status: the rules of each status that has findings."""
    area = {"street": street} if street else {}
    statuses = ask(
        client,
        "query($f: AuditFindingFilter) { auditSummary(groupBy: STATUS, filter: $f) { key } }",
        f=area or None,
    )
    answer: dict[str, Any] = {}
    for row in statuses["auditSummary"]:
        status = row["key"]
        by_rule = ask(
            client,
            "query($f: AuditFindingFilter) { auditSummary(groupBy: RULE, filter: $f)"
            " { key count } }",
            f={**area, "status": status},
        )
        for rule in by_rule["auditSummary"]:
            answer[f"audit.{rule['key']}.{status}"] = rule["count"]
    return answer


def health(client: httpx.Client) -> dict[str, Any]:
    rows = ask(client, "{ projectionStatus { name position lag } }")["projectionStatus"]
    answer: dict[str, Any] = {}
    for row in rows:
        answer[f"health.{row['name']}.position"] = row["position"]
        answer[f"health.{row['name']}.lag"] = row["lag"]
    return answer


def overdue(client: httpx.Client, street: str | None) -> dict[str, Any]:
    rows = ask(
        client,
        "query($s: String) { overdueSummary(street: $s) { deadline cases open completedLate } }",
        s=street,
    )["overdueSummary"]
    answer: dict[str, Any] = {}
    for row in rows:
        answer[f"overdue.{row['deadline']}"] = row["cases"]
        answer[f"overdue.{row['deadline']}.open"] = row["open"]
        answer[f"overdue.{row['deadline']}.completedLate"] = row["completedLate"]
    return answer


def temporary(client: httpx.Client, year: int, street: str | None) -> dict[str, Any]:
    rows = ask(
        client,
        "query($y: Int, $s: String) { temporaryAssistanceStats(year: $y,"
        ' groupBy: ["month", "type"], street: $s) { month type amountFen } }',
        y=year, s=street,
    )["temporaryAssistanceStats"]  # fmt: skip
    return {f"temporary.{row['month']}.{row['type']}": row["amountFen"] for row in rows}
