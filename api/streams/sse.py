"""Server-sent events: `GET /api/v1/events/stream` (README "Server-sent events").

Replays from the caller's position, then goes live (projections.feed.subscription), and frames
what it yields for the browser's EventSource and any line-reading client:

- each event is a default `message` event (no `event:` field, so `EventSource.onmessage` sees
  every type): `id: <position>` and `data: <the CloudEvent, JSON on one line>`;
- after a batch whose read went past its last event (a filter skipped the rest), and with each
  keep-alive, an id-only block `id: <scanned to>`: by the HTML standard's dispatch rule the
  browser sets its last event id from it and fires no event (its data is empty), so a
  reconnect's `Last-Event-ID` skips what was already read and did not match;
- `: ping` comment lines while nothing happens (`stream_keepalive_seconds`);
- `retry:` once, first;
- `event: disconnect` with data `{"code", "reason", "position"}` when the server ends the
  stream (`fell_behind`; `RECORD_FAILED` when the access record cannot be written;
  `token_expired`; `store_unavailable` when the database went away while replaying): resume
  after `position`.

Errors found before the stream starts are problem+json like the feed's (401, 403, 422; 503
with Retry-After when `stream_max_subscribers` streams are open). Each send has
`stream_send_timeout_seconds` (api/streams/event_stream.py): a client that stops reading is
cut off and counted, and never holds back the writers or the other subscribers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Annotated, Any, cast

import jwt
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from api import problems
from api.auth import LEEWAY_SECONDS
from api.deps import ActorDep, ContainerDep
from api.permissions import PURPOSE_HEADER, RecordFailed, purpose_from
from api.streams.access import StreamAccess, check_resume, stream_access
from api.streams.counters import count_disconnect
from api.streams.event_stream import SEND_TIMEOUT, TimedStreamingResponse
from api.streams.limits import STREAMS_FULL, check_capacity
from api.streams.query import integer, integer_schema
from domain.shared.errors import Unavailable
from projections.backends import is_transient
from projections.feed.envelope import source_of
from projections.feed.hub import Hub
from projections.feed.reader import MAX_POSITION, FeedEvent
from projections.feed.subscription import Delivery, Disconnect, Item, KeepAlive, Subscription
from projections.store import Database

router = APIRouter(prefix="/api/v1/events", tags=["integrator streams"])
log = logging.getLogger("caseledger.streams")

KIND = "sse"
MEDIA_TYPE = "text/event-stream; charset=utf-8"
#: How long EventSource waits before it reconnects (milliseconds), sent once as `retry:`.
RETRY_MS = 2000
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
TOKEN_EXPIRED = "token_expired"
STORE_UNAVAILABLE = "store_unavailable"
#: Open SSE streams per hub (counted from the request, before their subscription registers).
_open: weakref.WeakKeyDictionary[Hub, int] = weakref.WeakKeyDictionary()


def names(values: Sequence[str] | None) -> list[str]:
    """Repeated and comma-separated query values as one list (`types=A,B&types=C`)."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def resume_position(last_event_id: str | None, after: str | None) -> tuple[int, str]:
    """`Last-Event-ID` (a position, as this stream sends ids) wins over `after`; the position
    and the field it came from (an integer from 0 to the largest BIGINT, 422 otherwise)."""
    if last_event_id is not None and last_event_id.strip():
        return integer(last_event_id, "Last-Event-ID", 0, MAX_POSITION, 0), "Last-Event-ID"
    return integer(after, "after", 0, MAX_POSITION, 0), "after"


# -- framing ------------------------------------------------------------------------------


def id_line(position: int) -> bytes:
    return b"id: %d\n\n" % position


def ping(position: int | None) -> bytes:
    """A comment, and the id read up to when it moved since the last id sent."""
    return b": ping\n" + (id_line(position) if position is not None else b"\n")


def disconnect(code: str, reason: str, position: int) -> bytes:
    data = json.dumps({"code": code, "reason": reason, "position": position})
    return b"event: disconnect\ndata: %s\n\n" % data.encode()


#: Characters JSON leaves as they are that a line reader may still split on (Python's
#: str.splitlines, and so httpx's iter_lines): written as JSON escapes instead.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def one_line_json(value: Any) -> str:
    """Compact JSON on one line for every line reader (JSON escapes the control characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.translate(_LINE_BREAKS)


def message(event: FeedEvent, access: StreamAccess) -> bytes:
    """One event's frame, encoded once per masking mode and shared by every subscriber."""
    key = ("sse", access.source, access.in_full)
    found = event.cache.get(key)
    if found is None:
        data = one_line_json(access.envelope(event))
        found = event.cache[key] = b"id: %d\ndata: %s\n\n" % (event.position, data.encode())
    assert isinstance(found, bytes)
    return found


def ended(code: str, reason: str, position: int) -> bytes:
    """The disconnect event of a stream the server ends (counted for /metrics)."""
    count_disconnect(KIND, code.lower())
    log.info("sse: stream ended (%s) at position %d", code, position)
    return disconnect(code, reason, position)


async def frames(
    subscription: Subscription, access: StreamAccess, db: Database, request_id: str | None,
    expires_at: float | None = None,
) -> AsyncGenerator[bytes, None]:  # fmt: skip
    """The stream's bytes, a batch per frame; ends after a disconnect event."""
    sent = subscription.position  # the last id the client holds
    yield b"retry: %d\n" % RETRY_MS + id_line(sent)
    items = cast(AsyncGenerator[Item, None], subscription.items())  # an async generator
    try:
        async with aclosing(items):
            async for item in items:
                if expires_at is not None and time.time() >= expires_at:
                    yield ended(TOKEN_EXPIRED, "the token expired: reconnect with a new one "
                                f"(Last-Event-ID: {sent})", sent)  # fmt: skip
                    return
                if isinstance(item, Delivery):
                    if access.in_full:  # recorded before anything of the batch is sent
                        try:
                            await asyncio.to_thread(access.envelopes, item.events, db, request_id)
                        except RecordFailed as e:
                            yield ended(e.code, e.message, sent)
                            return
                    body = b"".join(message(event, access) for event in item.events)
                    sent = item.events[-1].position
                    if item.scanned_to > sent:
                        body, sent = body + id_line(item.scanned_to), item.scanned_to
                    yield body
                elif isinstance(item, KeepAlive):
                    moved = item.scanned_to > sent
                    sent = max(sent, item.scanned_to)
                    yield ping(sent if moved else None)
                else:
                    assert isinstance(item, Disconnect)
                    yield ended(item.code, item.reason, item.position)
                    return
    except Exception as error:  # the store went away while replaying: the client comes back
        if not is_transient(error):
            raise
        yield ended(STORE_UNAVAILABLE, "the database is not reachable just now: reconnect "
                    f"shortly (Last-Event-ID: {sent})", sent)  # fmt: skip


def expiry(authorization: str | None) -> float | None:
    """When the (already verified) bearer token stops being accepted (its `exp` and the
    verifier's leeway for clock skew), as a Unix time; None: never. A reconnect with the same
    token is refused (401) from then on."""
    try:
        claims = jwt.decode((authorization or "")[7:].strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) + LEEWAY_SECONDS if isinstance(exp, int | float) else None


# -- the route ----------------------------------------------------------------------------

DESCRIBED: dict[int | str, dict[str, Any]] = {
    200: {"description": "the event stream (text/event-stream)",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
    **{status: {"description": text, "content": {"application/problem+json": {}}}
       for status, text in [
           (401, "no or bad bearer token"),
           (403, "the streams rule, or an event type the token does not grant"),
           (409, "after_beyond_head: after or Last-Event-ID is past the ledger's head"),
           (422, "after, Last-Event-ID, types or aggregateIds not acceptable (names the field)"),
           (503, "too many open streams: retry after Retry-After seconds"),
       ]},
}  # fmt: skip


@router.get("/stream", responses=DESCRIBED, response_class=Response)
async def event_stream(
    request: Request,
    container: ContainerDep,
    actor: ActorDep,
    after: Annotated[
        str | None,
        Query(
            description="resume after this position",
            json_schema_extra=integer_schema(0, MAX_POSITION, 0),
        ),
    ] = None,
    types: Annotated[list[str] | None, Query(description="event types, e.g. Payout.*")] = None,
    aggregate_ids: Annotated[list[str] | None, Query(alias="aggregateIds")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
    x_purpose: Annotated[str | None, Header(alias=PURPOSE_HEADER)] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Every event after the position (`Last-Event-ID` wins over `after`), then live.

    Each event is a default `message` event: `id: <position>` and `data: <CloudEvent JSON>`.
    An `id: N` block without data moves the client's last event id past what a filter
    skipped; `: ping` comes every `LEDGER_STREAM_KEEPALIVE_SECONDS` while nothing else does;
    `event: disconnect` (`{code, reason, position}`) ends a stream the server closes: resume
    with `Last-Event-ID: <position>`. README "Server-sent events".
    """
    settings, hub = container.settings, container.hub
    position, field = resume_position(last_event_id, after)
    access = stream_access(
        actor, source_of(settings.origin), names(types), names(aggregate_ids),
        purpose=purpose_from(x_purpose), via=KIND,
    )  # fmt: skip
    check_resume(position, await asyncio.to_thread(hub.reader.head), field)
    others = sum(1 for state in list(hub.subscribers.values()) if state.kind != KIND)
    try:
        check_capacity(hub, settings, actor.user)  # every kind's, and this user's, streams
        if _open.get(hub, 0) + others >= settings.stream_max_subscribers:  # SSE not started yet
            raise Unavailable(
                f"the ledger serves at most {settings.stream_max_subscribers} streams at once",
                code=STREAMS_FULL,
            )
    except Unavailable as refused:
        full = problems.problem(
            503, f"{refused.message}: reconnect after Retry-After seconds (resume with "
            "Last-Event-ID)", code=refused.code,
        )  # fmt: skip
        full.headers["Retry-After"] = str(max(1, RETRY_MS // 1000))
        return full
    subscription = Subscription(
        hub, access.selection, position, kind=KIND, user=actor.user,
        keepalive=settings.stream_keepalive_seconds,
    )  # fmt: skip
    _open[hub] = _open.get(hub, 0) + 1

    def closed(outcome: str) -> None:
        _open[hub] = _open.get(hub, 1) - 1
        if outcome == SEND_TIMEOUT:
            count_disconnect(KIND, SEND_TIMEOUT)
            log.warning(
                "sse: a send to %s took over %.1f s; cut off at position %d",
                actor.user, settings.stream_send_timeout_seconds, subscription.position,
            )  # fmt: skip

    request_id = getattr(request.state, "request_id", None)
    return TimedStreamingResponse(
        frames(subscription, access, container.db, request_id, expiry(authorization)),
        media_type=MEDIA_TYPE,
        send_timeout=settings.stream_send_timeout_seconds, headers=HEADERS, on_close=closed,
    )  # fmt: skip
