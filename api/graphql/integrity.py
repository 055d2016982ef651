"""GraphQL `ledgerIntegrity`: the tamper-evidence state in one answer, for the dashboard and
anyone who may read the checkpoints: how far the Merkle log is sealed behind the head, the
latest signed checkpoint, and what the last `ledger verify` of the log found."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import strawberry

from api.container import Container
from api.graphql.checkpoints import SignedCheckpoint, checkpoint_node
from api.graphql.context import Info
from projections.chain import checkpoints, nodes, verifications


@strawberry.type(description="One `ledger verify` of the log, as it recorded its outcome.")
class VerificationRun:
    at: str = strawberry.field(description="ISO-8601 UTC, when it finished")
    ok: bool
    tree_size: int = strawberry.field(description="leaves recomputed and checked")
    checkpoints_checked: int = strawberry.field(description="stored and held checkpoints checked")
    first_bad_position: int | None = strawberry.field(
        description="the ledger position of the first problem, when it names one"
    )
    detail: str = strawberry.field(description="one line: the first failure, or what passed")
    key: str = strawberry.field(
        description="whose key checked the signatures: `ledger`, the ledger's own public key "
        "(a self-check: whoever can rewrite the log holds it too), `held`, a key the auditor "
        "passed with --public-key, or `unrecorded` (a run from before this was kept)"
    )
    key_fingerprint: str | None = strawberry.field(
        description="SHA-256 of the key's text, 16 hex digits, to compare with the key held"
    )
    held_checkpoints: int = strawberry.field(
        description="checkpoints the auditor kept and passed (--checkpoint), checked too"
    )


@strawberry.type(description="The verifiable log's state: sealing, signing, verification.")
class LedgerIntegrity:
    head_position: int = strawberry.field(description="the newest event's ledger position")
    sealed_size: int = strawberry.field(description="events sealed into the Merkle log")
    seal_lag_events: int = strawberry.field(description="events recorded, not sealed yet")
    seal_lag_seconds: float = strawberry.field(
        description="age of the oldest event not sealed yet; 0 when all are"
    )
    latest_checkpoint: SignedCheckpoint | None = strawberry.field(
        description="null before the first checkpoint is signed"
    )
    last_verification: VerificationRun | None = strawberry.field(
        description="null when the log was never verified (`ledger verify`)"
    )


@dataclass(frozen=True)
class _State:
    head: int
    sealed: int
    lag: tuple[int, float]
    latest: checkpoints.Stored | None
    run: verifications.Run | None


def _state(container: Container) -> _State:
    """Four cheap reads: the head, MAX(leaf_index), the lag (a count after the sealer's
    position, small unless the sealer is down) and the newest checkpoint and run by key."""
    db = container.read_db
    return _State(
        head=container.ledger.latest_position(),
        sealed=nodes.size(db),
        lag=container.sealer.lag(),
        latest=checkpoints.latest(db),
        run=verifications.latest(db),
    )


async def ledger_integrity(info: Info) -> LedgerIntegrity:
    state = await asyncio.to_thread(_state, info.context.container)
    run = state.run
    return LedgerIntegrity(
        head_position=state.head,
        sealed_size=state.sealed,
        seal_lag_events=state.lag[0],
        seal_lag_seconds=round(state.lag[1], 3),
        latest_checkpoint=checkpoint_node(state.latest) if state.latest else None,
        last_verification=VerificationRun(
            at=run.at, ok=run.ok, tree_size=run.tree_size,
            checkpoints_checked=run.checkpoints_checked,
            first_bad_position=run.first_bad_position, detail=run.detail,
            key=run.key_source, key_fingerprint=run.key_fingerprint,
            held_checkpoints=run.held_checkpoints,
        ) if run else None,
    )  # fmt: skip
