"""POST /api/v1/cases/{id}/payee over real HTTP: a new payee account for a case."""

from __future__ import annotations

import httpx
import pytest
from builders import application, new_id_number
from http_helpers import ok, post, problem
from test_http import to_noticed

pytestmark = pytest.mark.e2e
NEW_ACCOUNT = "622202000000000555"


def test_a_new_payee_account_is_recorded_for_a_counted_member_only(
    worker: httpx.Client, approver: httpx.Client
) -> None:
    parent, child, stranger = new_id_number(), new_id_number(), new_id_number()
    members = [{"name": "测试戊", "id_number": n, "relation": r, "counted": True}
               for n, r in ((parent, "self"), (child, "child"))]  # fmt: skip
    case_id = to_noticed(worker, application(members=members, payee_account="622202000000000001"))
    ok(post(approver, f"/api/v1/cases/{case_id}/confirm", {"occurred_on": "2024-03-14"}))
    path = f"/api/v1/cases/{case_id}/payee"

    short = post(worker, path, {"occurred_on": "2024-06-20", "id_number": child,
                                "payee_account": "12345"})  # fmt: skip
    assert problem(short, 422)["errors"][0]["field"] == "payee_account"
    assert "12345" not in short.text and child not in short.text  # personal data not echoed
    outsider = post(worker, path, {"occurred_on": "2024-06-20", "id_number": stranger,
                                   "payee_account": NEW_ACCOUNT})  # fmt: skip
    assert problem(outsider, 422)["field"] == "person_id"

    changed = post(worker, path, {"occurred_on": "2024-06-20", "id_number": child,
                                  "payee_account": NEW_ACCOUNT})  # fmt: skip
    assert ok(changed)["version"] > 0
