"""The verifiable log over real HTTP: checkpoint and public key without a token, proofs with
any role's token, each checked here independently (cryptography and hashlib), and every bad
request a problem+json: 422 bad numbers, 404 unknown, 503 with Retry-After not sealed yet."""

from __future__ import annotations

import base64
import hashlib
import time

import httpx
import pytest
from builders import WORKER, application, walk_to_active
from conftest import serving
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from http_helpers import graphql, problem

from api.container import Container
from domain.ledger import Ledger
from projections.chain.tree import node_hash, verify_consistency, verify_inclusion

pytestmark = pytest.mark.e2e


def checked_note(note: str, key: str) -> tuple[str, int, bytes]:
    """Verify a signed checkpoint with a verifier key, from the formats alone."""
    name, key_id, encoded = key.strip().split("+", 2)
    public = base64.b64decode(encoded)[1:]
    assert hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4].hex() == key_id
    text, signature_line = note.split("\n\n")
    dash, signer, signature = signature_line.rstrip("\n").split(" ")
    raw = base64.b64decode(signature)
    assert dash == "\u2014" and signer == name and raw[:4].hex() == key_id
    Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], (text + "\n").encode())
    origin, size, root = text.split("\n")
    return origin, int(size), base64.b64decode(root)


def latest_note(client: httpx.Client) -> str:
    deadline = time.monotonic() + 10
    while (answer := client.get("/api/v1/ledger/checkpoint")).status_code == 404:
        assert time.monotonic() < deadline, "no checkpoint was signed"
        time.sleep(0.05)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return answer.text


def hashes(lines: list[str]) -> list[bytes]:
    return [base64.b64decode(line) for line in lines]


def test_checkpoint_and_public_key_are_public_and_the_note_verifies(
    anonymous: httpx.Client, ledger: Ledger
) -> None:
    key = anonymous.get("/api/v1/ledger/public-key")
    assert key.status_code == 200 and key.headers["content-type"].startswith("text/plain")
    origin, size, root = checked_note(latest_note(anonymous), key.text)
    assert origin == "caseledger.local/320404" and size >= 1 and len(root) == 32


def test_an_inclusion_proof_checks_out_against_the_signed_root(
    worker: httpx.Client, anonymous: httpx.Client, ledger: Ledger, container: Container
) -> None:
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    container.runner.run_once()
    container.checkpointer.cut()
    key = anonymous.get("/api/v1/ledger/public-key").text
    position = ledger.latest_position() - 3
    assert problem(anonymous.get(f"/api/v1/ledger/proof/inclusion?position={position}"), 401)
    answer = worker.get(f"/api/v1/ledger/proof/inclusion?position={position}")
    assert answer.status_code == 200, answer.text
    proof, note = answer.text.split("\n\n", 1)
    header, index_line, *path = proof.split("\n")
    assert header == "c2sp.org/tlog-proof@v1" and index_line.startswith("index ")
    index = int(index_line.removeprefix("index "))
    _, size, root = checked_note(note, key)
    leaf = bytes(
        container.db.scalar("SELECT leaf_hash FROM merkle_leaves WHERE position = %s", (position,))
    )
    assert verify_inclusion(index, size, leaf, hashes(path), root)
    assert not verify_inclusion(index, size, node_hash(leaf, leaf), hashes(path), root)

    # Against an older checkpoint, by its size.
    first = container.db.scalar("SELECT MIN(tree_size) FROM merkle_checkpoints")
    early = worker.get(f"/api/v1/ledger/proof/inclusion?position=1&tree_size={first}")
    assert early.status_code == 200, early.text
    proof, note = early.text.split("\n\n", 1)
    _, size, root = checked_note(note, key)
    first_leaf = bytes(
        container.db.scalar("SELECT leaf_hash FROM merkle_leaves WHERE position = 1")
    )
    assert size == first and verify_inclusion(
        0, size, first_leaf, hashes(proof.split("\n")[2:]), root
    )


def test_a_consistency_proof_links_two_signed_checkpoints(
    worker: httpx.Client, anonymous: httpx.Client, ledger: Ledger, container: Container
) -> None:
    key = anonymous.get("/api/v1/ledger/public-key").text
    _, old, old_root = checked_note(latest_note(anonymous), key)
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    container.runner.run_once()
    container.checkpointer.cut()
    _, new, new_root = checked_note(latest_note(anonymous), key)
    assert new > old
    assert problem(anonymous.get(f"/api/v1/ledger/proof/consistency?from={old}&to={new}"), 401)
    answer = worker.get(f"/api/v1/ledger/proof/consistency?from={old}&to={new}")
    assert answer.status_code == 200, answer.text
    proof, note = answer.text.split("\n\n", 1)
    header, from_line, to_line, *lines = proof.split("\n")
    assert (header, from_line, to_line) == ("caseledger/consistency@v1", f"from {old}", f"to {new}")
    assert checked_note(note, key)[1:] == (new, new_root)
    assert verify_consistency(old, new, old_root, new_root, hashes(lines))
    assert not verify_consistency(old, new, new_root, new_root, hashes(lines))


def test_bad_unknown_and_unsealed_requests_are_problems(
    worker: httpx.Client, ledger: Ledger, container: Container
) -> None:
    container.runner.run_once()  # sealed and signed up to here
    path = "/api/v1/ledger/proof/inclusion"
    huge = 2**63  # past a BIGINT: SQLite cannot even bind it
    for bad in ("position=0", "position=abc", "position=1&tree_size=0", "",
                f"position={huge}", f"position=1&tree_size={huge}"):  # fmt: skip
        assert problem(worker.get(f"{path}?{bad}"), 422)["errors"][0]["field"] in (
            "position", "tree_size",
        )  # fmt: skip
    assert problem(worker.get(f"{path}?position=999999"), 404)["field"] == "position"
    assert problem(worker.get(f"{path}?position=1&tree_size=999999"), 404)["field"] == "tree_size"
    consistency = "/api/v1/ledger/proof/consistency"
    assert problem(worker.get(f"{consistency}?from=5&to=2"), 422)["field"] == "from"
    assert problem(worker.get(f"{consistency}?from=1&to=999999"), 404)["field"] == "to"
    assert problem(worker.get(f"{consistency}?from=-1&to=2"), 422)
    assert problem(worker.get(f"{consistency}?from=0&to={huge}"), 422)["errors"][0]["field"] == "to"

    container.runner.stop()  # recorded, not sealed yet: ask again shortly
    sealed = ledger.latest_position()
    ledger.submit_application(application(), WORKER)
    behind = ledger.latest_position() - sealed
    unsealed = worker.get(f"{path}?position={ledger.latest_position()}")
    assert problem(unsealed, 503)["code"] == "not_sealed_yet"
    assert unsealed.headers["Retry-After"] == "1"
    metrics = worker.get("/metrics").text
    assert f"caseledger_seal_lag_events {behind}\n" in metrics
    assert "caseledger_seal_lag_seconds " in metrics
    assert f'ledger_projection_lag{{projection="merkle_log"}} {behind}\n' in metrics


def test_no_checkpoint_yet_is_a_404_problem(container: Container) -> None:
    with serving(container) as base, httpx.Client(base_url=base) as client:
        assert problem(client.get("/api/v1/ledger/checkpoint"), 404)["code"] == "not_found"


def test_openapi_describes_the_log_as_text(anonymous: httpx.Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for name in ("checkpoint", "public-key", "proof/inclusion", "proof/consistency"):
        answers = paths[f"/api/v1/ledger/{name}"]["get"]["responses"]
        assert "text/plain" in answers["200"]["content"]
    inclusion = paths["/api/v1/ledger/proof/inclusion"]["get"]
    assert {"401", "404", "422", "503"} <= set(inclusion["responses"])
    assert {p["name"] for p in inclusion["parameters"]} >= {"position", "tree_size"}
    consistency = paths["/api/v1/ledger/proof/consistency"]["get"]
    assert {p["name"] for p in consistency["parameters"]} >= {"from", "to"}


CHECKPOINTS = """query($after: String) { checkpoints(first: 1, after: $after) {
  totalCount edges { cursor node { treeSize rootHash signedAt note } }
  pageInfo { hasNextPage endCursor } } }"""


def test_graphql_lists_the_checkpoints_newest_first(
    supervisor: httpx.Client, anonymous: httpx.Client, ledger: Ledger, container: Container
) -> None:
    container.runner.run_once()
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    container.runner.run_once()
    container.checkpointer.cut()
    key = anonymous.get("/api/v1/ledger/public-key").text
    first = graphql(supervisor, CHECKPOINTS)["checkpoints"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    newest = first["edges"][0]["node"]
    assert checked_note(newest["note"], key)[1:] == (
        newest["treeSize"], base64.b64decode(newest["rootHash"]),
    )  # fmt: skip
    second = graphql(supervisor, CHECKPOINTS, after=first["pageInfo"]["endCursor"])["checkpoints"]
    older = second["edges"][0]["node"]
    assert older["treeSize"] < newest["treeSize"] and not second["pageInfo"]["hasNextPage"]
    assert problem(anonymous.post("/graphql", json={"query": CHECKPOINTS}), 401)
