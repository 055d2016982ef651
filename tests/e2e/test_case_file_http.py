"""The case file over real HTTP: the case's and its payouts' events with their stored bytes and
proofs, checked here against the signed checkpoint from the formats alone (hashlib and
cryptography); masks, X-Purpose and the access record exactly as GraphQL's caseHistory."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any
from uuid import UUID

import httpx
import pytest
from builders import WORKER, application
from conftest import client_for
from http_helpers import PURPOSE, ok, post, problem
from test_http import to_noticed
from test_ledger_log_http import checked_note

from api.container import Container
from projections.chain.tree import verify_inclusion

pytestmark = pytest.mark.e2e
ACCOUNT = "6222020200112233445"


def lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def leaf_of(event: dict[str, Any]) -> bytes:
    """The leaf hash from the file's own fields, as docs/verifiable-log.md defines it."""
    body = (
        lp(b"caseledger/leaf/v1") + struct.pack(">Q", event["position"])
        + lp(UUID(event["aggregate_id"]).bytes) + struct.pack(">Q", event["version"])
        + lp(event["topic"].encode()) + lp(base64.b64decode(event["state_b64"]))
    )  # fmt: skip
    return hashlib.sha256(b"\x00" + body).digest()


def check_file(case_file: dict[str, Any], key: str) -> None:
    """What an auditor does offline with the bureau's public key."""
    _, size, root = checked_note(case_file["checkpoint"], key)
    assert size == case_file["tree_size"]
    for event in case_file["events"]:
        leaf = leaf_of(event)
        assert base64.b64encode(leaf).decode() == event["leaf_hash"]
        path = [base64.b64decode(h) for h in event["proof"]]
        assert verify_inclusion(event["leaf_index"], size, leaf, path, root)


@pytest.fixture
def paid_case(worker: httpx.Client, approver: httpx.Client) -> str:
    case_id = to_noticed(worker, application(payee_account=ACCOUNT))
    ok(post(approver, f"/api/v1/cases/{case_id}/confirm", {"occurred_on": "2024-03-14"}))
    ok(post(approver, "/api/v1/payroll-runs", {"programme": "DIBAO", "month": "2024-04"}), 201)
    return case_id


def records(container: Container) -> list[dict[str, Any]]:
    return container.db.query("SELECT user_id, role, case_id, purpose FROM personal_data_access")


def test_the_case_file_holds_the_case_and_its_payouts_each_provably_in_the_log(
    paid_case: str, approver: httpx.Client, anonymous: httpx.Client, container: Container
) -> None:
    container.runner.run_once()  # the payouts view knows the payout
    answer = approver.get(f"/api/v1/cases/{paid_case}/export", headers={"X-Purpose": PURPOSE})
    case_file = ok(answer)
    assert case_file["format"] == "caseledger/case-file@v1" and case_file["case_id"] == paid_case
    types = [e["type"] for e in case_file["events"]]
    assert "Submitted" in types[0] and any("Scheduled" in t for t in types)
    assert {e["aggregate_id"] for e in case_file["events"]} - {paid_case}  # a payout's too
    positions = [e["position"] for e in case_file["events"]]
    assert positions == sorted(positions)
    assert case_file["state"]["status"] == "active"
    key = anonymous.get("/api/v1/ledger/public-key").text
    assert case_file["public_key"] == key.strip()
    check_file(case_file, key)

    # Tampering with the file is caught offline: one stored byte changed breaks its proof.
    forged = dict(case_file["events"][0])
    state = bytearray(base64.b64decode(forged["state_b64"]))
    state[-2] ^= 1
    forged["state_b64"] = base64.b64encode(bytes(state)).decode()
    with pytest.raises(AssertionError):
        check_file({**case_file, "events": [forged]}, key)


def test_the_state_as_of_a_time_is_the_case_as_recorded_then(
    paid_case: str, worker: httpx.Client, container: Container
) -> None:
    first = container.ledger.case_events(UUID(paid_case))[0].timestamp
    then = worker.get(
        f"/api/v1/cases/{paid_case}/export",
        params={"as_of": first.isoformat()}, headers={"X-Purpose": PURPOSE},
    )  # fmt: skip
    early = ok(then)
    assert early["state"]["version"] == 1 and early["state"]["status"] != "active"
    assert early["as_of"] is not None


def test_masks_purpose_and_the_access_record_as_graphql(
    paid_case: str, worker: httpx.Client, supervisor: httpx.Client, container: Container,
    admin: httpx.Client,
) -> None:  # fmt: skip
    path = f"/api/v1/cases/{paid_case}/export"
    assert problem(worker.get(path), 400)["code"] == "PURPOSE_REQUIRED"
    assert records(container) == []
    assert (
        problem(worker.get(path, headers={"X-Purpose": "x" * 201}), 400)["code"]
        == "PURPOSE_INVALID"
    )

    full = ok(worker.get(path, headers={"X-Purpose": PURPOSE}))
    submitted = full["events"][0]["data"]
    assert ACCOUNT in str(submitted)
    rows = records(container)
    assert len(rows) == 1 and rows[0]["case_id"] == paid_case and rows[0]["purpose"] == PURPOSE

    masked = ok(supervisor.get(path))  # a supervisor sees masks, and needs no purpose
    assert ACCOUNT not in str(masked) and ACCOUNT[-4:] in str(masked["events"][0]["data"])
    assert len(records(container)) == 1

    assert problem(admin.get(path), 403)["code"] == "role_not_allowed"


def test_another_street_an_unknown_case_and_a_bad_id_are_refused(
    paid_case: str, settings: Any, server: str
) -> None:

    with client_for(server, settings, "caseworker", "worker-2", street="南大街街道") as other:
        assert problem(other.get(f"/api/v1/cases/{paid_case}/export"), 403)["code"] == (
            "street_scope"
        )
        unknown = other.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/export")
        assert problem(unknown, 404)
        assert problem(other.get("/api/v1/cases/not-a-uuid/export"), 422)
    with httpx.Client(base_url=server) as anonymous:
        assert problem(anonymous.get(f"/api/v1/cases/{paid_case}/export"), 401)


def test_no_case_file_while_the_log_refuses_to_sign(
    paid_case: str, supervisor: httpx.Client, container: Container
) -> None:
    container.runner.run_once()
    with container.db.transaction() as tx:  # the tree changed below the signed checkpoint
        tx.execute("UPDATE merkle_nodes SET hash = %s", (b"\0" * 32,))
        tx.execute("UPDATE merkle_leaves SET leaf_hash = %s", (b"\0" * 32,))
    container.checkpointer.every = 1  # due at once
    container.ledger.submit_application(application(), WORKER)
    container.runner.run_once()
    assert "not consistent" in container.runner.failed["merkle_log"]
    answer = supervisor.get(f"/api/v1/cases/{paid_case}/export")
    assert problem(answer, 503)["code"] == "log_stopped"
