"""A streaming HTTP response whose every send has a deadline: a stalled client is cut off.

Starlette's StreamingResponse awaits each send for as long as the client takes. uvicorn's send
returns once the bytes are in the socket's buffer and waits (flow control) only while that
buffer is over its high-water mark, so a client that stops reading makes the next send wait
for ever and holds its subscription open. Here each send has `send_timeout` seconds; one that
takes longer ends the response (the connection is closed without the final chunk, so the
client sees a cut, not an end) and `on_close` hears `send_timeout`. A client that goes away
is noticed through `http.disconnect` at once, not at the next send.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

#: Why a stream ended, as `on_close` hears it.
DONE = "done"  # the frames ran out: the response was completed
CLIENT_CLOSED = "client_closed"
SEND_TIMEOUT = "send_timeout"


class _Stalled(Exception):
    """One send took longer than the deadline."""


class TimedStreamingResponse(StreamingResponse):
    def __init__(
        self, frames: AsyncGenerator[bytes, None], *, send_timeout: float, media_type: str,
        headers: dict[str, str] | None = None, on_close: Callable[[str], Any] | None = None,
    ):  # fmt: skip
        super().__init__(frames, headers=headers, media_type=media_type)
        self.frames = frames
        self.send_timeout = send_timeout
        self.on_close = on_close
        #: How the stream ended (one of DONE, CLIENT_CLOSED, SEND_TIMEOUT), once it has.
        self.outcome: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outcome = CLIENT_CLOSED
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._watch, receive, group.cancel_scope)
                outcome = await self._stream(send)
                group.cancel_scope.cancel()
        finally:
            self.outcome = outcome
            if self.on_close is not None:
                self.on_close(outcome)

    async def _stream(self, send: Send) -> str:
        try:
            start = {"type": "http.response.start", "status": self.status_code,
                     "headers": self.raw_headers}  # fmt: skip
            await self._send(send, start)
            async with aclosing(self.frames) as frames:
                async for frame in frames:
                    await self._send(
                        send, {"type": "http.response.body", "body": frame, "more_body": True}
                    )
            await self._send(send, {"type": "http.response.body", "body": b"", "more_body": False})
        except _Stalled:
            return SEND_TIMEOUT
        return DONE

    async def _send(self, send: Send, message: Message) -> None:
        try:
            with anyio.fail_after(self.send_timeout):
                await send(message)
        except TimeoutError:
            raise _Stalled from None

    @staticmethod
    async def _watch(receive: Receive, scope: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        scope.cancel()
