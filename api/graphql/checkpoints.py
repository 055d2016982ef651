"""`checkpoints`: the signed checkpoints of the verifiable log, newest first, Relay-paged."""

from __future__ import annotations

import asyncio
import base64

import strawberry

from api.graphql.context import Info
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from domain.shared.errors import InvalidInput
from projections.chain import checkpoints


@strawberry.type(description="A signed checkpoint: the tree head as the bureau signed it.")
class SignedCheckpoint:
    tree_size: int
    root_hash: str = strawberry.field(description="base64, 32 bytes (SHA-256)")
    signed_at: str
    note: str = strawberry.field(description="the signed note, verbatim (C2SP signed-note)")


def checkpoint_node(row: checkpoints.Stored) -> SignedCheckpoint:
    return SignedCheckpoint(
        tree_size=row.tree_size,
        root_hash=base64.b64encode(row.root_hash).decode(),
        signed_at=row.signed_at,
        note=row.note,
    )


async def checkpoints_resolver(
    info: Info, first: int = DEFAULT_PAGE, after: str | None = None
) -> Connection[SignedCheckpoint]:
    first, key = page_size(first), uncursor(after)
    if key is not None and not key.isdigit():
        raise InvalidInput("the cursor is not one this API gave out", field="after")
    db = info.context.container.read_db
    rows = await asyncio.to_thread(checkpoints.page, db, first + 1, int(key) if key else None)

    async def count() -> int:
        found = await asyncio.to_thread(db.scalar, "SELECT COUNT(*) FROM merkle_checkpoints")
        return int(found or 0)

    return connection(
        rows, first, key=lambda r: str(r.tree_size), node=checkpoint_node, count=count
    )
