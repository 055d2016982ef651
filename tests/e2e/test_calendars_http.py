"""Over real HTTP: record a year's holiday notice; provisional due dates in GraphQL follow it.

The 2027 notice is MADE UP for the tests (TEST ONLY, not the State Council's notice).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from builders import application
from conftest import client_for
from http_helpers import graphql, ok, problem

from api.container import Container
from api.settings import Settings

pytestmark = pytest.mark.e2e

TEST_2027: dict[str, Any] = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "make_up_working_days": ["2027-02-06"],
    "reference": "TEST-ONLY-2027",
    "title": "Made-up 2027 notice for the tests (not the State Council's)",
    "published_on": "2026-11-25",
}
DUE_QUERY = """query($id: ID!) { case(id: $id) { investigationDue decisionDue caseDue
  provisional overdue { case } } }"""


@pytest.fixture
def admin(server: str, settings: Settings) -> Iterator[httpx.Client]:
    with client_for(server, settings, "admin", "admin-1") as c:
        yield c


def test_acceptance_in_late_november_answers_201_with_a_provisional_case_due(
    worker: httpx.Client, admin: httpx.Client
) -> None:
    case_id = ok(worker.post("/api/v1/cases", json=application(occurred_on="2026-11-20")), 201)
    accepted = worker.post(
        f"/api/v1/cases/{case_id['id']}/accept", json={"occurred_on": "2026-11-20"}
    )
    answer = ok(accepted)  # 409 "no data for 2027" before
    data = graphql(worker, DUE_QUERY, answer["position"], id=case_id["id"])["case"]
    assert data["caseDue"] == "2027-01-01"
    assert data["provisional"] == ["caseDue"]

    recorded = ok(admin.post("/api/v1/calendars", json=TEST_2027), 201)

    data = graphql(worker, DUE_QUERY, recorded["position"], id=case_id["id"])["case"]
    assert data["caseDue"] == "2027-01-04"  # the made-up New Year holiday moves it
    assert data["provisional"] == []
    assert data["overdue"]["case"] is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"make_up_working_days": ["2027-02-08"]}, "make_up_working_days.0"),  # a Monday
        ({"holidays": ["2028-01-01"]}, "holidays.0"),
        ({"holidays": ["not a date"]}, "holidays.0"),
        ({"year": 1800}, "year"),
        ({"reference": ""}, "reference"),
        ({"published_on": "2999-01-01"}, "published_on"),
    ],
)
def test_a_bad_notice_is_422_naming_the_field(
    admin: httpx.Client, overrides: dict[str, Any], field: str
) -> None:
    body = problem(admin.post("/api/v1/calendars", json={**TEST_2027, **overrides}), 422)
    assert body.get("field", body.get("errors", [{}])[0].get("field")) == field, body


def test_recording_a_notice_needs_a_token_and_records_the_actor(
    anonymous: httpx.Client, admin: httpx.Client, container: Container
) -> None:
    assert problem(anonymous.post("/api/v1/calendars", json=TEST_2027), 401)
    recorded = ok(admin.post("/api/v1/calendars", json=TEST_2027), 201)
    notice = list(container.ledger.events.get(UUID(recorded["id"])))[-1]
    assert (notice.actor["user"], notice.actor["role"]) == ("admin-1", "admin")
    assert notice.reference == "TEST-ONLY-2027"
    again = problem(admin.post("/api/v1/calendars", json=TEST_2027), 409)
    assert again["code"] == "notice_unchanged"
