"""The proofs' text formats (docs/verifiable-log.md): C2SP tlog-proof and our consistency proof.

Each answer is planned as ranges, read from the stored nodes in one query, and ends with the
signed checkpoint it is against, so an auditor checks it with the bureau's public key alone.
"""

from __future__ import annotations

import base64

from projections import tracking
from projections.chain import checkpoints, nodes
from projections.chain.sealer import NAME
from projections.chain.tree import consistency_ranges, heads, inclusion_ranges
from projections.store import Database

INCLUSION = "c2sp.org/tlog-proof@v1"
CONSISTENCY = "caseledger/consistency@v1"


class ProofUnavailable(Exception):
    """Why no proof can be given; `field` names the parameter at fault."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class NotFound(ProofUnavailable):
    """No such event, or no checkpoint of that size."""


class Invalid(ProofUnavailable):
    """The numbers cannot describe a proof (e.g. from > to)."""


class NotYet(ProofUnavailable):
    """Recorded but not sealed or not covered by a checkpoint yet: ask again in a moment."""


def _lines(hashes: list[bytes]) -> str:
    return "".join(base64.b64encode(h).decode() + "\n" for h in hashes)


def audit_path(db: Database, leaf_index: int, tree_size: int) -> list[bytes]:
    return heads(inclusion_ranges(leaf_index, tree_size), nodes.reader(db))


def inclusion(db: Database, position: int, tree_size: int | None = None) -> str:
    """The tlog-proof of the event at `position`, against the latest checkpoint holding it."""
    leaf = nodes.leaf_at(db, position)
    if leaf is None:
        if position > tracking.position(db, NAME) and _recorded(db, position):
            raise NotYet("position", "the event is recorded but not sealed yet")
        raise NotFound("position", "no stored event has this position")
    index, _ = leaf
    if tree_size is not None:
        checkpoint = checkpoints.of_size(db, tree_size)
        if checkpoint is None:
            raise NotFound("tree_size", "no checkpoint has this tree size")
        if index >= tree_size:
            raise Invalid("tree_size", "the event is not in the tree of this size")
    else:
        checkpoint = checkpoints.covering(db, index)
        if checkpoint is None:
            raise NotYet("position", "no checkpoint covers the event yet")
    path = audit_path(db, index, checkpoint.tree_size)
    return f"{INCLUSION}\nindex {index}\n{_lines(path)}\n{checkpoint.note}"


def consistency(db: Database, old: int, new: int) -> str:
    """RFC 9162 2.1.4 proof that the tree of size `new` extends the tree of size `old`."""
    if old > new:
        raise Invalid("from", "from must not exceed to")
    checkpoint = checkpoints.of_size(db, new)
    if checkpoint is None:
        raise NotFound("to", "no checkpoint has this tree size")
    proof = heads(consistency_ranges(old, new), nodes.reader(db))
    return f"{CONSISTENCY}\nfrom {old}\nto {new}\n{_lines(proof)}\n{checkpoint.note}"


def _recorded(db: Database, position: int) -> bool:
    """Whether the event table holds this position (either backend)."""
    if db.dialect == "postgres":
        sql = "SELECT 1 FROM ledger_events WHERE notification_id = %s"
    else:
        sql = "SELECT 1 FROM stored_events WHERE rowid = %s"
    return db.scalar(sql, (position,)) is not None
