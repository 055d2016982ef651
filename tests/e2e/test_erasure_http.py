"""Erasure over real HTTP: admin only, refused while needed, then [erased] for every role."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from builders import application, person_id_for
from conftest import client_for
from http_helpers import PURPOSE, graphql, ok, post, problem
from test_http import to_noticed

from api.settings import Settings

pytestmark = pytest.mark.e2e

ROLES = ["caseworker", "approver", "supervisor", "auditor", "admin"]
ACCOUNT = "6222020200112233445"
QUERY = """query($case: ID!) { case(id: $case) { applicantName applicantIdNumber }
  caseHistory(id: $case) { type data } }"""
BASIS = {"legal_basis": "PIPL Art. 47(1): the purpose is achieved", "occurred_on": "2026-03-15"}
#: The bureau keeps files 2 years here (the default is 5), so that the test can erase today.
RETENTION = {"name": "privacy.retention_years", "value": 2, "effective_from": "2020-01-01",
             "reason": "local archive rule"}  # fmt: skip


@pytest.fixture
def clients(server: str, settings: Settings) -> Iterator[dict[str, httpx.Client]]:
    made = {role: client_for(server, settings, role, f"{role}-1") for role in ROLES}
    try:
        yield made
    finally:
        for c in made.values():
            c.close()


def test_erasure_is_refused_until_allowed_then_every_role_reads_erased(
    clients: dict[str, httpx.Client],
) -> None:
    worker, approver, admin = clients["caseworker"], clients["approver"], clients["admin"]
    body = application(payee_account=ACCOUNT)
    name, id_number = body["members"][0]["name"], body["members"][0]["id_number"]
    case_id = to_noticed(worker, body)
    path = f"/api/v1/persons/{person_id_for(id_number)}/erasure"

    active = problem(post(admin, path, BASIS), 409)
    assert active["code"] == "erasure_case_active"
    assert id_number not in str(active) and person_id_for(id_number) not in str(active)
    denial = {"occurred_on": "2024-03-14", "reasons": ["家庭收入高于标准"]}
    ok(post(approver, f"/api/v1/cases/{case_id}/deny", denial))

    assert problem(post(worker, path, BASIS), 403)["code"] == "role_not_allowed"
    inside = problem(post(admin, path, BASIS), 409)  # 5 years by default
    assert inside["code"] == "erasure_inside_retention"
    ok(post(admin, "/api/v1/parameters", RETENTION), 201)
    early = problem(post(admin, path, {**BASIS, "occurred_on": "2026-03-13"}), 409)
    assert early["code"] == "erasure_inside_retention"
    assert problem(post(admin, path, {"occurred_on": "2026-03-15"}), 422)
    assert problem(post(admin, "/api/v1/persons/110105194912310020/erasure", BASIS), 422)

    erased = ok(post(admin, path, BASIS))
    assert erased["version"] >= 2 and erased["position"] > 0

    for role, client in clients.items():
        if role in ("admin", "integrator"):  # they read no cases at all (Who may do what)
            continue
        data = graphql(client, QUERY, erased["position"], purpose=PURPOSE, case=case_id)
        assert data["case"] == {"applicantName": "[erased]", "applicantIdNumber": "[erased]"}, role
        submitted = data["caseHistory"][0]["data"]
        assert submitted["members"][0]["personal"] == {"name": "[erased]", "id_number": "[erased]"}
        assert submitted["payee"]["personal"] == {"bank_account": "[erased]"}, role
        assert name not in str(data) and ACCOUNT not in str(data), role
