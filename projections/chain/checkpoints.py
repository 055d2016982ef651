"""Cutting signed checkpoints after sealing, only over a tree consistent with the last one.

Before it signs, the signer checks the previous checkpoint's signature with its own key and
that its stored root is the one its note names, then computes a consistency proof from the
stored nodes and verifies it against that root: a tree rewritten under the bureau's feet is
refused (the process stops, projectionStatus says why) instead of being signed over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from projections import tracking
from projections.chain import nodes
from projections.chain.memory import Forgotten, SignerMemory
from projections.chain.sealer import NAME
from projections.chain.signer import BadNote, Checkpoint, Signer
from projections.chain.tree import consistency_ranges, heads, root, verify_consistency
from projections.store import Database, Row, Tx

log = logging.getLogger("caseledger.chain")


class CheckpointRefused(Exception):
    """The tree or the stored checkpoints do not add up: nothing is signed (hashes only)."""


@dataclass(frozen=True)
class Stored:
    """One row of merkle_checkpoints."""

    tree_size: int
    root_hash: bytes
    note: str
    signed_at: str


def _stored(row: Row) -> Stored:
    return Stored(
        int(row["tree_size"]), bytes(row["root_hash"]), str(row["note"]), str(row["signed_at"])
    )


_COLUMNS = "tree_size, root_hash, note, signed_at"


def latest(source: Database | Tx) -> Stored | None:
    rows = source.query(
        f"SELECT {_COLUMNS} FROM merkle_checkpoints ORDER BY tree_size DESC LIMIT 1"
    )
    return _stored(rows[0]) if rows else None


def of_size(source: Database | Tx, size: int) -> Stored | None:
    rows = source.query(f"SELECT {_COLUMNS} FROM merkle_checkpoints WHERE tree_size = %s", (size,))
    return _stored(rows[0]) if rows else None


def covering(source: Database | Tx, leaf_index: int) -> Stored | None:
    """The latest checkpoint whose tree contains this leaf."""
    rows = source.query(
        f"SELECT {_COLUMNS} FROM merkle_checkpoints WHERE tree_size > %s"
        " ORDER BY tree_size DESC LIMIT 1",
        (leaf_index,),
    )
    return _stored(rows[0]) if rows else None


def page(source: Database | Tx, first: int, after: int | None) -> list[Stored]:
    """Newest first, below the tree size `after` (a cursor), `first` of them."""
    bound = " WHERE tree_size < %s" if after is not None else ""
    params = ([after] if after is not None else []) + [first]
    rows = source.query(
        f"SELECT {_COLUMNS} FROM merkle_checkpoints{bound} ORDER BY tree_size DESC LIMIT %s",
        params,
    )
    return [_stored(r) for r in rows]


def _now() -> datetime:
    return datetime.now(UTC)


class Checkpointer:
    """After each sealing pass: sign when the tree grew by `every` leaves or `seconds` passed."""

    def __init__(
        self,
        db: Database,
        signer: Signer,
        origin: str,
        every: int = 1000,
        seconds: float = 60.0,
        clock: Callable[[], datetime] = _now,
        memory: SignerMemory | None = None,
    ):
        self.db = db
        self.signer = signer
        self.origin = origin
        self.every = every
        self.seconds = seconds
        self.clock = clock
        self.memory = memory or SignerMemory(None)

    def after_seal(self) -> None:
        self.cut(force=False)

    def cut(self, force: bool = True) -> Stored | None:
        """Sign the sealed tree if it grew (and, unless forced, is due); the new row or None."""
        with self.db.transaction() as tx:
            tracking.lock_position(tx, NAME)  # the sealer's lock: the tree holds still
            size = nodes.size(tx)
            previous = latest(tx)
            if size == 0 or (previous is not None and size <= previous.tree_size):
                return None
            if not force and previous is not None and not self._due(size, previous):
                return None
            try:
                head = root(size, nodes.reader(tx))
                if previous is not None:
                    self._check(tx, previous, size, head)
                remembered = recalled(tx, self.signer, self.memory)  # deleted rows: refused
                if remembered is not None and previous is not None and remembered != previous:
                    self._check(tx, remembered, size, head)  # another process signed since
            except LookupError as e:  # a stored node is missing: deleted below the signer
                raise CheckpointRefused(f"the tree of size {size} is incomplete: {e}") from e
            now = self.clock().isoformat(timespec="seconds")
            note = self.signer.sign(Checkpoint(self.origin, size, head).text())
            tx.execute(
                "INSERT INTO merkle_checkpoints (tree_size, root_hash, note, signed_at)"
                " VALUES (%s, %s, %s, %s)",
                (size, head, note, now),
            )
        self.memory.remember(note, size, self.signer.verifier)  # once it is committed
        log.info("checkpoint signed: tree size %d", size)
        return Stored(size, head, note, now)

    def _due(self, size: int, previous: Stored) -> bool:
        if size - previous.tree_size >= self.every:
            return True
        signed = datetime.fromisoformat(previous.signed_at)
        return (self.clock() - signed).total_seconds() >= self.seconds

    def _check(self, tx: Tx, previous: Stored, size: int, head: bytes) -> None:
        """Refuse unless the last note is ours, names its stored root, and the tree extends it."""
        try:
            text = self.signer.verifier.verify(previous.note)
            noted = Checkpoint.parse(text)
        except BadNote as e:
            raise CheckpointRefused(f"checkpoint {previous.tree_size} does not verify: {e}") from e
        if noted.tree_size != previous.tree_size or noted.root_hash != previous.root_hash:
            raise CheckpointRefused(
                f"checkpoint {previous.tree_size}: its stored root or size is not its note's"
            )
        if noted.origin != self.origin:
            raise CheckpointRefused(f"checkpoint {previous.tree_size} is of another log origin")
        proof = heads(consistency_ranges(previous.tree_size, size), nodes.reader(tx))
        if not verify_consistency(previous.tree_size, size, noted.root_hash, head, proof):
            raise CheckpointRefused(
                f"the tree of size {size} is not consistent with checkpoint {previous.tree_size}:"
                " the log was changed below a signed checkpoint; refusing to sign"
            )


def recalled(source: Database | Tx, signer: Signer, memory: SignerMemory) -> Stored | None:
    """The checkpoint the signer remembers signing, as the database still stores it; refused
    when the database lost it or holds another root at its size (deleted, or rewritten)."""
    try:
        known = memory.recall(signer.verifier)
    except Forgotten as e:
        raise CheckpointRefused(str(e)) from e
    if known is None:
        return None
    stored = of_size(source, known.tree_size)
    if stored is None or stored.root_hash != known.root_hash:
        raise CheckpointRefused(
            f"the stored checkpoints no longer hold checkpoint {known.tree_size}, the last this "
            f"signer signed ({memory.path}): they were deleted or rewritten; refusing to sign "
            "(a ledger started anew on purpose, with another database, moves that file aside)"
        )
    return stored


def check_key(db: Database, signer: Signer, memory: SignerMemory | None = None) -> None:
    """At start: the stored checkpoints were signed by this key, and still hold the last one
    this signer remembers signing; or the start is refused."""
    found = latest(db)
    if found is not None:
        try:
            signer.verifier.verify(found.note)
        except BadNote as e:
            raise CheckpointRefused(
                f"the stored checkpoints were not signed by the key {signer.verifier.id.hex()}"
                f" (LEDGER_SIGNING_KEY): {e}. Restore the bureau's signing key; a new key would"
                " break every copy auditors keep"
            ) from e
    recalled(db, signer, memory or SignerMemory(None))
