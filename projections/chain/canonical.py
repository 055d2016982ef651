"""The canonical bytes of a stored event (docs/verifiable-log.md, version 1): what a leaf hashes."""

from __future__ import annotations

import hashlib
import struct
from typing import Any
from uuid import UUID

TAG = b"caseledger/leaf/v1"


def _lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def canonical(position: int, aggregate_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """Length-prefixed fields, integers big-endian: one byte string per event, unambiguous."""
    return b"".join(
        (
            _lp(TAG),
            struct.pack(">Q", position),
            _lp(aggregate_id.bytes),
            struct.pack(">Q", version),
            _lp(topic.encode("utf-8")),
            _lp(state),
        )
    )


def leaf_hash_of(notification: Any) -> bytes:
    """RFC 9162 leaf hash of a notification as the recorder returns it (stored state bytes)."""
    body = canonical(
        int(notification.id),
        _uuid(notification.originator_id),
        int(notification.originator_version),
        str(notification.topic),
        bytes(notification.state),
    )
    return hashlib.sha256(b"\x00" + body).digest()


def _uuid(value: Any) -> UUID:
    """SQLite stores the id as 32 hex characters; the leaf always hashes its 16 bytes."""
    return value if isinstance(value, UUID) else UUID(str(value))
