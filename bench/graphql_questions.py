"""The GraphQL benchmark's questions (bench/graphql.py): each a GraphQL request, the same
answer by direct SQL over the view rows, and how the two answers compare."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from projections.store import Database
from projections.views import supervision_kpis as kpis_view

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM_RATIO = 3.0
AIM_CASE_MS = 25.0
AIM_KPIS_MS = 100.0
YEAR = 2024
PAGE = 50
DEEP_PAGE = 50  # the deep page: the 50th page of the filter, or the last one when fewer


CASE_QUERY = """query($id: ID!) { case(id: $id) { id programme street community status
  monthlyAmountFen version timeline { position version eventType occurredOn } } }"""
CASES_QUERY = """query($f: CaseFilter, $after: String) { cases(filter: $f, first: 50,
  after: $after) { edges { node { id status street monthlyAmountFen } }
  pageInfo { hasNextPage endCursor } } }"""
KPIS_QUERY = """query($year: Int!) { supervisionKpis(year: $year) { year
  dibaoHouseholdsConfirmed tekunPeopleConfirmed casesInPaymentAtYearEnd payoutsSettled
  payoutsSettledFen temporaryHouseholds temporaryPeople temporaryAmountFen deathsVerified
  institutions institutionalBeds nursingBedShare institutionsGradedPercent
  caregiversCertifiedPercent bedsConverted bedsConversionTarget organizationsRegistered
  organizationsGradedPercent villagesPlanned villagesCompleted } }"""
TOTALS_QUERY = """{ payoutTotals(groupBy: ["month", "street"]) { month street payouts
  amountFen settledFen recoveredFen } }"""
CASELOAD_QUERY = """{ caseload(groupBy: ["programme", "street", "status"]) { programme street
  status cases people monthlyAmountFen } }"""
FINDINGS_QUERY = """query($f: AuditFindingFilter) { auditFindings(filter: $f, first: 50) {
  edges { node { id rule street status severity } } pageInfo { hasNextPage endCursor } } }"""
FLOOR_QUERY = "{ __typename }"


def cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def number(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


# -- the questions: a GraphQL request, its direct SQL, and how the two answers compare --------


@dataclass
class Question:
    name: str
    query: str
    variables: dict[str, Any]
    #: The same answer by direct SQL over the views (the thread's own Database).
    sql: Callable[[Database], Any]
    #: The GraphQL answer's data in the shape `sql` returns, to check them equal.
    shape: Callable[[dict[str, Any]], Any]


def questions(db: Database) -> list[Question]:
    """The queries of the issue, with arguments picked from the data itself."""
    case_id = db.scalar(
        "SELECT case_id FROM case_summary WHERE status = 'active' ORDER BY case_id LIMIT 1"
        " OFFSET (SELECT COUNT(*) / 2 FROM case_summary WHERE status = 'active')"
    )
    if case_id is None:
        raise RuntimeError("the database has no active case: generate a log first")
    page_filter = {"programme": "DIBAO", "status": "active"}
    where = "programme = %s AND status = %s"
    matching = int(
        db.scalar(f"SELECT COUNT(*) FROM case_summary WHERE {where}", ("DIBAO", "active"))
    )
    skip = min(PAGE * (DEEP_PAGE - 1), max(0, (matching - 1) // PAGE * PAGE))
    deep_key = None
    if skip:
        deep_key = db.scalar(
            f"SELECT case_id FROM case_summary WHERE {where} ORDER BY case_id LIMIT 1 OFFSET %s",
            ("DIBAO", "active", skip - 1),
        )
    deep_page = skip // PAGE + 1

    def case_sql(d: Database) -> Any:
        row = d.query("SELECT * FROM case_summary WHERE case_id = %s", (case_id,))[0]
        lines = d.query(
            "SELECT position, version, event_type, occurred_on FROM case_timeline"
            " WHERE case_id = %s ORDER BY position",
            (case_id,),
        )
        return (row["case_id"], row["status"], row["monthly_amount_fen"],
                [(r["position"], r["event_type"]) for r in lines])  # fmt: skip

    def case_shape(data: dict[str, Any]) -> Any:
        c = data["case"]
        return (c["id"], c["status"], c["monthlyAmountFen"],
                [(t["position"], t["eventType"]) for t in c["timeline"]])  # fmt: skip

    def page_sql(after: str | None) -> Callable[[Database], Any]:
        def run(d: Database) -> Any:
            extra, params = "", ["DIBAO", "active"]
            if after is not None:
                extra, params = " AND case_id > %s", [*params, after]
            rows = d.query(
                "SELECT case_id, status, street, monthly_amount_fen FROM case_summary"
                f" WHERE {where}{extra} ORDER BY case_id LIMIT %s",
                [*params, PAGE + 1],
            )
            return [r["case_id"] for r in rows[:PAGE]], len(rows) > PAGE

        return run

    def page_shape(data: dict[str, Any]) -> Any:
        c = data["cases"]
        return [e["node"]["id"] for e in c["edges"]], c["pageInfo"]["hasNextPage"]

    def kpis_sql(d: Database) -> Any:
        return {camel(k): number(v) for k, v in kpis_view.scanned(d, YEAR).items()}

    def kpis_shape(data: dict[str, Any]) -> Any:
        return {k: number(v) for k, v in data["supervisionKpis"].items()}

    def totals_sql(d: Database) -> Any:
        rows = d.query(
            "SELECT month, street, COUNT(*) AS payouts, SUM(amount_fen) AS amount_fen,"
            " SUM(CASE WHEN status = 'settled' THEN amount_fen ELSE 0 END) AS settled_fen,"
            " SUM(recovered_fen) AS recovered_fen FROM payouts GROUP BY month, street"
            " ORDER BY month, street"
        )
        return [
            (r["month"], r["street"], int(r["payouts"]), int(r["amount_fen"] or 0),
             int(r["settled_fen"] or 0), int(r["recovered_fen"] or 0))
            for r in rows
        ]  # fmt: skip

    def totals_shape(data: dict[str, Any]) -> Any:
        return [(r["month"], r["street"], r["payouts"], r["amountFen"], r["settledFen"],
                 r["recoveredFen"]) for r in data["payoutTotals"]]  # fmt: skip

    def caseload_sql(d: Database) -> Any:
        rows = d.query(
            "SELECT programme, street, status, COUNT(*) AS cases, SUM(counted_members) AS people,"
            " SUM(CASE WHEN status = 'active' THEN monthly_amount_fen ELSE 0 END) AS monthly_fen"
            " FROM case_summary GROUP BY programme, street, status"
            " ORDER BY programme, street, status"
        )
        return [(r["programme"], r["street"], r["status"], int(r["cases"]),
                 int(r["people"] or 0), int(r["monthly_fen"] or 0)) for r in rows]  # fmt: skip

    def caseload_shape(data: dict[str, Any]) -> Any:
        return [(r["programme"], r["street"], r["status"], r["cases"], r["people"],
                 r["monthlyAmountFen"]) for r in data["caseload"]]  # fmt: skip

    finding_filter = {"status": "raised"}

    def findings_sql(d: Database) -> Any:
        rows = d.query(
            "SELECT f.finding_id, f.rule, f.street, f.status, f.severity,"
            " COALESCE(m.matched, 0) AS still_matching FROM audit_findings f"
            " LEFT JOIN audit_matches m ON m.finding_id = f.finding_id"
            " WHERE f.status = %s ORDER BY f.finding_id LIMIT %s",
            ("raised", PAGE + 1),
        )
        return [r["finding_id"] for r in rows[:PAGE]], len(rows) > PAGE

    def findings_shape(data: dict[str, Any]) -> Any:
        f = data["auditFindings"]
        return [e["node"]["id"] for e in f["edges"]], f["pageInfo"]["hasNextPage"]

    deep_after = cursor(deep_key) if deep_key else None
    return [
        Question("case by id + timeline", CASE_QUERY, {"id": case_id}, case_sql, case_shape),
        Question("cases page 1", CASES_QUERY, {"f": page_filter}, page_sql(None), page_shape),
        Question(
            f"cases page {deep_page}",
            CASES_QUERY,
            {"f": page_filter, "after": deep_after},
            page_sql(deep_key),
            page_shape,
        ),
        Question(f"supervisionKpis({YEAR})", KPIS_QUERY, {"year": YEAR}, kpis_sql, kpis_shape),
        Question("payoutTotals month x street", TOTALS_QUERY, {}, totals_sql, totals_shape),
        Question(
            "caseload programme x street x status", CASELOAD_QUERY, {}, caseload_sql, caseload_shape
        ),
        Question(
            "auditFindings page (raised)",
            FINDINGS_QUERY,
            {"f": finding_filter},
            findings_sql,
            findings_shape,
        ),
    ]
