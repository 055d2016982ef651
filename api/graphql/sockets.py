"""The websocket under the GraphQL subscription: graphql-transport-ws, its token, its sends.

- The token is checked when the socket connects: the `connection_init` payload carries
  `{"Authorization": "Bearer <jwt>"}` (or `{"token": "<jwt>"}`) and optionally `"purpose"`.
  A missing or bad token (or purpose) closes the socket with 4403 and a reason that never
  quotes the token. The actor and the token's expiry (`exp` and the leeway HTTP allows) stay
  on the connection's context. At that moment each running subscription ends with
  `token_expired` (api/graphql/subscription.py), then the socket closes with 4403; an
  operation sent after it (query, mutation or subscription) closes it at once, unrun.
- A message the server cannot read (JSON nested too deeply, a huge number) closes the socket
  with 4400; a document over the limits (api/graphql/limits.py) is an `error` message with
  its code. The message size itself is uvicorn's `ws_max_size` (`LEDGER_WS_MAX_BYTES`: 1009).
- Every send has a deadline (`stream_send_timeout_seconds`): a subscriber that stops reading
  fills its socket's buffers, and its send then waits. Past the deadline the socket is
  dropped (counted as `send_timeout` in /metrics) so that it holds nothing: not the hub, not
  the writers, not the other subscribers, which each have their own task and socket.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import suppress
from typing import Any

import jwt
from graphql import GraphQLError
from starlette.exceptions import HTTPException
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.unset import UNSET, UnsetType

from api.auth import LEEWAY_SECONDS, AuthError, authenticate
from api.graphql.context import Context
from api.graphql.limits import LimitExceeded
from api.permissions import Disclosure, PurposeInvalid, purpose_from
from api.streams.counters import count_disconnect

log = logging.getLogger("caseledger.graphql")

FORBIDDEN = 4403  # graphql-transport-ws: the server refused the connection_init
BAD_MESSAGE = 4400  # graphql-transport-ws: a message the server cannot read
TRY_LATER = 1013  # RFC 6455: too many sockets await their connection_init
EXPIRED = "the token has expired; reconnect with a fresh token"
#: How long running operations may take to end (token_expired) before the socket closes.
EXPIRY_GRACE_SECONDS = 1.0
#: A close frame's reason holds at most 123 bytes of UTF-8.
MAX_REASON_BYTES = 123
#: How long closing a socket whose send timed out may take before it is dropped unclosed.
CLOSE_GRACE_SECONDS = 1.0
SEND_TIMEOUT = "send_timeout"
KIND = "subscription"


class Rejected(ConnectionRejectionError):
    """The connection_init is refused: 4403, with this reason (never the token)."""

    def __init__(self, reason: str):
        super().__init__({})
        self.reason = reason


class SendTimedOut(WebSocketDisconnected):
    """A send to this socket took longer than the deadline: the socket is dropped."""


def short_reason(text: str) -> str:
    """The reason cut to what a close frame holds, on a character boundary."""
    data = text.encode()
    if len(data) <= MAX_REASON_BYTES:
        return text
    return data[: MAX_REASON_BYTES - 3].decode(errors="ignore") + "..."


def _token(params: Mapping[str, Any]) -> str:
    header = params.get("Authorization", params.get("authorization"))
    raw = params.get("token")
    if isinstance(header, str) and header.lower().startswith("bearer "):
        return header[7:]
    if header is not None and raw is None:
        raise AuthError("`Authorization` must be `Bearer <token>`")
    if raw is None:
        raise AuthError('send the token in connection_init: {"Authorization": "Bearer <token>"}')
    if not isinstance(raw, str):
        raise AuthError("`token` must be a string")
    return raw


def expiry_of(token: str) -> float:
    """When a token `authenticate` has just verified stops being accepted: its `exp` (it
    requires one) and the leeway for clock skew HTTP and server-sent events allow too."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims["exp"]) + LEEWAY_SECONDS


async def connect(context: Context) -> None:
    """Check the connection_init payload; the actor, purpose and expiry go on the context."""
    params = context.connection_params
    if not isinstance(params, Mapping):
        params = {}
    settings = context.container.settings
    try:
        token = _token(params)
        actor = authenticate(settings, token)
        raw_purpose = params.get("purpose")
        if raw_purpose is not None and not isinstance(raw_purpose, str):
            raise PurposeInvalid("purpose must be a string", field="purpose")
        purpose = purpose_from(raw_purpose, "purpose")
    except AuthError as e:
        raise Rejected(str(e)) from None
    except PurposeInvalid as e:
        raise Rejected(e.message) from None
    context.actor = actor
    context.expires_at = expiry_of(token)
    context.disclosure = Disclosure(actor, purpose, personal=context.container.ledger.personal)


class TimedSocket(ASGIWebSocketAdapter):
    """Sends with a deadline; a close with 4403 carries the connection's reason."""

    def __init__(self, view: Any, request: WebSocket, response: WebSocket) -> None:
        super().__init__(view, request, response)
        self.context: Context | None = None
        self.dropped = False
        self._handler_task: asyncio.Task[Any] | None = None

    def _timeout(self) -> float:
        settings = self.context.container.settings if self.context is not None else None
        return settings.stream_send_timeout_seconds if settings is not None else 30.0

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        """The messages; one the router cannot read (its HTTP 400) closes the socket, 4400."""
        try:
            async for message in super().iter_json(ignore_parsing_errors=ignore_parsing_errors):
                yield message
        except HTTPException as e:
            await self.close(BAD_MESSAGE, f"the message cannot be read: {e.detail}")

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.dropped:
            raise SendTimedOut
        try:
            async with asyncio.timeout(self._timeout()):  # not wait_for: see _until
                await super().send_json(message)
        except TimeoutError:
            self.dropped = True
            count_disconnect(KIND, SEND_TIMEOUT)
            log.warning("graphql subscriber dropped: a send took over the send timeout")
            await self._drop()
            raise SendTimedOut from None

    async def _drop(self) -> None:
        """Close the socket; when even the close cannot be sent, drop the connection."""
        try:
            reason = "the subscriber did not read for too long; reconnect to resume"
            async with asyncio.timeout(CLOSE_GRACE_SECONDS):
                await super().close(1008, reason)
            return
        except (TimeoutError, RuntimeError, WebSocketDisconnected):
            pass
        # The server's transport, when it shows it (uvicorn's `receive` is its protocol's
        # bound method): aborting it ends the receive loop as if the peer had gone.
        protocol = getattr(getattr(self.ws, "_receive", None), "__self__", None)
        transport = getattr(protocol, "transport", None)
        if transport is not None and hasattr(transport, "abort"):
            transport.abort()
        elif self._handler_task is not None:
            self._handler_task.cancel()  # TransportHandler.handle ends quietly

    async def close(self, code: int, reason: str) -> None:
        rejection = getattr(self.context, "rejection", None)
        if code == FORBIDDEN and rejection:
            reason = rejection
        if self.dropped:
            return
        with suppress(RuntimeError):  # closed already
            await super().close(code, short_reason(reason))


class TransportHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws with our rejection reasons, the token's expiry, the limits'
    errors and quiet dropped sockets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.websocket, TimedSocket):
            self.websocket.context = self.context
        self._expiry: asyncio.Task[None] | None = None
        self._counted_out = False

    def _expires_at(self) -> float | None:
        return getattr(self.context, "expires_at", None)

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        finally:
            self._authenticated()
        expires_at = self._expires_at()
        if self.connection_acknowledged and expires_at is not None and self._expiry is None:
            self._expiry = asyncio.create_task(self._close_at(expires_at))

    async def _close_at(self, expires_at: float) -> None:
        """At expiry: let the subscriptions end with token_expired, then close with 4403."""
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        running = [op.task for op in self.operations.values() if op.task is not None]
        if running:
            await asyncio.wait(running, timeout=EXPIRY_GRACE_SECONDS)
        with suppress(WebSocketDisconnected):
            await self.websocket.close(FORBIDDEN, EXPIRED)

    async def handle_subscribe(self, message: Any) -> None:
        expires_at = self._expires_at()
        if self.connection_acknowledged and expires_at is not None and time.time() >= expires_at:
            await self.websocket.close(FORBIDDEN, EXPIRED)  # nothing runs on an expired token
            return
        await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        try:
            await super()._send_result_stream(operation, result_source)
        except GraphQLError as e:  # raised by GraphQLLimits.on_parse, outside strawberry's try
            if not isinstance(e.original_error, LimitExceeded):
                raise
            await operation.send_initial_errors([e])

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()

    async def handle(self) -> None:
        socket = self.websocket
        if isinstance(socket, TimedSocket):
            socket._handler_task = asyncio.current_task()
        view = self.view
        if getattr(view, "waiting", 0) >= self._max_waiting():
            await socket.close(TRY_LATER, "too many sockets await their connection_init")
            return
        view.waiting = getattr(view, "waiting", 0) + 1  # type: ignore[attr-defined]
        try:
            await super().handle()
        except asyncio.CancelledError:
            if not (isinstance(socket, TimedSocket) and socket.dropped):
                raise
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
        finally:
            self._authenticated()

    def _max_waiting(self) -> int:
        settings = getattr(getattr(self.context, "container", None), "settings", None)
        return getattr(settings, "ws_max_unauthenticated", 200)

    def _authenticated(self) -> None:
        """This socket no longer awaits its connection_init (counted once)."""
        if not self._counted_out:
            self._counted_out = True
            self.view.waiting -= 1  # type: ignore[attr-defined]

    async def handle_task_exception(self, error: Exception) -> None:
        if isinstance(error, WebSocketDisconnected):
            return  # the subscriber went (or was dropped): nothing to look into
        await super().handle_task_exception(error)


class SubscriptionSockets:
    """Mixed into the GraphQL router: the websocket's adapter, handler and connect check."""

    websocket_adapter_class = TimedSocket
    graphql_transport_ws_handler_class: type[BaseGraphQLTransportWSHandler[Any, Any]] = (
        TransportHandler
    )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        try:
            await connect(context)
        except Rejected as e:
            context.rejection = short_reason(e.reason)
            raise
        acknowledged: UnsetType = UNSET  # connection_ack without a payload
        return acknowledged
