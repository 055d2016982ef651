"""GET /api/v1/events: the paged feed (a page of CloudEvents after a position, and the cursor
of the next page), and GET /api/v1/events/types: the event types an integrator may ask for.

Plain `def` endpoints: the log read (`LogReader.read`), the access record and the checkpoint
run in the thread pool, never on the event loop. Every page carries the next cursor and the
latest signed checkpoint's tree size, so an integrator can ask an inclusion proof
(GET /api/v1/ledger/proof/inclusion) of anything it received.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from api.container import Container
from api.deps import ActorDep, ContainerDep
from api.permissions import purpose_from
from api.rest.routing import PROBLEMS
from api.streams.access import StreamAccess, check_resume, granted_types, stream_access
from api.streams.feed_models import FEED_RESPONSES, JSON, EventTypeEntry, FeedCheckpoint, FeedPage
from api.streams.query import integer, integer_schema, names, prefers
from domain.shared.access import check_read
from domain.shared.errors import Forbidden
from projections.chain import checkpoints
from projections.feed.catalogue import catalogue
from projections.feed.envelope import BATCH_CONTENT_TYPE, source_of
from projections.feed.reader import MAX_POSITION, Page

router = APIRouter(prefix="/api/v1/events", tags=["integrator streams"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _next_link(request: Request, after: int, limit: int, types: list[str], ids: list[str]) -> str:
    query: list[tuple[str, str | int]] = [("after", after), ("limit", limit)]
    if types:
        query.append(("types", ",".join(types)))
    if ids:
        query.append(("aggregateIds", ",".join(ids)))
    return f'<{request.url.path}?{urlencode(query, safe=",*")}>; rel="next"'


@router.get(
    "",
    summary="A page of events after a position (the paged feed), with the next cursor",
    response_model=FeedPage,
    responses=FEED_RESPONSES,
)
def events(
    c: ContainerDep,
    actor: ActorDep,
    request: Request,
    after: Annotated[
        str | None,
        Query(
            description="resume after this position (X-Next-After of the page before)",
            json_schema_extra=integer_schema(0, MAX_POSITION, 0),
        ),
    ] = None,
    limit: Annotated[
        str | None,
        Query(
            description="events per page at most",
            json_schema_extra=integer_schema(1, MAX_LIMIT, DEFAULT_LIMIT),
        ),
    ] = None,
    types: Annotated[
        list[str] | None,
        Query(description="event types (repeat or comma-separate; `Payout.*` for all of one)"),
    ] = None,
    aggregate_ids: Annotated[
        list[str] | None,
        Query(alias="aggregateIds", description="aggregate ids (UUIDs; repeat or comma-separate)"),
    ] = None,
    x_purpose: Annotated[str | None, Header(alias="X-Purpose")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    type_names, ids = names(types), names(aggregate_ids)
    # The rule first (403), then the input (400, 422): a refused caller learns nothing more.
    access = stream_access(actor, source_of(c.settings.origin), type_names, ids, via="feed")
    access = replace(access, purpose=purpose_from(x_purpose))
    start = integer(after, "after", 0, MAX_POSITION, 0)
    size = integer(limit, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    page = c.hub.reader.read(start, size, access.selection)
    check_resume(start, page.head)  # the head read first: nothing sent, nothing recorded yet
    as_object = prefers(accept, JSON, BATCH_CONTENT_TYPE)  # else the batch, the default
    return _answer(c, request, access, page, size, type_names, ids, as_object)


def _answer(
    c: Container, request: Request, access: StreamAccess, page: Page, limit: int,
    types: list[str], ids: list[str], as_object: bool,
) -> Response:  # fmt: skip
    request_id = getattr(request.state, "request_id", None)
    envelopes = access.envelopes(page.events, c.db, request_id)  # reads in full recorded first
    latest = checkpoints.latest(c.db)
    headers = {
        "X-Next-After": str(page.scanned_to),
        "Link": _next_link(request, page.scanned_to, limit, types, ids),
        "X-Head-Position": str(page.head),
        "X-Checkpoint-Tree-Size": str(latest.tree_size if latest else 0),
        "Cache-Control": "no-store",
        "Vary": "Accept, Authorization, X-Purpose",
    }
    if not as_object:
        return Response(_dumps(envelopes), media_type=BATCH_CONTENT_TYPE, headers=headers)
    checkpoint = FeedCheckpoint(tree_size=0, root_hash=None, signed_at=None)
    if latest is not None:
        checkpoint = FeedCheckpoint(
            tree_size=latest.tree_size,
            root_hash=base64.b64encode(latest.root_hash).decode(),
            signed_at=latest.signed_at,
        )
    body = {
        "events": envelopes,
        "next_after": page.scanned_to,
        "head_position": page.head,
        "checkpoint": checkpoint.model_dump(),
    }
    return Response(_dumps(body), media_type=JSON, headers=headers)


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def _plain(value: Any) -> Any:
    """What `redacted` leaves for JSON to choke on (a Decimal, an enum, a set), made plain."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


@router.get(
    "/types",
    summary="The event types of the ledger, by area, and whether the caller's token grants each",
    response_model=list[EventTypeEntry],
    responses={s: PROBLEMS[s] for s in (401, 403)},
)
def event_types(actor: ActorDep) -> list[EventTypeEntry]:
    check_read("events", actor)  # any stream reader: role_not_allowed, district_only, ...
    try:
        allowed = granted_types(actor)
    except Forbidden:  # an integrator with no type grant: it may still see what to ask for
        allowed = frozenset()
    return [
        EventTypeEntry(name=t.name, area=t.area, granted=allowed is None or t.name in allowed)
        for t in catalogue().values()
    ]
