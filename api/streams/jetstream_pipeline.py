"""JetStream publishes sent one after another without waiting, each acknowledgement a future.

nats-py 2.16 has `JetStreamContext.publish_async`, but a refusal from the broker (e.g. `wrong
last sequence`, error 10071) raises inside its reply handler instead of settling the future,
which then never completes. This is the same idea, small: one reply subscription, a token per
message in its reply subject, every acknowledgement or refusal settling its own future. The
messages leave in the order `publish` is called (one connection, one write buffer).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import PubAck
from nats.js.errors import APIError, NoStreamResponseError

NO_RESPONDERS = "503"


class Pipeline:
    def __init__(self, nc: Client):
        self.nc = nc
        self._prefix = ""
        self._tokens = itertools.count(1)
        self._pending: dict[str, asyncio.Future[PubAck]] = {}
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._prefix = self.nc.new_inbox()
        self._subscription = await self.nc.subscribe(f"{self._prefix}.*", cb=self._reply)

    async def publish(
        self, subject: str, payload: bytes, headers: dict[str, str]
    ) -> asyncio.Future[PubAck]:
        """Send one message; the future is its acknowledgement (or the broker's refusal)."""
        if self._subscription is None:
            await self.start()
        token = str(next(self._tokens))
        future: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        self._pending[token] = future
        try:
            await self.nc.publish(
                subject, payload, reply=f"{self._prefix}.{token}", headers=headers
            )
        except BaseException:
            self._pending.pop(token, None)
            raise
        return future

    async def _reply(self, msg: Msg) -> None:
        future = self._pending.pop(msg.subject[len(self._prefix) + 1 :], None)
        if future is None or future.done():
            return
        if msg.headers and msg.headers.get("Status") == NO_RESPONDERS:
            future.set_exception(NoStreamResponseError())
            return
        try:
            answer: dict[str, Any] = json.loads(msg.data)
        except ValueError as error:
            future.set_exception(error)
            return
        refused = answer.get("error")
        if refused is not None:
            future.set_exception(
                APIError(
                    code=refused.get("code"), err_code=refused.get("err_code"),
                    description=refused.get("description"),
                )
            )  # fmt: skip
        else:
            future.set_result(PubAck.from_response(answer))

    async def close(self) -> None:
        """Stop listening; acknowledgements still outstanding are cancelled."""
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            await subscription.unsubscribe()


def why(error: object) -> str:
    """What went wrong, in one short line: an unexpected acknowledgement, or an error."""
    if isinstance(error, PubAck):
        return f"acknowledged as sequence {error.seq}{' (a repeat)' if error.duplicate else ''}"
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
