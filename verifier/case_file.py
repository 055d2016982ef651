"""The offline check of an exported case file against a public key the auditor holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from verifier.canonical import StoredEvent
from verifier.encoding import Malformed, b64, b64_hash
from verifier.note import BadSignature, Checkpoint, VerifierKey
from verifier.proofs import ProofFailed, verify_inclusion

FORMAT = "caseledger/case-file@v1"


@dataclass
class CaseFileReport:
    case_id: str = ""
    events: int = 0
    checkpoint: Checkpoint | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _int(event: dict[str, Any], name: str, where: str) -> int:
    value = event.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Malformed(f"{where}: '{name}' is not a non-negative 64-bit integer")
    return value


def _str(event: dict[str, Any], name: str, where: str) -> str:
    value = event.get(name)
    if not isinstance(value, str):
        raise Malformed(f"{where}: '{name}' is not a string")
    return value


def _event(raw: object, n: int) -> tuple[StoredEvent, int, bytes, list[bytes]]:
    """One exported event as its stored row, its leaf index, its claimed leaf and its proof."""
    where = f"event {n}"
    if not isinstance(raw, dict):
        raise Malformed(f"{where} is not an object")
    position = _int(raw, "position", where)
    where = f"event {n} (position {position})"
    try:
        aggregate_id = UUID(_str(raw, "aggregate_id", where)).bytes
    except ValueError:
        raise Malformed(f"{where}: 'aggregate_id' is not a UUID") from None
    stored = StoredEvent(
        position, aggregate_id, _int(raw, "version", where), _str(raw, "topic", where),
        b64(_str(raw, "state_b64", where), f"{where}'s state_b64"),
    )  # fmt: skip
    proof = raw.get("proof")
    if not isinstance(proof, list) or not all(isinstance(h, str) for h in proof):
        raise Malformed(f"{where}: 'proof' is not a list of base64 hashes")
    path = [b64_hash(h, f"{where}'s proof hash {i}") for i, h in enumerate(proof, 1)]
    claimed = b64_hash(_str(raw, "leaf_hash", where), f"{where}'s leaf_hash")
    return stored, _int(raw, "leaf_index", where), claimed, path


def verify_case_file(text: str, key: VerifierKey) -> CaseFileReport:
    """Each event's bytes hash to its leaf, each leaf is in the signed checkpoint's tree."""
    report = CaseFileReport()
    try:
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise Malformed(f"not a case file: its format is not {FORMAT}")
        report.case_id = _str(document, "case_id", "the case file")
        try:
            case = UUID(report.case_id).bytes
        except ValueError:
            raise Malformed("the case file's case_id is not a UUID") from None
        checkpoint = Checkpoint.verify(_str(document, "checkpoint", "the case file"), key)
        report.checkpoint = checkpoint
        if document.get("tree_size") != checkpoint.tree_size:
            raise ProofFailed("the file's tree_size is not its checkpoint's tree size")
        if document.get("public_key") != key.spelled():
            report.notes.append("the file names another public key; yours was used")
        events = document.get("events")
        if not isinstance(events, list):
            raise Malformed("the case file's 'events' is not a list")
        last: tuple[int, int] | None = None
        versions: dict[bytes, int] = {}  # each aggregate's events, from version 1, none left out
        for n, raw in enumerate(events, 1):
            stored, index, claimed, path = _event(raw, n)
            where = f"position {stored.position} (leaf {index})"
            if last is not None and (stored.position <= last[0] or index <= last[1]):
                raise ProofFailed(f"{where}: events are not in position and leaf order")
            last = (stored.position, index)
            expected = versions.get(stored.aggregate_id, 0) + 1
            if stored.version != expected:
                raise ProofFailed(
                    f"{where}: version {stored.version} of its aggregate where {expected} is due:"
                    " an event of the file was left out"
                )
            versions[stored.aggregate_id] = expected
            digest = stored.leaf_hash()
            if digest != claimed:
                raise ProofFailed(f"{where}: the stored bytes do not hash to its leaf_hash")
            try:
                verify_inclusion(index, checkpoint.tree_size, digest, path, checkpoint.root_hash)
            except ProofFailed as e:
                raise ProofFailed(f"{where}: {e}") from None
            report.events += 1
        if case not in versions:
            raise ProofFailed("the file holds none of the case's own events")
    except json.JSONDecodeError as e:
        report.problem = f"not JSON: {e.msg} at line {e.lineno}"
    except (Malformed, BadSignature, ProofFailed) as e:
        report.problem = str(e)
    return report
