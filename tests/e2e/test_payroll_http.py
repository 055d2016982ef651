"""Payroll over real HTTP: schedule, approve, the bank's CSV, corrections, GraphQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from builders import application
from http_helpers import graphql, problem
from test_http import submit, to_noticed

pytestmark = pytest.mark.e2e


def active(worker: httpx.Client, approver: httpx.Client, account: str) -> str:
    case_id = to_noticed(worker, application(payee_account=account))
    approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"})
    return case_id


def csv(rows: list[tuple[str, str, int, str, str]]) -> bytes:
    lines = ["payout_id,status,amount_fen,bank_reference,reason"]
    lines += [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


RUN_QUERY = """query($id: ID!) { payrollRun(id: $id) { status payouts totalFen settled failed
  settledFen } payouts(filter: {runId: $id}) { totalCount edges { node { id status
  amountFen payeeAccount bankReference } } } }"""


def test_a_monthly_run_from_scheduling_to_reconciliation(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client
) -> None:
    cases = [active(worker, approver, f"62220200000000{i:04d}") for i in range(3)]
    started = approver.post("/api/v1/payroll-runs", json={"programme": "DIBAO", "month": "2024-04"})
    assert started.status_code == 201, started.text
    run = started.json()
    assert (run["scheduled"], run["existing"], run["payouts"]) == (3, 0, 3)
    assert run["total_fen"] == 3 * (108000 - 20000)
    again = approver.post("/api/v1/payroll-runs", json={"programme": "DIBAO", "month": "2024-04"})
    assert (again.json()["scheduled"], again.json()["existing"]) == (0, 3)

    approved = approver.post(f"/api/v1/payroll-runs/{run['id']}/approve")
    assert approved.status_code == 200, approved.text
    view = graphql(supervisor, RUN_QUERY, approved.json()["position"], id=run["id"])
    nodes = [e["node"] for e in view["payouts"]["edges"]]
    assert {n["status"] for n in nodes} == {"scheduled"}
    assert all(n["payeeAccount"].startswith("*") for n in nodes)  # masked for a supervisor

    # A file with bad lines is refused whole, every bad line named.
    ids = [n["id"] for n in nodes]
    bad = csv([
        (ids[0], "settled", 88000, "B1", ""),
        (ids[0], "settled", 88000, "B1", ""),  # line 3: twice
        (ids[1], "settled", 1, "B2", ""),  # line 4: wrong amount
        (cases[0], "settled", 88000, "B3", ""),  # line 5: not a payout of this run
    ])  # fmt: skip
    refused = approver.post(
        f"/api/v1/payroll-runs/{run['id']}/settlement", content=bad,
        headers={"content-type": "text/csv"},
    )  # fmt: skip
    body = problem(refused, 422)
    assert [e["line"] for e in body["errors"]] == [3, 4, 5]

    good = csv([(ids[0], "settled", 88000, "B1", ""), (ids[1], "settled", 88000, "B2", ""),
                (ids[2], "failed", 88000, "", "account closed")])  # fmt: skip
    settled = approver.post(
        f"/api/v1/payroll-runs/{run['id']}/settlement", content=good,
        headers={"content-type": "text/csv"},
    )  # fmt: skip
    assert settled.status_code == 200, settled.text
    reissued = approver.post(
        f"/api/v1/payouts/{ids[2]}/reissue",
        json={"occurred_on": "2024-04-26", "reason": "new account",
              "payee_account": "6222020000009999"},
    )  # fmt: skip
    assert reissued.status_code == 200, reissued.text
    last = approver.post(
        f"/api/v1/payroll-runs/{run['id']}/settlement",
        content=csv([(ids[2], "settled", 88000, "B3", "")]), headers={"content-type": "text/csv"},
    )  # fmt: skip
    view = graphql(supervisor, RUN_QUERY, last.json()["position"], id=run["id"])
    assert view["payrollRun"]["status"] == "reconciled"
    assert view["payrollRun"]["settledFen"] == 3 * 88000
    assert {e["node"]["status"] for e in view["payouts"]["edges"]} == {"settled"}
    totals = graphql(supervisor, '{ payoutTotals(groupBy: ["month"]) { month payouts amountFen } }')
    assert totals["payoutTotals"] == [{"month": "2024-04", "payouts": 3, "amountFen": 264000}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"programme": "DIBAO", "month": "2024-13"}, "month"),
        ({"programme": "DIBAO", "month": "2099-01"}, "month"),
        ({"programme": "LOTTERY", "month": "2024-04"}, "programme"),
        ({"programme": "DIBAO"}, "month"),
    ],
)
def test_bad_run_requests_get_422(approver: httpx.Client, body: dict[str, Any], field: str) -> None:
    errors = problem(approver.post("/api/v1/payroll-runs", json=body), 422)
    assert field in errors.get("field", "") or any(
        e["field"] == field for e in errors.get("errors", [])
    )


def test_corrections_of_unknown_payouts_get_404(
    approver: httpx.Client, worker: httpx.Client
) -> None:
    submit(worker)
    unknown = "00000000-0000-0000-0000-000000000000"
    r = approver.post(f"/api/v1/payouts/{unknown}/reverse", json={"occurred_on": "2024-04-26",
                                                                  "reason": "x"})  # fmt: skip
    assert problem(r, 404)
    r = approver.post(f"/api/v1/payroll-runs/{unknown}/settlement", content=b"x",
                      headers={"content-type": "text/csv"})  # fmt: skip
    assert problem(r, 404)
