"""Over real HTTP: the five-minute tour, and every kind of bad input answered cleanly."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import httpx
import pytest
from builders import application, person_id_for
from http_helpers import PURPOSE, graphql, problem

pytestmark = pytest.mark.e2e

STEPS: list[tuple[str, dict[str, Any]]] = [
    ("accept", {"occurred_on": "2024-03-01"}),
    (
        "home-visits",
        {
            "occurred_on": "2024-03-05",
            "investigators": ["inv-a", "inv-b"],
            "findings": "as declared",
        },
    ),
    ("assessment", {"occurred_on": "2024-03-06"}),
    (
        "public-notice",
        {"occurred_on": "2024-03-06", "posted_from": "2024-03-07", "posted_to": "2024-03-13"},
    ),
    ("public-notice/close", {"occurred_on": "2024-03-13"}),
]


def submit(client: httpx.Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json=body or application())
    assert response.status_code == 201, response.text
    return dict(response.json())


def to_noticed(
    worker: httpx.Client, body: dict[str, Any], investigators: tuple[str, ...] = ()
) -> str:
    case_id = submit(worker, body)["id"]
    worker.post(f"/api/v1/cases/{case_id}/accept", json=STEPS[0][1]).raise_for_status()
    check = {"occurred_on": "2024-03-04", "property": {},
             "incomes": [{"id_number": body["members"][0]["id_number"],
                          "declared_fen": 20000, "verified_fen": 20000}]}  # fmt: skip
    worker.post(f"/api/v1/cases/{case_id}/economic-check", json=check).raise_for_status()
    for path, payload in STEPS[1:]:
        if investigators and path == "home-visits":
            payload = {**payload, "investigators": list(investigators)}
        r = worker.post(f"/api/v1/cases/{case_id}/{path}", json=payload)
        assert r.status_code == 200, (path, r.text)
    return str(case_id)


CASE_QUERY = """query($id: ID!) { case(id: $id) { status monthlyAmountFen applicantName
  applicantIdNumber firstPaidMonth overdue { investigation decision case review }
  timeline { version eventType actorUser summary } } }"""


def test_the_tour_from_submission_to_confirmation_and_graphql(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client
) -> None:
    body = application()
    case_id = to_noticed(worker, body)
    confirmed = approver.post(
        f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"}
    )
    assert confirmed.status_code == 200, confirmed.text
    answer = confirmed.json()
    # Version 8 is the confirmation; 111,000 from 2024-07 was set in advance, so the same save
    # applies it from July (version 9, BenefitAdjusted by the ledger's standard change).
    assert answer["id"] == case_id and answer["version"] == 9 and answer["position"] > 0
    assert confirmed.headers["ETag"] == '"9"'

    # Read your own write: the views wait until they reach the command's position.
    data = graphql(worker, CASE_QUERY, answer["position"], purpose=PURPOSE, id=case_id)["case"]
    assert data["status"] == "active"
    assert data["firstPaidMonth"] == "2024-04"
    assert data["applicantName"] == "测试甲"
    assert [t["version"] for t in data["timeline"]] == list(range(1, 10))
    assert data["timeline"][7]["actorUser"] == "approver-1"
    adjusted = data["timeline"][8]
    assert (adjusted["eventType"], adjusted["actorUser"]) == ("BenefitAdjusted", "standard-change")
    assert data["monthlyAmountFen"] == 111000 - 20000  # the amount from July; 88,000 before

    # A supervisor sees the same case with personal data masked.
    masked = graphql(supervisor, CASE_QUERY, id=case_id)["case"]
    assert masked["applicantName"] == "测**"
    assert masked["applicantIdNumber"].startswith(body["members"][0]["id_number"][:6])
    assert "*" in masked["applicantIdNumber"]

    history = graphql(supervisor, "query($id: ID!) { caseHistory(id: $id) { version type data } }",
                      id=case_id)["caseHistory"]  # fmt: skip
    assert history[0]["type"] == "ApplicationSubmitted"
    assert body["members"][0]["id_number"] not in json.dumps(history)
    as_of = graphql(worker, "query($id: ID!) { caseAsOf(id: $id, version: 2) { status version } }",
                    id=case_id)["caseAsOf"]  # fmt: skip
    assert as_of == {"status": "accepted", "version": 2}

    listing = graphql(
        supervisor,
        """{ cases(filter: {status: "active"}, first: 10) {
        totalCount edges { node { id } } pageInfo { hasNextPage } } }""",
    )["cases"]
    assert listing["totalCount"] == 1 and listing["edges"][0]["node"]["id"] == case_id
    load = graphql(
        supervisor, '{ caseload(groupBy: ["programme", "status"]) { programme status cases } }'
    )
    assert {"programme": "DIBAO", "status": "active", "cases": 1} in load["caseload"]
    status = graphql(supervisor, "{ projectionStatus { name lag error } }")["projectionStatus"]
    assert {"case_summary", "case_timeline", "person_enrolment"} <= {s["name"] for s in status}
    assert all(s["error"] is None for s in status)


def test_paging_through_cases_with_cursors(worker: httpx.Client) -> None:
    answers = [submit(worker) for _ in range(5)]
    ids = {a["id"] for a in answers}
    newest = max(a["position"] for a in answers)
    seen: list[str] = []
    after = None
    query = """query($after: String) { cases(first: 2, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    while True:
        page = graphql(worker, query, newest, after=after)["cases"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert set(seen) == ids and len(seen) == 5


def test_bad_input_gets_problem_json_naming_the_field_and_records_nothing(
    worker: httpx.Client, supervisor: httpx.Client
) -> None:
    def head() -> int:
        rows = graphql(supervisor, "{ projectionStatus { headPosition } }")["projectionStatus"]
        return int(rows[0]["headPosition"])

    before = head()
    good = application()
    wrong_digit = good["members"][0]["id_number"][:-1] + (
        "0" if good["members"][0]["id_number"][-1] != "0" else "1"
    )
    cases = [
        (b"{not json", "body"),
        (json.dumps({**good, "colour": "red"}).encode(), "colour"),
        (json.dumps({**good, "programme": "LOTTERY"}).encode(), "programme"),
        (json.dumps({**good, "occurred_on": "01/03/2024"}).encode(), "occurred_on"),
        (json.dumps({**good, "occurred_on": "2099-01-01"}).encode(), "occurred_on"),
        (
            json.dumps(
                {**good, "members": [{**good["members"][0], "id_number": wrong_digit}]}
            ).encode(),
            "members.0.id_number",
        ),
        (json.dumps({k: v for k, v in good.items() if k != "street"}).encode(), "street"),
    ]
    for raw, field in cases:
        r = worker.post("/api/v1/cases", content=raw, headers={"content-type": "application/json"})
        body = problem(r, 422)
        assert any(e["field"].endswith(field) or e["field"] == field for e in body["errors"]), body
        assert wrong_digit not in r.text  # personal data never echoed back
    case_id = submit(worker)["id"]
    negative = worker.post(f"/api/v1/cases/{case_id}/adjustments", json={
        "occurred_on": "2024-05-01", "monthly_amount_fen": -5, "effective_month": "2024-06",
        "reason": "x"})  # fmt: skip
    assert problem(negative, 422)["errors"][0]["field"] == "monthly_amount_fen"
    bad_month = worker.post(f"/api/v1/cases/{case_id}/suspend", json={
        "occurred_on": "2024-05-01", "from_month": "2024-13", "reason": "x"})  # fmt: skip
    assert problem(bad_month, 422)["errors"][0]["field"] == "from_month"
    # Only the one good submission was recorded: its case, and each member's PersonRecord
    # (opened, case joined) saved with it.
    assert head() == before + 1 + 2 * len(good["members"])


def test_out_of_order_and_conflicting_commands_get_409_or_412(
    worker: httpx.Client, approver: httpx.Client
) -> None:
    body = application()
    case_id = submit(worker, body)["id"]
    early = approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"})
    assert "not accepted" in problem(early, 409)["detail"] or "accepted" in early.json()["detail"]

    case_id = to_noticed(worker, application(), investigators=("approver-1", "inv-b"))
    # The investigator may not approve the same case.
    inv = approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"})
    assert problem(inv, 409)["code"] in ("approver_investigated",)

    # If-Match with a stale version: 412, nothing recorded.
    case_id = to_noticed(worker, application())
    stale = approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"},
                          headers={"If-Match": '"3"'})  # fmt: skip
    assert problem(stale, 412)["field"] == "If-Match"
    ok = approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"},
                       headers={"If-Match": '"7"'})  # fmt: skip
    assert ok.status_code == 200

    # The same person may not be in two active DIBAO cases.
    again = application(members=body["members"])
    first = to_noticed(worker, body)
    approver.post(
        f"/api/v1/cases/{first}/confirm", json={"occurred_on": "2024-03-14"}
    ).raise_for_status()
    twice = worker.post("/api/v1/cases", json=again)
    assert problem(twice, 409)["code"] == "double_enrolment"
    assert body["members"][0]["id_number"] not in twice.text
    # No oracle: neither the person's pseudonym nor the case that holds the place is named.
    assert person_id_for(body["members"][0]["id_number"]) not in twice.text
    assert first not in twice.text and UUID(first).hex not in twice.text


def test_idempotency_key_retry_returns_the_first_answer(worker: httpx.Client) -> None:
    body = application()
    headers = {"Idempotency-Key": "retry-42"}
    first = worker.post("/api/v1/cases", json=body, headers=headers)
    second = worker.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = worker.post("/api/v1/cases", json=application(), headers=headers)
    assert problem(other, 422)["code"] == "idempotency_key_reused"


def test_auth_is_required_and_checked(anonymous: httpx.Client) -> None:
    assert problem(anonymous.post("/api/v1/cases", json=application()), 401)
    bad = anonymous.post("/api/v1/cases", json=application(),
                         headers={"Authorization": "Bearer not-a-token"})  # fmt: skip
    assert "not valid" in problem(bad, 401)["detail"]
    assert problem(anonymous.post("/graphql", json={"query": "{ projectionStatus { name } }"}), 401)
    page = anonymous.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    spec = anonymous.get("/openapi.json").json()
    assert "/api/v1/cases/{id}/confirm" in spec["paths"]
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert "ledger_projection_lag" in anonymous.get("/metrics").text


def test_min_position_beyond_the_ledger_answers_503(worker: httpx.Client) -> None:
    r = worker.post("/graphql", json={"query": "{ projectionStatus { name } }"},
                    headers={"X-Min-Position": "999999"})  # fmt: skip
    detail = problem(r, 503)["detail"]
    assert "X-Min-Position" in detail and "999999" not in detail  # the caller's value not echoed


def test_no_input_makes_a_500(worker: httpx.Client) -> None:
    case_id = submit(worker)["id"]
    garbage: list[Any] = [None, [], "x", 7, {"occurred_on": None}, {"occurred_on": "2024-02-30"},
                          {"occurred_on": "2024-03-01", "months": "many"}]  # fmt: skip
    paths = ["accept", "economic-check", "home-visits", "assessment", "public-notice",
             "public-notice/close", "confirm", "deny", "reviews", "adjustments", "suspend",
             "resume", "gradual-exit", "warnings", "warnings/W1/resolve", "terminate"]  # fmt: skip
    for path in paths:
        for payload in garbage:
            r = worker.post(f"/api/v1/cases/{case_id}/{path}", json=payload)
            assert r.status_code < 500, (path, payload, r.text)
    assert worker.post("/api/v1/cases/not-a-uuid/accept", json={}).status_code == 422
    unknown = worker.post("/api/v1/cases/00000000-0000-0000-0000-000000000000/accept",
                          json={"occurred_on": "2024-03-01"})  # fmt: skip
    assert problem(unknown, 404)
