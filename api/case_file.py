"""The case file (docs/verifiable-log.md): a case's events and its payouts', each with its
stored bytes, leaf index, leaf hash and inclusion proof against one signed checkpoint, and
the case's state as of a time; event data shown through the permissions module.

An auditor checks it offline with the bureau's public key alone: every leaf recomputed from
`state_b64` and the envelope, every proof against the checkpoint's root, its signature.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from api import access_record
from api.case_history import case_state, event_data
from api.container import Container
from api.permissions import Disclosure, Subject
from domain.payroll.payout import payout_id
from domain.shared.access import check_street
from domain.shared.errors import DomainError
from projections.chain import checkpoints, events, nodes, proofs
from projections.chain.checkpoints import CheckpointRefused, Stored
from projections.chain.sealer import NAME

FORMAT = "caseledger/case-file@v1"


class LogStopped(DomainError):
    """The signer refused the tree: no case file can be proved until it is repaired (503)."""

    status = 503
    default_code = "log_stopped"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _aggregates(container: Container, case_id: UUID) -> list[UUID]:
    """The case and its payouts: ids from the payouts view and derived for every run's month."""
    db = container.db
    listed = db.query("SELECT payout_id FROM payouts WHERE case_id = %s", (str(case_id),))
    months = db.query("SELECT DISTINCT month FROM payroll_runs")
    found = {UUID(r["payout_id"]) for r in listed}
    found |= {payout_id(case_id, r["month"]) for r in months}
    return [case_id, *sorted(found)]


def _covering(container: Container, last_position: int) -> Stored:
    """The latest checkpoint, sealed and signed first if it does not hold the case's last event."""
    db = container.db
    if NAME in container.runner.failed:  # refused to sign: the export does not go around it
        raise LogStopped("the verifiable log stopped; projectionStatus (merkle_log) says why")
    leaf = nodes.leaf_at(db, last_position)
    try:
        if leaf is None:
            container.sealer.run_once()
            leaf = nodes.leaf_at(db, last_position)
        latest = checkpoints.latest(db)
        if leaf is not None and (latest is None or latest.tree_size <= leaf[0]):
            container.checkpointer.cut()
            latest = checkpoints.latest(db)  # ours, or one another runner signed just now
    except CheckpointRefused:
        raise LogStopped("the verifiable log refused to sign; the log says why") from None
    if leaf is None or latest is None or latest.tree_size <= leaf[0]:
        raise proofs.NotYet("id", "the case's events are not sealed yet")
    return latest


def case_file(
    container: Container, case_id: UUID, disclosure: Disclosure, as_of: datetime | None = None
) -> dict[str, Any]:
    """The file as JSON data; reads in full are recorded before it is returned."""
    ledger = container.ledger
    case = ledger.get_case(case_id)  # NotFound: 404
    check_street(disclosure.actor, case.street, "case")
    state = case_state(ledger, case_id, as_of)
    rows = events.of_aggregates(container.db, _aggregates(container, case_id))
    checkpoint = _covering(container, rows[-1].position)
    leaves = nodes.leaves_at(container.db, [r.position for r in rows])
    subject = Subject(case_id=str(case_id))
    listed = []
    for row in rows:
        index, leaf_hash = leaves[row.position]
        event = ledger.mapper.to_domain_event(
            StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
        )
        path = proofs.audit_path(container.db, index, checkpoint.tree_size)
        occurred = getattr(event, "occurred_on", None)
        listed.append(
            {
                "position": row.position,
                "leaf_index": index,
                "aggregate_id": str(row.originator_id),
                "version": row.originator_version,
                "topic": row.topic,
                "state_b64": _b64(row.state),
                "leaf_hash": _b64(leaf_hash),
                "proof": [_b64(h) for h in path],
                "type": type(event).__name__,
                "actor": getattr(event, "actor", None),
                "occurred_on": str(occurred) if occurred is not None else None,
                "recorded_at": getattr(event, "timestamp").astimezone(UTC).isoformat(),  # noqa: B009
                "data": disclosure.redact(event_data(event), subject),
            }
        )
    access_record.write(container.db, disclosure)
    return {
        "format": FORMAT,
        "case_id": str(case_id),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat() if as_of else None,
        "tree_size": checkpoint.tree_size,
        "checkpoint": checkpoint.note,
        "public_key": container.checkpointer.signer.verifier.text(),
        "events": listed,
        "state": state,
    }
