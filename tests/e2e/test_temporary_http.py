"""Temporary assistance (临时救助) over real HTTP: commands, refusals, and GraphQL."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest
from builders import new_id_number
from http_helpers import PURPOSE, graphql, ok, post, problem

pytestmark = pytest.mark.e2e

BASE = "/api/v1/temporary-cases"
CHECK = {"occurred_on": "2024-03-05", "incomes": [], "property": {}}
VISIT = {"occurred_on": "2024-03-06", "investigators": ["inv-a", "inv-b"], "findings": "属实"}


@pytest.fixture
def parameters(admin: httpx.Client) -> None:
    """The district's cap (6 x the standard), street limit (3,000 yuan) and paperwork days."""
    for name, value in [("temporary.cap_multiple", 6), ("temporary.street_limit_fen", 300_000),
                        ("temporary.paperwork_days", 10)]:  # fmt: skip
        r = admin.post(
            "/api/v1/parameters",
            json={
                "name": name,
                "value": value,
                "effective_from": "2023-01-01",
                "reason": "demo value",
            },
        )
        assert r.status_code == 201, r.text


def help_request(kind: str = "EMERGENCY", **overrides: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "street": "新闸街道",
        "community": "新闸社区",
        "occurred_on": "2024-03-04",
        "incident": "火灾致住房受损",
        "members": [
            {"name": "测试甲", "id_number": new_id_number(), "relation": "self"},
            {"name": "测试乙", "id_number": new_id_number(), "relation": "spouse"},
        ],
        **overrides,
    }


def investigated(worker: httpx.Client) -> str:
    """An EXPENDITURE case with its economic check and home visit done."""
    case_id = str(ok(post(worker, BASE, help_request("EXPENDITURE")), 201)["id"])
    ok(post(worker, f"{BASE}/{case_id}/economic-check", CHECK))
    ok(post(worker, f"{BASE}/{case_id}/home-visits", VISIT))
    return case_id


CASE_QUERY = """query($id: ID!) { temporaryCase(id: $id) { type status amountFen approverLevel
  applicantName applicantIdNumber householdSize paperworkDue paperworkLate paperworkOverdue
  capFen overCap caseConferenceRef parameters version } }"""


def test_an_emergency_from_request_to_close(
    worker: httpx.Client, supervisor: httpx.Client, parameters: None
) -> None:
    body = help_request()
    created = post(worker, BASE, body)
    answer = ok(created, 201)
    case_id = answer["id"]
    assert created.headers["Location"] == f"{BASE}/{case_id}"
    assert created.headers["ETag"] == '"1"'

    pay = {"occurred_on": "2024-03-04", "amount_fen": 200_000}
    paid = ok(post(worker, f"{BASE}/{case_id}/advance-aid", pay, {"If-Match": '"1"'}))
    assert paid["version"] == 2
    ok(post(worker, f"{BASE}/{case_id}/paperwork",
            {"occurred_on": "2024-03-16", "documents": ["临时救助申请书"]}))  # fmt: skip
    closed = post(
        worker, f"{BASE}/{case_id}/close", {"occurred_on": "2024-03-18", "reason": "办结"}
    )
    assert ok(closed)["version"] == 4 and closed.headers["ETag"] == '"4"'

    data = graphql(worker, CASE_QUERY, closed.json()["position"], purpose=PURPOSE, id=case_id)[
        "temporaryCase"
    ]
    assert data["type"] == "EMERGENCY" and data["status"] == "closed"
    assert data["amountFen"] == 200_000 and data["approverLevel"] == "street"
    assert data["householdSize"] == 2 and data["capFen"] == 6 * 108_000
    assert data["paperworkDue"] == "2024-03-14"
    assert data["paperworkLate"] is True and data["paperworkOverdue"] is True
    assert data["applicantName"] == "测试甲"
    assert data["parameters"]["dibao.standard"].startswith("dibao.standard@v")
    assert data["version"] == 4

    masked = graphql(supervisor, CASE_QUERY, id=case_id)["temporaryCase"]
    assert masked["applicantName"] == "测**"
    assert masked["applicantIdNumber"] != body["members"][0]["id_number"]
    assert "*" in masked["applicantIdNumber"]


def test_above_the_street_limit_the_district_approves(
    worker: httpx.Client, approver: httpx.Client, parameters: None
) -> None:
    case_id = investigated(worker)
    grant = {"occurred_on": "2024-03-07", "amount_fen": 350_000}

    refused = problem(post(worker, f"{BASE}/{case_id}/grant", grant), 409)
    assert refused["code"] == "district_approval_required"
    assert refused["field"] == "amount_fen"

    approved = ok(post(approver, f"{BASE}/{case_id}/grant", grant))
    assert approved["version"] == 4  # nothing was recorded by the refusal
    data = graphql(approver, CASE_QUERY, approved["position"], purpose=PURPOSE, id=case_id)[
        "temporaryCase"
    ]
    assert data["status"] == "granted" and data["approverLevel"] == "district"


def test_above_the_cap_only_with_a_case_conference(
    worker: httpx.Client, approver: httpx.Client, parameters: None
) -> None:
    case_id = investigated(worker)
    grant: dict[str, Any] = {"occurred_on": "2024-03-07", "amount_fen": 800_000}

    refused = problem(post(approver, f"{BASE}/{case_id}/grant", grant), 409)
    assert refused["code"] == "over_cap" and "一事一议" in refused["detail"]
    assert refused["title"] and refused["status"] == 409

    grant["case_conference"] = {"decision_ref": "钟民临〔2024〕3号", "held_on": "2024-03-07"}
    approved = ok(post(approver, f"{BASE}/{case_id}/grant", grant))
    data = graphql(approver, CASE_QUERY, approved["position"], purpose=PURPOSE, id=case_id)[
        "temporaryCase"
    ]
    assert data["overCap"] is True and data["caseConferenceRef"] == "钟民临〔2024〕3号"


def test_out_of_order_steps_get_409_and_stale_versions_412(
    worker: httpx.Client, parameters: None
) -> None:
    case_id = ok(post(worker, BASE, help_request()), 201)["id"]
    early = post(worker, f"{BASE}/{case_id}/close", {"occurred_on": "2024-03-05", "reason": "x"})
    assert problem(early, 409)["code"] == "wrong_status"
    paperwork = {"occurred_on": "2024-03-05", "documents": ["申请书"]}
    assert problem(post(worker, f"{BASE}/{case_id}/paperwork", paperwork), 409)["code"] == (
        "wrong_status"
    )
    pay = {"occurred_on": "2024-03-04", "amount_fen": 1_000}
    stale = post(worker, f"{BASE}/{case_id}/advance-aid", pay, {"If-Match": '"7"'})
    assert problem(stale, 412)["field"] == "If-Match"
    missing = post(worker, f"{BASE}/00000000-0000-0000-0000-000000000000/close",
                   {"occurred_on": "2024-03-05", "reason": "x"})  # fmt: skip
    problem(missing, 404)


def test_an_idempotent_retry_returns_the_first_answer(
    worker: httpx.Client, parameters: None
) -> None:
    case_id = ok(post(worker, BASE, help_request()), 201)["id"]
    pay = {"occurred_on": "2024-03-04", "amount_fen": 100_000}
    first = ok(post(worker, f"{BASE}/{case_id}/advance-aid", pay, {"Idempotency-Key": "p-1"}))
    again = ok(post(worker, f"{BASE}/{case_id}/advance-aid", pay, {"Idempotency-Key": "p-1"}))
    assert first == again


def test_bad_input_gets_422_naming_the_field_and_records_nothing(
    worker: httpx.Client, supervisor: httpx.Client, parameters: None
) -> None:
    def head() -> int:
        rows = graphql(supervisor, "{ projectionStatus { headPosition } }")["projectionStatus"]
        return int(rows[0]["headPosition"])

    good = help_request()
    secret = good["members"][0]["id_number"]
    wrong_digit = secret[:-1] + ("0" if secret[-1] != "0" else "1")
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "type": "LOTTERY"}, "type"),
        ({**good, "colour": "red"}, "colour"),
        ({k: v for k, v in good.items() if k != "incident"}, "incident"),
        ({**good, "members": []}, "members"),
        ({**good, "members": [{**good["members"][0], "id_number": wrong_digit}]},
         "members.0.id_number"),
        ({**good, "occurred_on": "2099-01-01"}, "occurred_on"),
    ]  # fmt: skip
    before = head()
    for body, field in cases:
        r = post(worker, BASE, body)
        errors = problem(r, 422)["errors"]
        assert any(e["field"] == field for e in errors), (field, errors)
        assert wrong_digit not in r.text and secret not in r.text
    case_id = ok(post(worker, BASE, good), 201)["id"]
    for body, field in [
        ({"occurred_on": "2024-03-04", "amount_fen": 0}, "amount_fen"),
        ({"occurred_on": "2024-03-04", "amount_fen": -5}, "amount_fen"),
        ({"occurred_on": "2024-03-04", "amount_fen": 100, "case_conference": {"held_on": "x"}},
         "case_conference.decision_ref"),
        ({"occurred_on": "2024-03-04"}, "amount_fen"),
    ]:  # fmt: skip
        errors = problem(post(worker, f"{BASE}/{case_id}/advance-aid", body), 422)["errors"]
        assert any(e["field"] == field for e in errors), (field, errors)
    for path in ["advance-aid", "paperwork", "economic-check", "home-visits", "grant", "deny",
                 "close"]:  # fmt: skip
        for garbage in [None, [], "x", {"occurred_on": None}, {"occurred_on": "2024-02-30"}]:
            r = post(worker, f"{BASE}/{case_id}/{path}", garbage)
            assert r.status_code == 422, (path, garbage, r.text)
    # Only the one good request was recorded: its case, and each member's PersonRecord
    # (opened, case joined) saved with it.
    assert head() == before + 1 + 2 * len(good["members"])


STATS = """query($year: Int, $groupBy: [String!]) {
  temporaryAssistanceStats(year: $year, groupBy: $groupBy) {
    year type street households people amountFen } }"""


def test_graphql_stats_count_households_people_and_amount(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client, parameters: None
) -> None:
    emergency = ok(post(worker, BASE, help_request()), 201)["id"]
    ok(post(worker, f"{BASE}/{emergency}/advance-aid",
            {"occurred_on": "2024-03-04", "amount_fen": 120_000}))  # fmt: skip
    granted = investigated(worker)
    last = ok(post(approver, f"{BASE}/{granted}/grant",
                   {"occurred_on": "2024-03-07", "amount_fen": 450_000}))  # fmt: skip
    denied = investigated(worker)
    last = ok(post(approver, f"{BASE}/{denied}/deny",
                   {"occurred_on": "2024-03-07", "reasons": ["收入高于标准"]}))  # fmt: skip

    total = graphql(supervisor, STATS, last["position"], year=2024)["temporaryAssistanceStats"]
    assert total == [{"year": None, "type": None, "street": None, "households": 2, "people": 4,
                      "amountFen": 570_000}]  # fmt: skip
    by_type = graphql(supervisor, STATS, year=2024, groupBy=["year", "type"])
    assert by_type["temporaryAssistanceStats"] == [
        {"year": 2024, "type": "EMERGENCY", "street": None, "households": 1, "people": 2,
         "amountFen": 120_000},
        {"year": 2024, "type": "EXPENDITURE", "street": None, "households": 1, "people": 2,
         "amountFen": 450_000},
    ]  # fmt: skip
    none = graphql(supervisor, STATS, year=date.today().year + 1)["temporaryAssistanceStats"]
    assert none[0]["households"] == 0

    r = supervisor.post("/graphql", json={"query": STATS, "variables": {"groupBy": ["colour"]}})
    errors = json.dumps(r.json()["errors"], ensure_ascii=False)
    assert "groupBy may name only year, month, type, street; item 1" in errors
    assert "colour" not in errors  # the caller's text is never echoed


def test_openapi_describes_the_temporary_commands(anonymous: httpx.Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for step in ["advance-aid", "paperwork", "economic-check", "home-visits", "grant", "deny",
                 "close"]:  # fmt: skip
        assert f"{BASE}/{{id}}/{step}" in paths
    assert "201" in paths[BASE]["post"]["responses"]
