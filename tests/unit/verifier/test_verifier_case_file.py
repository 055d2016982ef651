"""A case file verifies offline with the bureau's public key alone, and no part can be forged."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.merkle_writer import Signer, audit_path, b64, leaf_of, mth
from verifier.case_file import verify_case_file
from verifier.note import VerifierKey

CASE = uuid4()
SIGNER = Signer()
KEY = VerifierKey.parse(SIGNER.verifier_key())


def _log() -> tuple[list[tuple[int, UUID, int, str, bytes]], list[bytes]]:
    rows, case_version = [], 0
    for i in range(13):
        aggregate = CASE if i % 3 == 0 else uuid4()
        case_version += aggregate == CASE
        version = case_version if aggregate == CASE else 1  # the case's versions: 1, 2, 3, ...
        rows.append((i * 2 + 1, aggregate, version, "domain.assistance:Case.Event", b"s%d" % i))
    return rows, [leaf_of(*row) for row in rows]


def case_file(size: int = 13) -> dict[str, Any]:
    rows, leaves = _log()
    events = []
    for index, (position, aggregate, version, topic, state) in enumerate(rows[:size]):
        if aggregate != CASE:
            continue
        events.append({
            "position": position, "leaf_index": index, "aggregate_id": str(aggregate),
            "version": version, "topic": topic, "state_b64": b64(state),
            "leaf_hash": b64(leaves[index]),
            "proof": [b64(h) for h in audit_path(index, leaves[:size])],
            "type": "Event", "actor": "worker-1", "data": {},
        })  # fmt: skip
    return {
        "format": "caseledger/case-file@v1", "case_id": str(CASE), "exported_at": "2024-01-01",
        "as_of": None, "tree_size": size,
        "checkpoint": SIGNER.checkpoint(size, mth(leaves[:size])),
        "public_key": SIGNER.verifier_key(), "events": events, "state": {},
    }  # fmt: skip


def test_an_exported_case_file_verifies_offline() -> None:
    report = verify_case_file(json.dumps(case_file()), KEY)
    assert report.ok, report.problem
    assert (report.case_id, report.events) == (str(CASE), 5)


def _flip(text: str) -> str:
    data = base64.b64decode(text)
    return b64(bytes([data[0] ^ 1]) + data[1:])


def _set(n: int, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda f: f["events"][n].__setitem__(field, value)


def _other_tree_proof(f: dict[str, Any]) -> None:
    other = [hashlib.sha256(b"%d" % i).digest() for i in range(13)]
    other[3] = base64.b64decode(f["events"][1]["leaf_hash"])
    f["events"][1]["proof"] = [b64(h) for h in audit_path(3, other)]


def _rehashed_edit(f: dict[str, Any]) -> None:
    """Edited bytes with the leaf hash recomputed to match: only the proof can tell."""
    e = f["events"][1]
    e["state_b64"] = b64(b"edited")
    e["leaf_hash"] = b64(
        leaf_of(e["position"], UUID(e["aggregate_id"]), e["version"], e["topic"], b"edited")
    )


FORGERIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "index": _set(1, "leaf_index", 4),
    "position": _set(1, "position", 8),
    "version": _set(1, "version", 9),
    "topic": _set(1, "topic", "domain.assistance:Case.Other"),
    "aggregate": _set(1, "aggregate_id", str(uuid4())),
    "event bytes": _set(1, "state_b64", b64(b"edited")),
    "event bytes and their leaf hash": _rehashed_edit,
    "leaf hash": lambda f: f["events"][1].__setitem__(
        "leaf_hash", _flip(f["events"][1]["leaf_hash"])
    ),
    "each hash": lambda f: f["events"][1]["proof"].__setitem__(
        2, _flip(f["events"][1]["proof"][2])
    ),
    "an extra hash": lambda f: f["events"][1]["proof"].append(f["events"][1]["proof"][0]),
    "a missing hash": lambda f: f["events"][1]["proof"].pop(),
    "a proof from another tree": _other_tree_proof,
    "tree size": lambda f: f.__setitem__("checkpoint", f["checkpoint"].replace("\n13\n", "\n14\n")),
    "root": lambda f: f.__setitem__("checkpoint", SIGNER.checkpoint(13, b"r" * 32)),
    "origin": lambda f: f.__setitem__(
        "checkpoint", f["checkpoint"].replace(SIGNER.origin + "\n", "caseledger.evil/1\n", 1)
    ),
    "signature": lambda f: f.__setitem__("checkpoint", Signer().checkpoint(13, b"r" * 32)),
    "a checkpoint of a smaller tree": lambda f: f.__setitem__(
        "checkpoint", case_file(10)["checkpoint"]
    ),
    "order": lambda f: f["events"].reverse(),
    "a boolean index": _set(0, "leaf_index", False),
    "a string version": _set(1, "version", "2"),
    "the tree_size field": lambda f: f.__setitem__("tree_size", 12),
    "the format": lambda f: f.__setitem__("format", "caseledger/case-file@v2"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_case_file_is_refused(forgery: str) -> None:
    document = copy.deepcopy(case_file())
    FORGERIES[forgery](document)
    report = verify_case_file(json.dumps(document), KEY)
    assert not report.ok and report.problem


def test_a_case_file_with_an_impostors_key_in_it_is_judged_by_the_auditors_key() -> None:
    impostor = Signer()
    document = case_file()
    document["public_key"] = impostor.verifier_key()
    report = verify_case_file(json.dumps(document), KEY)
    assert report.ok and report.notes == ["the file names another public key; yours was used"]
    assert not verify_case_file(json.dumps(document), VerifierKey.parse(impostor.verifier_key())).ok


def test_a_case_file_that_is_not_json_is_refused_with_a_reason() -> None:
    assert "not JSON" in (verify_case_file("{", KEY).problem or "")


def test_ledger_verify_checks_a_case_file_offline(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import cli

    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_file()))
    args = ["verify", "--case-file", str(path), "--public-key", SIGNER.verifier_key()]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"case {CASE}: 5 events verified" in result.output
    document = case_file()
    _rehashed_edit(document)
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "FAILED: position 7 (leaf 3)" in result.output


def test_a_case_file_that_leaves_out_an_event_or_the_case_is_refused() -> None:
    file = case_file()
    del file["events"][2]  # the case's version 3
    report = verify_case_file(json.dumps(file), KEY)
    assert not report.ok and "left out" in str(report.problem)
    other = case_file()
    other["case_id"] = str(uuid4())  # the same events, claimed for another case
    report = verify_case_file(json.dumps(other), KEY)
    assert not report.ok and "none of the case's own events" in str(report.problem)
    bare = case_file()
    del bare["tree_size"]
    assert not verify_case_file(json.dumps(bare), KEY).ok
