"""Over real HTTP: text, bounds and bodies the server cannot read are refused as problem+json.

Nothing refused is recorded, and the views keep answering afterwards (on both backends).
The bodies the server cannot read, and other odd input refused before any command runs
(nested or invalid JSON, unreadable GraphQL requests, unknown paths, an overlong path id),
are tested on SQLite only (SQLITE_ONLY): they are refused by the HTTP layer and never reach
the store; the refused text that a store could keep or choke on is tested on both.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from builders import application, new_id_number
from http_helpers import graphql, problem
from stream_support import SQLITE_ONLY
from test_http import STEPS, submit, to_noticed

pytestmark = pytest.mark.e2e

CASE = "query($id: ID!) { case(id: $id) { status timeline { version eventType } } }"


def deep_json(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def test_a_control_character_in_the_community_is_refused_and_the_views_keep_working(
    worker: httpx.Client, approver: httpx.Client
) -> None:
    refused = worker.post("/api/v1/cases", json=application(community="新闸\u0000社区"))

    body = problem(refused, 422)
    assert body["errors"][0]["field"] == "community"
    assert "control character" in body["detail"]
    # A later case is seen by the views: they did not stop at a bad event.
    case_id = to_noticed(worker, application())
    confirmed = approver.post(
        f"/api/v1/cases/{case_id}/confirm", json={"occurred_on": "2024-03-14"}
    )
    assert confirmed.status_code == 200, confirmed.text
    view = graphql(worker, CASE, confirmed.json()["position"], id=case_id)["case"]
    assert view["status"] == "active"
    assert view["timeline"][7]["eventType"] == "EligibilityConfirmed"  # then the July standard


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("home-visits", {"investigators": ["inv-a", "inv\u0000b"], "findings": "ok"},
         "investigators.1"),
        ("home-visits", {"investigators": ["inv-a", "inv-b"], "findings": "ok\u0007"}, "findings"),
        ("home-visits", {"investigators": ["inv-a", "inv-b"], "findings": "a\rb"}, "findings"),
    ],
)  # fmt: skip
def test_control_characters_are_refused_in_every_text_field(
    worker: httpx.Client, path: str, payload: dict[str, Any], field: str
) -> None:
    case_id = submit(worker)["id"]
    worker.post(f"/api/v1/cases/{case_id}/accept", json=STEPS[0][1]).raise_for_status()

    refused = worker.post(
        f"/api/v1/cases/{case_id}/{path}", json={"occurred_on": "2024-03-05", **payload}
    )

    assert problem(refused, 422)["errors"][0]["field"] == field


def test_free_text_keeps_line_feeds_and_tabs(worker: httpx.Client) -> None:
    case_id = submit(worker)["id"]
    worker.post(f"/api/v1/cases/{case_id}/accept", json=STEPS[0][1]).raise_for_status()

    visit = worker.post(
        f"/api/v1/cases/{case_id}/home-visits",
        json={"occurred_on": "2024-03-05", "investigators": ["inv-a", "inv-b"],
              "findings": "居住条件:\n\t与申报一致"},
    )  # fmt: skip

    assert visit.status_code == 200, visit.text


def test_a_temporary_request_with_a_control_character_is_refused(worker: httpx.Client) -> None:
    request = {
        "type": "EMERGENCY", "street": "新闸街道", "community": "庆丰\u001f社区",
        "occurred_on": "2024-03-04", "incident": "火灾",
        "members": [{"name": "测试甲", "id_number": new_id_number(), "relation": "self"}],
    }  # fmt: skip

    refused = worker.post("/api/v1/temporary-cases", json=request)

    assert problem(refused, 422)["errors"][0]["field"] == "community"


# -- bounds -----------------------------------------------------------------------------------


def test_an_overlong_investigator_id_is_refused(worker: httpx.Client) -> None:
    case_id = submit(worker)["id"]
    worker.post(f"/api/v1/cases/{case_id}/accept", json=STEPS[0][1]).raise_for_status()

    refused = worker.post(
        f"/api/v1/cases/{case_id}/home-visits",
        json={"occurred_on": "2024-03-05", "investigators": ["inv-a", "x" * 100_000],
              "findings": "ok"},
    )  # fmt: skip

    assert problem(refused, 422)["errors"][0]["field"] == "investigators.1"


def test_an_overlong_excluded_reason_is_refused(worker: httpx.Client) -> None:
    members = application()["members"] + [
        {"name": "测试乙", "id_number": new_id_number(), "relation": "child", "counted": False,
         "excluded_reason": "x" * 100_000},
    ]  # fmt: skip

    refused = worker.post("/api/v1/cases", json=application(members=members))

    body = problem(refused, 422)
    assert body["errors"][0]["field"] == "members.1.excluded_reason"
    assert "xxxx" not in refused.text  # the input is never echoed


def test_a_list_of_text_is_bounded(worker: httpx.Client) -> None:
    case_id = submit(worker)["id"]

    refused = worker.post(
        f"/api/v1/cases/{case_id}/deny",
        json={"occurred_on": "2024-03-05", "reasons": ["不符合条件"] * 51},
    )

    assert problem(refused, 422)["errors"][0]["field"] == "reasons"


# -- bodies the server cannot read ------------------------------------------------------------


@SQLITE_ONLY
def test_deeply_nested_json_to_a_command_is_a_problem(worker: httpx.Client) -> None:
    refused = worker.post(
        "/api/v1/cases", content=deep_json(5000), headers={"content-type": "application/json"}
    )

    body = problem(refused, 422)
    assert body["errors"] == [{"field": "body", "reason": "malformed JSON (nested too deeply)"}]


@SQLITE_ONLY
def test_invalid_utf8_to_a_command_is_a_problem(worker: httpx.Client) -> None:
    refused = worker.post(
        "/api/v1/cases", content=b'{"street": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )  # fmt: skip

    assert "UTF-8" in problem(refused, 422)["detail"]


@SQLITE_ONLY
def test_invalid_utf8_to_graphql_is_a_problem(worker: httpx.Client) -> None:
    refused = worker.post(
        "/graphql", content=b'{"query": "{ projectionStatus { name } }\xff"}',
        headers={"content-type": "application/json"},
    )  # fmt: skip

    assert "UTF-8" in problem(refused, 400)["detail"]


@SQLITE_ONLY
def test_deeply_nested_json_to_graphql_is_a_problem(worker: httpx.Client) -> None:
    refused = worker.post(
        "/graphql", content=deep_json(10_000), headers={"content-type": "application/json"}
    )

    assert "nested too deeply" in problem(refused, 400)["detail"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"", "application/json"), (b"{", "application/json"), (b"[]", "application/json"),
     (b'{"query": 5}', "application/json"), (b"query { x }", "text/plain"),
     (b'{"query": "{ projectionStatus { name } }", "variables": [1]}', "application/json"),
     (b'{"query": "{ projectionStatus { name } }", "variables": {"n": 1' + b"0" * 5000 + b"}}",
      "application/json")],
)  # fmt: skip
@SQLITE_ONLY
def test_a_graphql_request_it_cannot_read_is_a_problem(
    worker: httpx.Client, content: bytes, content_type: str
) -> None:
    refused = worker.post("/graphql", content=content, headers={"content-type": content_type})

    assert problem(refused, 400)["detail"]


@SQLITE_ONLY
def test_a_deeply_nested_graphql_query_is_a_graphql_error(worker: httpx.Client) -> None:
    query = "{" + " a {" * 5000 + " b" + " }" * 5000 + " }"

    answered = worker.post("/graphql", json={"query": query})

    assert answered.status_code == 200, answered.text
    assert "nested too deeply" in answered.json()["errors"][0]["message"]


def test_a_settlement_file_with_a_bare_carriage_return_is_refused(
    worker: httpx.Client, approver: httpx.Client
) -> None:
    started = approver.post("/api/v1/payroll-runs", json={"programme": "DIBAO", "month": "2024-04"})
    run_id = started.json()["id"]
    header = b"payout_id,status,amount_fen,bank_reference,reason\n"

    refused = approver.post(
        f"/api/v1/payroll-runs/{run_id}/settlement",
        content=header + b"00000000-0000-0000-0000-000000000001,settled\r,1,B1,\n",
        headers={"content-type": "text/csv"},
    )  # fmt: skip

    body = problem(refused, 422)
    assert body["field"] == "file"
    assert body["errors"][0]["line"] == 2


# -- other odd input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"", "application/json", 422),
        (b"null", "application/json", 422),
        (b"occurred_on=2024-03-01", "application/x-www-form-urlencoded", 422),
        (b"<xml/>", "text/xml", 422),
        (json.dumps({"occurred_on": "2024-03-05", "rigid_spending_fen": 10**40}).encode(),
         "application/json", 422),
        (b'{"occurred_on": "2024-03-05", "rigid_spending_fen": 1' + b"0" * 5000 + b"}",
         "application/json", 422),
        (b'{"occurred_on": "2024-03-05", "rigid_spending_fen": 1e400}', "application/json", 422),
        (b'{"occurred_on": "2024-03-05", "rigid_spending_fen": NaN}', "application/json", 422),
        (b'{"occurred_on": ["2024-03-05"], "supplements": "all"}', "application/json", 422),
    ],
)  # fmt: skip
@SQLITE_ONLY
def test_odd_bodies_to_a_command_are_problems_not_server_errors(
    worker: httpx.Client, content: bytes, content_type: str, status: int
) -> None:
    case_id = submit(worker)["id"]

    refused = worker.post(
        f"/api/v1/cases/{case_id}/assessment", content=content,
        headers={"content-type": content_type},
    )  # fmt: skip

    assert problem(refused, status)["detail"]


@SQLITE_ONLY
def test_an_unknown_path_is_a_problem(worker: httpx.Client) -> None:
    assert problem(worker.post("/api/v1/no-such-thing", json={}), 404)
    assert problem(worker.get("/api/v1/cases"), 405)


@SQLITE_ONLY
def test_an_overlong_warning_id_in_the_path_is_refused(worker: httpx.Client) -> None:
    case_id = submit(worker)["id"]

    refused = worker.post(
        f"/api/v1/cases/{case_id}/warnings/{'w' * 200}/resolve",
        json={"occurred_on": "2024-03-05", "resolution": "已核实"},
    )

    assert problem(refused, 422)["errors"][0]["field"] == "warning_id"
