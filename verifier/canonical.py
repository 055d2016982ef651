"""The canonical bytes of a stored event, version 1 (docs/verifiable-log.md, "Leaves")."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from uuid import UUID

from verifier.hashing import leaf_hash

TAG = b"caseledger/leaf/v1"
_U64_MAX = 2**64 - 1


def lp(data: bytes) -> bytes:
    """Length-prefixed: a big-endian u32 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def u64(value: int) -> bytes:
    if not 0 <= value <= _U64_MAX:
        raise ValueError(f"{value} does not fit an unsigned 64-bit integer")
    return struct.pack(">Q", value)


@dataclass(frozen=True)
class StoredEvent:
    """One event row as the event store holds it (the state exactly as persisted)."""

    position: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes

    def canonical(self) -> bytes:
        return (
            lp(TAG)
            + u64(self.position)
            + lp(self.aggregate_id.bytes)
            + u64(self.version)
            + lp(self.topic.encode("utf-8"))
            + lp(self.state)
        )

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.canonical())
