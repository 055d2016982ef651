"""The canonical bytes of a stored event, version 1 (docs/verifiable-log.md, "Leaves")."""

from __future__ import annotations

import hashlib
import struct
from typing import NamedTuple

TAG = b"caseledger/leaf/v1"
_U64_MAX = 2**64 - 1
_HEAD = struct.pack(">I", len(TAG)) + TAG
_FIXED = struct.Struct(">QI")  # a u64, then the next field's u32 length


def lp(data: bytes) -> bytes:
    """Length-prefixed: a big-endian u32 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def u64(value: int) -> bytes:
    if not 0 <= value <= _U64_MAX:
        raise ValueError(f"{value} does not fit an unsigned 64-bit integer")
    return struct.pack(">Q", value)


class StoredEvent(NamedTuple):
    """One event row as the event store holds it (the state exactly as persisted).

    `aggregate_id` is the UUID's 16 raw bytes (a tuple: a million of them are made per check).
    """

    position: int
    aggregate_id: bytes
    version: int
    topic: str
    state: bytes

    def canonical(self) -> bytes:
        return (
            lp(TAG) + u64(self.position) + lp(self.aggregate_id) + u64(self.version)
            + lp(self.topic.encode("utf-8")) + lp(self.state)
        )  # fmt: skip

    def leaf_hash(self) -> bytes:
        """SHA-256(0x00 || canonical), without copying the state into the canonical bytes."""
        topic = self.topic.encode("utf-8")
        try:
            head = b"".join((
                b"\x00", _HEAD, _FIXED.pack(self.position, len(self.aggregate_id)),
                self.aggregate_id, _FIXED.pack(self.version, len(topic)), topic,
                struct.pack(">I", len(self.state)),
            ))  # fmt: skip
        except (struct.error, TypeError):
            raise ValueError(
                "a position or version does not fit an unsigned 64-bit integer"
            ) from None
        digest = hashlib.sha256(head)
        digest.update(self.state)
        return digest.digest()
