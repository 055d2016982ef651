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
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.container import Container
from api.deps import ActorDep, ContainerDep
from api.permissions import purpose_from
from api.rest.routing import PROBLEMS
from api.streams.access import StreamAccess, granted_types, stream_access
from domain.shared.access import check_read
from domain.shared.errors import Forbidden, InvalidInput
from projections.chain import checkpoints
from projections.feed.catalogue import catalogue
from projections.feed.envelope import BATCH_CONTENT_TYPE, source_of
from projections.feed.reader import MAX_POSITION, Page

router = APIRouter(prefix="/api/v1/events", tags=["integrator streams"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
JSON = "application/json"


class CloudEvent(BaseModel):
    """One event as every stream sends it (README "Integrator streams", the envelope)."""

    specversion: str = Field(examples=["1.0"])
    id: str = Field(description="<aggregate id>/<version>: stable and unique")
    source: str = Field(examples=["urn:caseledger:caseledger.local/320404"])
    type: str = Field(examples=["AssistanceCase.EligibilityConfirmed"])
    subject: str = Field(description="the aggregate id")
    time: str = Field(description="when it was recorded, UTC")
    datacontenttype: str = Field(examples=["application/json"])
    position: int = Field(description="the ledger position (positions may skip numbers)")
    sequence: str = Field(description="the position zero-padded to 20 digits")
    data: dict[str, Any] = Field(description="the event's fields, personal data masked")


class FeedCheckpoint(BaseModel):
    """The latest signed checkpoint when the page was read (tree_size 0: none signed yet)."""

    tree_size: int
    root_hash: str | None = Field(None, description="base64 of the tree's root hash")
    signed_at: str | None = None


class FeedPage(BaseModel):
    """The page as `Accept: application/json` receives it."""

    events: list[CloudEvent]
    next_after: int = Field(description="the `after` of the next page (X-Next-After)")
    head_position: int = Field(description="the newest position when the read began")
    checkpoint: FeedCheckpoint


class EventTypeEntry(BaseModel):
    name: str = Field(examples=["Payout.PayoutSettled"])
    area: str = Field(examples=["payroll"])
    granted: bool = Field(description="the caller's token lets it read this type")


PAGE_HEADERS = {
    "X-Next-After": "the `after` of the next page: past every event read, matched or not",
    "Link": '<...?after=N&the same filters>; rel="next"',
    "X-Head-Position": "the newest position when the read began",
    "X-Checkpoint-Tree-Size": "the latest signed checkpoint's tree size (0: none yet)",
}

FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a page of CloudEvents in position order: a JSON array "
        f"({BATCH_CONTENT_TYPE}, the default) or, for `Accept: {JSON}`, a FeedPage object",
        "headers": {
            name: {"description": d, "schema": {"type": "string"}}
            for name, d in PAGE_HEADERS.items()
        },
        "content": {
            BATCH_CONTENT_TYPE: {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/CloudEvent"}}
            }
        },
    },
    400: {
        "description": "PURPOSE_INVALID (X-Purpose)",
        "content": {"application/problem+json": {}},
    },
    401: PROBLEMS[401],
    403: {
        "description": "`code` names the rule: role_not_allowed, district_only, street_missing, "
        "event_types_missing, event_type_scope",
        "content": {"application/problem+json": {}},
    },
    422: PROBLEMS[422],
    503: {
        "description": "the store is not reachable, or a read in full could not be recorded",
        "content": {"application/problem+json": {}},
    },
}


def _integer_schema(low: int, high: int, default: int) -> Callable[[dict[str, Any]], None]:
    """How OpenAPI shows a query integer read as text (so that a bad one is our own 422)."""

    def shown(schema: dict[str, Any]) -> None:
        schema.pop("anyOf", None)
        schema.update(type="integer", minimum=low, maximum=high, default=default)

    return shown


def _integer(raw: str | None, field: str, low: int, high: int, default: int) -> int:
    """A query integer from `low` to `high` (422 naming the field; the value is not echoed)."""
    if raw is None:
        return default
    text = raw.strip()
    digits = text.lstrip("0") or "0"  # leading zeros allowed, and no huge int() to parse
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(high)):
        raise InvalidInput(f"{field} must be an integer from {low} to {high}", field=field)
    value = int(digits)
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be an integer from {low} to {high}", field=field)
    return value


def _names(values: list[str] | None) -> list[str]:
    """Repeated and/or comma-separated values, blanks dropped."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _wants_object(accept: str | None) -> bool:
    """Whether `Accept` prefers application/json to the batch type (RFC 9110 q-values; a tie
    or no Accept at all: the batch)."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[kind.lower()] = max(q, weights.get(kind.lower(), 0.0))

    def weight(kind: str) -> float:  # the most specific range that matches it counts
        for candidate in (kind, "application/*", "*/*"):
            if candidate in weights:
                return weights[candidate]
        return 0.0

    return weight(JSON) > weight(BATCH_CONTENT_TYPE)


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
            json_schema_extra=_integer_schema(0, MAX_POSITION, 0),
        ),
    ] = None,
    limit: Annotated[
        str | None,
        Query(
            description="events per page at most",
            json_schema_extra=_integer_schema(1, MAX_LIMIT, DEFAULT_LIMIT),
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
    type_names, ids = _names(types), _names(aggregate_ids)
    # The rule first (403), then the input (400, 422): a refused caller learns nothing more.
    access = stream_access(actor, source_of(c.settings.origin), type_names, ids, via="feed")
    access = replace(access, purpose=purpose_from(x_purpose))
    start = _integer(after, "after", 0, MAX_POSITION, 0)
    size = _integer(limit, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    page = c.hub.reader.read(start, size, access.selection)
    return _answer(c, request, access, page, size, type_names, ids, _wants_object(accept))


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
