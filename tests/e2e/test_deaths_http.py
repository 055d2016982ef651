"""身后一件事 over real HTTP: report, verify, and the cases the death touched in GraphQL."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from builders import application, new_id_number
from http_helpers import graphql, problem
from test_http import to_noticed

pytestmark = pytest.mark.e2e

QUERY = """{ deathNotifications(filter: {status: "verified"}) { id status name
  cases { caseId consequence } } }"""


def report(client: httpx.Client, id_number: str, **overrides: Any) -> httpx.Response:
    body = {"name": "测试丙", "id_number": id_number, "date_of_death": "2024-05-10",
            "source": "crematorium", "occurred_on": "2024-05-11", **overrides}  # fmt: skip
    return client.post("/api/v1/death-notifications", json=body)


def test_a_verified_death_shows_the_cases_it_touched(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client
) -> None:
    person = new_id_number()
    body = application(
        programme="TEKUN",
        members=[{"name": "测试丙", "id_number": person, "relation": "self", "counted": True}],
    )
    case_id = to_noticed(worker, body)
    approver.post(f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"})

    reported = report(worker, person)
    assert reported.status_code == 201, reported.text
    key = reported.json()["id"]
    verified = approver.post(
        f"/api/v1/death-notifications/{key}/verify",
        json={"occurred_on": "2024-05-13", "evidence": "火化证明"},
    )
    assert verified.status_code == 200, verified.text

    deadline = time.monotonic() + 10  # the process acts after the views catch up
    while True:
        found = graphql(supervisor, QUERY, verified.json()["position"])["deathNotifications"]
        if (found and found[0]["cases"]) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert found[0]["id"] == key
    assert found[0]["name"] == "测**"  # masked for a supervisor
    assert found[0]["cases"][0]["caseId"] == case_id
    assert "terminated from 2024-06" in found[0]["cases"][0]["consequence"]

    again = report(worker, person)
    assert problem(again, 409)["code"] == "death_verified"


def test_bad_death_reports_are_refused(worker: httpx.Client, approver: httpx.Client) -> None:
    future = report(worker, new_id_number(), date_of_death="2099-01-01")
    assert any(e["field"] == "date_of_death" for e in problem(future, 422)["errors"])
    after = report(worker, new_id_number(), date_of_death="2024-05-12")
    assert problem(after, 422)["field"] == "date_of_death"
    unknown = approver.post(
        "/api/v1/death-notifications/00000000-0000-0000-0000-000000000000/verify",
        json={"occurred_on": "2024-05-13", "evidence": "x"},
    )
    assert problem(unknown, 404)
    assert problem(report(worker, new_id_number(), source="rumour"), 422)


def test_a_death_verified_before_the_decision_is_refused_over_http(
    worker: httpx.Client, approver: httpx.Client
) -> None:
    alone, parent, child = new_id_number(), new_id_number(), new_id_number()
    case_id = to_noticed(worker, application(members=[
        {"name": "测试丙", "id_number": alone, "relation": "self", "counted": True}]))  # fmt: skip
    for person in (alone, child):
        key = report(worker, person, date_of_death="2024-03-10", occurred_on="2024-03-10").json()
        approver.post(f"/api/v1/death-notifications/{key['id']}/verify",
                      json={"occurred_on": "2024-03-10", "evidence": "医学死亡证明"},
                      ).raise_for_status()  # fmt: skip

    confirmed = approver.post(
        f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"}
    )
    body = problem(confirmed, 409)
    assert body["code"] == "member_deceased" and "2024-03-10" not in body["detail"]
    assert alone not in confirmed.text and "测试丙" not in confirmed.text

    members = [{"name": "测试丙", "id_number": i, "relation": r, "counted": True}
               for i, r in ((parent, "self"), (child, "child"))]  # fmt: skip
    submitted = worker.post("/api/v1/cases", json=application(members=members))
    assert problem(submitted, 409)["field"] == "members.1"
    assert child not in submitted.text
