"""Care institutions and bed conversions (四床融合) over real HTTP: commands, refusals, GraphQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from http_helpers import graphql, ok, post, problem

pytestmark = pytest.mark.e2e

INSTITUTIONS = "/api/v1/institutions"
CONVERSIONS = "/api/v1/bed-conversions"
INSPECTION = {"occurred_on": "2024-03-08", "passed": True, "inspectors": ["i-1", "i-2"],
              "findings": "场地与设施符合要求"}  # fmt: skip


def filing(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "新闸颐养院",
        "street": "新闸街道",
        "beds": {"nursing": 90, "elderly_care": 10, "home_care": 40},
        "medical_capability": True,
        "occurred_on": "2024-01-08",
        **overrides,
    }


def conversion(client: httpx.Client, institution_id: str, number: int, **more: Any) -> str:
    body = {"institution_id": institution_id, "from_type": "elderly_care", "to_type": "nursing",
            "number": number, "occurred_on": "2024-03-01", **more}  # fmt: skip
    return str(ok(post(client, CONVERSIONS, body), 201)["id"])


def test_an_institution_is_filed_graded_and_staffed(admin: httpx.Client) -> None:
    created = post(admin, INSTITUTIONS, filing())
    iid = ok(created, 201)["id"]
    assert created.headers["Location"] == f"{INSTITUTIONS}/{iid}"
    assert created.headers["ETag"] == '"1"'

    grade = {"occurred_on": "2024-05-06", "level": 4, "valid_until": "2027-05-05",
             "evidence": "常民〔2024〕3号"}  # fmt: skip
    graded = post(admin, f"{INSTITUTIONS}/{iid}/grade", grade, {"If-Match": '"1"'})
    assert ok(graded)["version"] == 2 and graded.headers["ETag"] == '"2"'
    staff = {"occurred_on": "2024-06-30", "caregivers": 25, "certified_caregivers": 23}
    ok(post(admin, f"{INSTITUTIONS}/{iid}/staff", staff))
    fire = {"occurred_on": "2024-02-01", "certificate_ref": "常消安〔2024〕8号",
            "valid_until": "2027-01-31"}  # fmt: skip
    last = ok(post(admin, f"{INSTITUTIONS}/{iid}/fire-safety", fire))
    assert last["version"] == 4

    query = """query($street: String) { institutions(filter: {street: $street}) { totalCount
      edges { node { id name grade gradeValid caregivers certifiedCaregivers fireSafetyValid
        institutionalBeds nursingBeds beds { type beds reserved } version } } } }"""
    data = graphql(admin, query, last["position"], street="新闸街道")["institutions"]
    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert node["id"] == iid and node["grade"] == 4 and node["gradeValid"] is True
    assert (node["caregivers"], node["certifiedCaregivers"]) == (25, 23)
    assert node["fireSafetyValid"] is True and node["version"] == 4
    assert (node["institutionalBeds"], node["nursingBeds"]) == (100, 90)
    assert {b["type"]: b["beds"] for b in node["beds"]} == {
        "elderly_care": 10, "home_care": 40, "nursing": 90
    }  # fmt: skip


@pytest.mark.parametrize("level", [0, 6, -1, "four"])
def test_a_grade_outside_1_to_5_gets_422(admin: httpx.Client, level: Any) -> None:
    iid = ok(post(admin, INSTITUTIONS, filing()), 201)["id"]
    grade = {"occurred_on": "2024-05-06", "level": level, "valid_until": "2027-05-05",
             "evidence": "常民〔2024〕3号"}  # fmt: skip
    errors = problem(post(admin, f"{INSTITUTIONS}/{iid}/grade", grade), 422)["errors"]
    assert any(e["field"] == "level" for e in errors), errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"beds": {"Nursing": 3}}, "beds"),
        ({"beds": {"nursing": -1}}, "beds"),
        ({"beds": {}}, "beds"),
        ({"name": ""}, "name"),
        ({"occurred_on": "2099-01-01"}, "occurred_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_filing_gets_422_naming_the_field(
    admin: httpx.Client, overrides: dict[str, Any], field: str
) -> None:
    errors = problem(post(admin, INSTITUTIONS, filing(**overrides)), 422)["errors"]
    assert any(e["field"].startswith(field) for e in errors), (field, errors)


def test_converting_more_beds_than_exist_gets_409_and_records_nothing(
    worker: httpx.Client, admin: httpx.Client, supervisor: httpx.Client
) -> None:
    iid = ok(post(admin, INSTITUTIONS, filing()), 201)["id"]
    head = graphql(supervisor, "{ projectionStatus { headPosition } }")["projectionStatus"]
    body = {"institution_id": iid, "from_type": "elderly_care", "to_type": "nursing",
            "number": 11, "occurred_on": "2024-03-01"}  # fmt: skip

    refused = problem(post(worker, CONVERSIONS, body), 409)
    assert refused["code"] == "not_enough_beds" and refused["field"] == "number"
    assert "has 10" in refused["detail"] and refused["title"] and refused["status"] == 409

    without = ok(post(admin, INSTITUTIONS, filing(medical_capability=False)), 201)["id"]
    medical = problem(post(worker, CONVERSIONS, {**body, "institution_id": without,
                                                 "number": 5}), 409)  # fmt: skip
    assert medical["code"] == "medical_capability_required"
    after = graphql(supervisor, "{ projectionStatus { headPosition } }")["projectionStatus"]
    assert after[0]["headPosition"] == head[0]["headPosition"] + 1  # only the second filing
    unknown = {**body, "institution_id": "00000000-0000-0000-0000-000000000000"}
    assert problem(post(worker, CONVERSIONS, unknown), 422)["field"] == "institution_id"


PIPELINE = """query($year: Int) { bedConversions(year: $year) { totalCount
  edges { node { id status number fromType toType inspectors subsidisedBeds subsidyFen } }
  byStatus { status conversions beds }
  progress { year target converted approvedInProgress pending remaining percent } } }"""


def test_a_conversion_from_application_to_subsidy_over_http(
    worker: httpx.Client, approver: httpx.Client, admin: httpx.Client, supervisor: httpx.Client
) -> None:
    iid = ok(post(admin, INSTITUTIONS, filing()), 201)["id"]
    cid = conversion(worker, iid, 8)
    second = conversion(worker, iid, 3)  # fits the 10 elderly-care beds until the first approval
    path = f"{CONVERSIONS}/{cid}"
    ok(post(approver, f"{path}/inspection", INSPECTION, {"If-Match": '"1"'}))
    ok(post(approver, f"{CONVERSIONS}/{second}/inspection", INSPECTION))

    decision = {"occurred_on": "2024-03-15", "decision_ref": "钟民养转〔2024〕1号"}
    assert problem(post(worker, f"{path}/approve", decision), 403)["code"] == "role_not_allowed"
    stale = post(approver, f"{path}/approve", decision, {"If-Match": '"1"'})
    assert problem(stale, 412)["field"] == "If-Match"
    ok(post(approver, f"{path}/approve", decision))
    held = problem(post(approver, f"{CONVERSIONS}/{second}/approve", decision), 409)
    assert held["code"] == "not_enough_beds" and "8 of them reserved" in held["detail"]

    ok(post(approver, f"{path}/complete", {"occurred_on": "2024-06-03", "evidence": "验收报告"}))
    pay = {"occurred_on": "2024-07-01", "amount_per_bed_fen": 100_000, "beds": 8,
           "reference": "钟财拨〔2024〕9号"}  # fmt: skip
    first = ok(post(approver, f"{path}/subsidy", pay, {"Idempotency-Key": "pay-1"}))
    again = ok(post(approver, f"{path}/subsidy", pay, {"Idempotency-Key": "pay-1"}))
    assert first == again and first["version"] == 5
    twice = problem(post(approver, f"{path}/subsidy", {**pay, "beds": 1}), 409)
    assert twice["code"] == "subsidy_already_paid"

    data = graphql(supervisor, PIPELINE, first["position"], year=2024)["bedConversions"]
    assert data["totalCount"] == 2
    node = next(e["node"] for e in data["edges"] if e["node"]["id"] == cid)
    assert node["status"] == "completed" and node["inspectors"] == ["i-1", "i-2"]
    assert (node["subsidisedBeds"], node["subsidyFen"]) == (8, 800_000)
    assert data["progress"] == {"year": 2024, "target": 300, "converted": 8,
                                "approvedInProgress": 0, "pending": 3, "remaining": 292,
                                "percent": 2.67}  # fmt: skip
    steps = {s["status"]: s["beds"] for s in data["byStatus"]}
    assert steps["completed"] == 8 and steps["inspected"] == 3


STATS = """query($groupBy: [String!], $asOf: Date) { bedStats(groupBy: $groupBy, asOf: $asOf) {
  institutionId institutionName street institutions graded gradingRate institutionalBeds
  nursingBeds nursingShare caregivers certifiedCaregivers certifiedShare beds { type beds } } }"""


def test_graphql_bed_stats_give_shares_as_of_a_day(
    admin: httpx.Client, approver: httpx.Client, supervisor: httpx.Client
) -> None:
    a = ok(post(admin, INSTITUTIONS, filing()), 201)["id"]
    xilin = filing(street="西林街道", beds={"nursing": 50, "hospice": 50})
    b = ok(post(admin, INSTITUTIONS, xilin), 201)["id"]
    grade = {"occurred_on": "2024-05-06", "level": 3, "valid_until": "2027-05-05", "evidence": "x"}
    ok(post(admin, f"{INSTITUTIONS}/{a}/grade", grade))
    staff = {"occurred_on": "2024-06-30", "caregivers": 20, "certified_caregivers": 19}
    ok(post(admin, f"{INSTITUTIONS}/{a}/staff", staff))
    staff = {"occurred_on": "2024-06-30", "caregivers": 5, "certified_caregivers": 4}
    last = ok(post(admin, f"{INSTITUTIONS}/{b}/staff", staff))

    (district,) = graphql(supervisor, STATS, last["position"], asOf="2024-12-31")["bedStats"]
    # 140 nursing of 200 institutional beds; the 40 home-care beds are in people's homes.
    assert (district["nursingBeds"], district["institutionalBeds"]) == (140, 200)
    assert district["nursingShare"] == 70.0
    assert (district["institutions"], district["graded"], district["gradingRate"]) == (2, 1, 50.0)
    assert district["certifiedShare"] == 92.0 and district["street"] is None
    assert {b["type"]: b["beds"] for b in district["beds"]} == {
        "elderly_care": 10, "home_care": 40, "hospice": 50, "nursing": 140
    }  # fmt: skip

    streets = graphql(supervisor, STATS, groupBy=["street"])["bedStats"]
    assert [(r["street"], r["nursingShare"]) for r in streets] == [
        ("新闸街道", 90.0), ("西林街道", 50.0)
    ]  # fmt: skip
    per_institution = graphql(supervisor, STATS, groupBy=["institution"])["bedStats"]
    assert {r["institutionId"] for r in per_institution} == {a, b}
    (empty,) = graphql(supervisor, STATS, asOf="2023-12-31")["bedStats"]
    assert empty["institutions"] == 0 and empty["nursingShare"] is None

    r = supervisor.post("/graphql", json={"query": STATS, "variables": {"groupBy": ["colour"]}})
    assert "groupBy may name only institution, street; item 1" in r.text
    assert "colour" not in r.text  # the caller's text is never echoed


def test_openapi_describes_the_institution_commands(anonymous: httpx.Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for step in ["grade", "staff", "fire-safety", "medical-capability"]:
        assert f"{INSTITUTIONS}/{{id}}/{step}" in paths
    for step in ["inspection", "approve", "reject", "complete", "subsidy"]:
        assert f"{CONVERSIONS}/{{id}}/{step}" in paths
    assert "201" in paths[INSTITUTIONS]["post"]["responses"]
    assert "201" in paths[CONVERSIONS]["post"]["responses"]
