"""Operations: liveness, readiness (no view stopped or retrying, the replica answers) and
Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api import problems
from api.deps import ContainerDep
from api.graphql.cases import projection_states
from api.read_database import read_database
from api.streams.metrics import stream_metrics
from api.streams.relay_position import relay_metrics

router = APIRouter()


@router.get("/healthz", tags=["operations"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["operations"])
def readyz(c: ContainerDep) -> dict[str, object]:
    replica = read_database(c)  # first: the views' positions below are read from it
    if replica is not None and not replica.reachable:
        raise problems.NotReady(
            "the read database (LEDGER_READ_DATABASE_URL) does not answer: GraphQL cannot read"
        )
    states = projection_states(c)
    failed = [s.name for s in states if s.error]
    if failed:
        raise problems.NotReady(f"projections stopped on an error: {', '.join(failed)}")
    retrying = [s.name for s in states if s.retrying]
    if retrying:
        raise problems.NotReady(
            f"projections retrying after a database error: {', '.join(retrying)}"
        )
    ready: dict[str, object] = {
        "status": "ready", "head_position": states[0].head_position if states else 0,
    }  # fmt: skip
    if replica is not None:
        ready["read_database"] = replica.readiness()
    return ready


@router.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
def metrics(c: ContainerDep) -> str:
    lines = [
        "# HELP ledger_head_position Position of the newest event in the ledger.",
        "# TYPE ledger_head_position gauge",
    ]
    replica = read_database(c)
    # The views' positions are read where GraphQL reads them: none while the replica is down.
    states = projection_states(c) if replica is None or replica.reachable else []
    lines.append(f"ledger_head_position {c.ledger.latest_position()}")
    for metric, help_, attr in [
        ("ledger_projection_position", "Last position applied by a projection.", "position"),
        ("ledger_projection_lag", "Events a projection is behind the ledger.", "lag"),
        ("ledger_projection_failed", "1 when a projection stopped on an error.", "error"),
        ("ledger_projection_retrying", "1 while it retries a database error.", "retrying"),
    ]:
        lines += [f"# HELP {metric} {help_}", f"# TYPE {metric} gauge"]
        for s in states:
            flag = attr in ("error", "retrying")
            value = int(bool(getattr(s, attr))) if flag else getattr(s, attr)
            lines.append(f'{metric}{{projection="{s.name}"}} {value}')
    behind, seconds = c.sealer.lag()
    lines += [
        "# HELP caseledger_seal_lag_events Stored events not yet sealed into the Merkle log.",
        "# TYPE caseledger_seal_lag_events gauge",
        f"caseledger_seal_lag_events {behind}",
        "# HELP caseledger_seal_lag_seconds Age of the oldest stored event not yet sealed.",
        "# TYPE caseledger_seal_lag_seconds gauge",
        f"caseledger_seal_lag_seconds {seconds:.3f}",
    ]
    if replica is not None:
        lines += replica.metrics()
    lines += relay_metrics(c.db, c.ledger.latest_position())
    lines += stream_metrics(c.hub)
    return "\n".join(lines) + "\n"
