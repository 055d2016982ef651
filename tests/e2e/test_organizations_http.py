"""Social organisations (社会组织) and village conversions (撤村转居) over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from http_helpers import graphql, ok, post, problem

pytestmark = pytest.mark.e2e

ORGS = "/api/v1/organizations"
VILLAGES = "/api/v1/village-conversions"
NUMERATOR, DENOMINATOR = "village.pass_numerator", "village.pass_denominator"


def organization(name: str = "钟楼区围棋协会", on: str = "2021-03-15") -> dict[str, Any]:
    return {"name": name, "type": "SOCIAL_GROUP", "street": "新闸街道", "occurred_on": on}


def inspection(year: int, result: str = "pass") -> dict[str, Any]:
    return {"occurred_on": f"{year + 1}-03-10", "year": year, "result": result}


GRADE = {"occurred_on": "2023-06-01", "grade": "3A", "decision_ref": "钟民社评〔2023〕5号"}


@pytest.fixture
def threshold(admin: httpx.Client) -> None:
    """Two thirds of those present, from 2024."""
    for name, value in ((NUMERATOR, 2), (DENOMINATOR, 3)):
        r = post(admin, "/api/v1/parameters", {"name": name, "value": value,
                 "effective_from": "2024-01-01", "reason": "江苏实践 2/3"})  # fmt: skip
        assert r.status_code == 201, r.text


def restructured(worker: httpx.Client, village: str = "庆丰村", street: str = "新闸街道") -> str:
    """A conversion with its assets, membership and restructuring recorded (version 4)."""
    body = {"village": village, "street": street, "tasks": ["清产核资", "成员身份界定"],
            "occurred_on": "2024-03-15"}  # fmt: skip
    conversion = str(ok(post(worker, VILLAGES, body), 201)["id"])
    ok(post(worker, f"{VILLAGES}/{conversion}/assets", {
        "occurred_on": "2024-06-20", "assets_fen": 18_642_035_000,
        "liabilities_fen": 2_310_480_000, "net_assets_fen": 16_331_555_000}))  # fmt: skip
    ok(post(worker, f"{VILLAGES}/{conversion}/membership",
            {"occurred_on": "2024-07-10", "members": 1486}))  # fmt: skip
    ok(post(worker, f"{VILLAGES}/{conversion}/restructure", {"occurred_on": "2024-09-26",
            "entity_name": "庆丰股份经济合作社", "shareholders": 1486}))  # fmt: skip
    return conversion


def test_an_organisation_from_registration_to_deregistration(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client
) -> None:
    created = post(approver, ORGS, organization())
    org = ok(created, 201)["id"]
    assert created.headers["Location"] == f"{ORGS}/{org}"
    assert created.headers["ETag"] == '"1"'
    ok(post(approver, f"{ORGS}/{org}/inspections", inspection(2021), {"If-Match": '"1"'}))
    ok(post(approver, f"{ORGS}/{org}/inspections", inspection(2022)))
    graded = post(approver, f"{ORGS}/{org}/grade", GRADE)
    assert ok(graded)["version"] == 4 and graded.headers["ETag"] == '"4"'
    ok(post(approver, f"{ORGS}/{org}/grade/revoke", {"occurred_on": "2023-07-01",
            "reason": "受到行政处罚"}))  # fmt: skip
    ok(post(approver, f"{ORGS}/{org}/liquidation", {"occurred_on": "2023-08-01",
            "reason": "会员大会决议解散"}))  # fmt: skip
    early = post(approver, f"{ORGS}/{org}/revoke", {"occurred_on": "2023-09-01", "reason": "x"})
    assert problem(early, 409)["code"] == "revocation_not_justified"
    last = ok(post(approver, f"{ORGS}/{org}/deregister",
                   {"occurred_on": "2023-10-01", "reason": "清算完毕"}))  # fmt: skip

    query = """query($f: OrganizationFilter) { organizations(filter: $f) { totalCount
      edges { node { id name type status registeredOn grade gradeRevokedOn lastInspectionYear
      lastInspectionResult inspectionDue endedOn version } } } }"""
    data = graphql(supervisor, query, last["position"], f={"status": "deregistered"})
    node = data["organizations"]["edges"][0]["node"]
    assert data["organizations"]["totalCount"] == 1
    assert node == {
        "id": org, "name": "钟楼区围棋协会", "type": "SOCIAL_GROUP", "status": "deregistered",
        "registeredOn": "2021-03-15", "grade": None, "gradeRevokedOn": "2023-07-01",
        "lastInspectionYear": 2022, "lastInspectionResult": "pass", "inspectionDue": False,
        "endedOn": "2023-10-01", "version": 7,
    }  # fmt: skip
    after = post(approver, f"{ORGS}/{org}/inspections", inspection(2023))
    assert problem(after, 409)["code"] == "wrong_status"


def test_grading_a_two_month_old_organisation_is_refused(approver: httpx.Client) -> None:
    registered = (date.today() - timedelta(days=61)).isoformat()
    org = ok(post(approver, ORGS, organization(on=registered)), 201)["id"]

    grade = {**GRADE, "occurred_on": date.today().isoformat()}
    refused = problem(post(approver, f"{ORGS}/{org}/grade", grade), 409)

    assert refused["code"] == "registered_too_recently"
    assert "two full years" in refused["detail"]
    # Nothing was recorded: the organisation is still at version 1.
    liquidation = {"occurred_on": date.today().isoformat(), "reason": "决议解散"}
    assert (
        ok(post(approver, f"{ORGS}/{org}/liquidation", liquidation, {"If-Match": '"1"'}))["version"]
        == 2
    )


def test_a_grade_outside_1a_to_5a_is_invalid_input(approver: httpx.Client) -> None:
    org = ok(post(approver, ORGS, organization()), 201)["id"]
    ok(post(approver, f"{ORGS}/{org}/inspections", inspection(2021)))
    ok(post(approver, f"{ORGS}/{org}/inspections", inspection(2022)))

    for bad in ["6A", "A", "3a", 3]:
        r = post(approver, f"{ORGS}/{org}/grade", {**GRADE, "grade": bad})
        errors = problem(r, 422)["errors"]
        assert any(e["field"] == "grade" for e in errors), errors
    assert ok(post(approver, f"{ORGS}/{org}/grade", GRADE))["version"] == 4


def test_bad_input_gets_422_naming_the_field(approver: httpx.Client) -> None:
    good = organization()
    for body, field in [
        ({**good, "type": "CLUB"}, "type"), ({**good, "name": ""}, "name"),
        ({k: v for k, v in good.items() if k != "street"}, "street"),
        ({**good, "occurred_on": "2099-01-01"}, "occurred_on"), ({**good, "x": 1}, "x"),
    ]:  # fmt: skip
        errors = problem(post(approver, ORGS, body), 422)["errors"]
        assert any(e["field"] == field for e in errors), (field, errors)
    org = ok(post(approver, ORGS, good), 201)["id"]
    for body, field in [
        ({"occurred_on": "2022-03-01", "year": 2021, "result": "excellent"}, "result"),
        ({"occurred_on": "2022-03-01", "year": 2022, "result": "pass"}, "year"),
    ]:
        found = problem(post(approver, f"{ORGS}/{org}/inspections", body), 422)
        fields = [found.get("field")] + [e["field"] for e in found.get("errors") or []]
        assert field in fields, (field, found)
    for path in ["inspections", "grade", "grade/revoke", "liquidation", "deregister", "revoke"]:
        for garbage in [None, [], {"occurred_on": "2024-02-30"}]:
            r = post(approver, f"{ORGS}/{org}/{path}", garbage)
            assert r.status_code == 422, (path, garbage, r.text)
    problem(post(approver, f"{ORGS}/00000000-0000-0000-0000-000000000000/liquidation",
                 {"occurred_on": "2024-01-02", "reason": "x"}), 404)  # fmt: skip


def test_a_vote_without_quorum_is_refused_and_nothing_recorded(
    worker: httpx.Client, threshold: None
) -> None:
    conversion = restructured(worker)
    no_quorum = {"occurred_on": "2024-11-18", "eligible": 1203, "present": 601,
                 "votes_for": 590, "votes_against": 5}  # fmt: skip

    refused = problem(post(worker, f"{VILLAGES}/{conversion}/vote", no_quorum), 409)

    assert refused["code"] == "no_quorum" and refused["field"] == "present"
    vote = {**no_quorum, "present": 1011, "votes_for": 917, "votes_against": 64}
    voted = post(worker, f"{VILLAGES}/{conversion}/vote", vote, {"If-Match": '"4"'})
    assert ok(voted)["version"] == 5 and voted.headers["ETag"] == '"5"'


def test_a_village_conversion_refuses_steps_out_of_order(
    worker: httpx.Client, approver: httpx.Client, threshold: None
) -> None:
    body = {"village": "马家村", "street": "新闸街道", "tasks": ["清产核资"],
            "occurred_on": "2024-12-02"}  # fmt: skip
    conversion = ok(post(worker, VILLAGES, body), 201)["id"]
    assert problem(post(worker, VILLAGES, body), 409)["code"] == "already_initiated"
    vote = {"occurred_on": "2024-12-20", "eligible": 10, "present": 9, "votes_for": 9,
            "votes_against": 0}  # fmt: skip
    refused = problem(post(worker, f"{VILLAGES}/{conversion}/vote", vote), 409)
    assert refused["code"] == "procedure_incomplete" and "assets" in refused["detail"]
    deregister = {"occurred_on": "2024-12-20", "decision_ref": "x"}
    assert (
        problem(post(approver, f"{VILLAGES}/{conversion}/deregister", deregister), 409)["code"]
        == "vote_not_passed"
    )
    assets = {"occurred_on": "2024-12-20", "assets_fen": 10, "liabilities_fen": 3,
              "net_assets_fen": 8}  # fmt: skip
    bad = problem(post(worker, f"{VILLAGES}/{conversion}/assets", assets), 422)
    assert bad["field"] == "net_assets_fen"
    stale = post(worker, f"{VILLAGES}/{conversion}/membership",
                 {"occurred_on": "2024-12-20", "members": 5}, {"If-Match": '"9"'})  # fmt: skip
    assert problem(stale, 412)["field"] == "If-Match"
    membership = {"occurred_on": "2024-12-20", "members": 5}
    first = ok(post(worker, f"{VILLAGES}/{conversion}/membership", membership,
                    {"Idempotency-Key": "m-1"}))  # fmt: skip
    again = ok(post(worker, f"{VILLAGES}/{conversion}/membership", membership,
                    {"Idempotency-Key": "m-1"}))  # fmt: skip
    assert first == again and first["version"] == 2


STATS = """query($year: Int, $asOf: Date) { organizationStats(year: $year, asOf: $asOf) {
  asOf registered graded gradedPercent inspectionsDue inspectionYear deregistered revoked
  byGrade { grade organizations } } }"""
VILLAGE_QUERY = """query($f: VillageConversionFilter) { villageConversions(filter: $f) {
  totalCount pageInfo { hasNextPage } edges { node { village street step stepNumber stepsTotal
  voteResult votesHeld assetsFen netAssetsFen members tasks
  vote { present votesFor sharePermille thresholdPermille passed parameters } } } } }"""


def test_graphql_organization_stats_and_village_conversions(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client, threshold: None
) -> None:
    graded = ok(post(approver, ORGS, organization("钟楼区养老服务中心")), 201)["id"]
    for year in (2021, 2022):
        ok(post(approver, f"{ORGS}/{graded}/inspections", inspection(year)))
    ok(post(approver, f"{ORGS}/{graded}/grade", GRADE))
    ok(post(approver, ORGS, organization("钟楼区书法协会", on="2022-05-01")), 201)
    ok(post(approver, ORGS, organization("钟楼区摄影协会", on="2023-02-01")), 201)
    conversion = restructured(worker)
    failed = {"occurred_on": "2024-11-18", "eligible": 1203, "present": 1011, "votes_for": 600,
              "votes_against": 400}  # fmt: skip
    ok(post(worker, f"{VILLAGES}/{conversion}/vote", failed))
    last = ok(post(worker, f"{VILLAGES}/{conversion}/vote", {**failed,
              "occurred_on": "2024-12-18", "votes_for": 917, "votes_against": 64}))  # fmt: skip

    stats = graphql(supervisor, STATS, last["position"], year=2023)["organizationStats"]
    assert stats == {
        "asOf": "2023-12-31", "registered": 3, "graded": 1, "gradedPercent": 33.33,
        "inspectionsDue": 1, "inspectionYear": 2022, "deregistered": 0, "revoked": 0,
        "byGrade": [{"grade": g, "organizations": int(g == "3A")}
                    for g in ("1A", "2A", "3A", "4A", "5A")],
    }  # fmt: skip
    before = graphql(supervisor, STATS, asOf="2023-01-31")["organizationStats"]
    assert (before["registered"], before["graded"]) == (2, 0)
    both = supervisor.post("/graphql", json={"query": STATS,
                           "variables": {"year": 2023, "asOf": "2023-01-31"}})  # fmt: skip
    assert "asOf or year" in str(both.json()["errors"])

    data = graphql(supervisor, VILLAGE_QUERY, f={"street": "新闸街道"})["villageConversions"]
    assert data["totalCount"] == 1 and data["pageInfo"]["hasNextPage"] is False
    node = data["edges"][0]["node"]
    assert {k: node[k] for k in ("village", "step", "stepNumber", "stepsTotal", "voteResult",
                                 "votesHeld", "members")} == {
        "village": "庆丰村", "step": "vote_passed", "stepNumber": 5, "stepsTotal": 8,
        "voteResult": "passed", "votesHeld": 2, "members": 1486,
    }  # fmt: skip
    assert node["assetsFen"] == 18_642_035_000  # beyond a 32-bit GraphQL Int
    assert node["netAssetsFen"] == 16_331_555_000
    assert node["tasks"] == ["清产核资", "成员身份界定"]
    assert node["vote"] == {
        "present": 1011, "votesFor": 917, "sharePermille": 907, "thresholdPermille": 667,
        "passed": True,
        "parameters": {NUMERATOR: f"{NUMERATOR}@v2", DENOMINATOR: f"{DENOMINATOR}@v2"},
    }  # fmt: skip
    none = graphql(supervisor, VILLAGE_QUERY, f={"street": "邹区镇"})["villageConversions"]
    assert none["totalCount"] == 0 and none["edges"] == []


def test_openapi_describes_the_organisation_and_village_commands(
    anonymous: httpx.Client,
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for step in ["inspections", "grade", "grade/revoke", "liquidation", "deregister", "revoke"]:
        assert f"{ORGS}/{{id}}/{step}" in paths
    for step in ["assets", "membership", "restructure", "vote", "deregister",
                 "residents-committee", "complete"]:  # fmt: skip
        assert f"{VILLAGES}/{{id}}/{step}" in paths
    assert "201" in paths[ORGS]["post"]["responses"]
    assert "201" in paths[VILLAGES]["post"]["responses"]
