"""The request-size limit: a body over it gets 413 problem+json, whether declared or streamed.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a body
sent without one (chunked) is counted as it arrives and cut as soon as it passes the limit, so
no upload reaches the app's parsers (JSON, the GraphQL parser) bigger than the limit. The
bank's settlement file grows with the payroll and has its own, larger limit.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from api.settings import Settings

#: Paths with their own limit, and the setting that holds it.
LARGER = ((re.compile(r"/api/v1/payroll-runs/[^/]+/settlement"), "max_settlement_bytes"),)


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes the limit; the 413 replaces its answer."""


def limit_for(settings: Settings, path: str) -> int:
    """The most bytes a body sent to `path` may hold (0: no limit)."""
    for pattern, setting in LARGER:
        if pattern.fullmatch(path):
            return int(getattr(settings, setting))
    return settings.max_request_bytes


def too_large(limit: int) -> Any:
    return problem(
        413,
        f"the request body is larger than {limit:,} bytes, the limit for this path",
        code="body_too_large",
        limit=limit,
    )


class BodyLimit:
    """ASGI middleware; the limits are read from the app's settings on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(_settings(scope), scope["path"])
        if not limit:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit)(scope, receive, send)
            return

        received = 0
        over = started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if over:
                return  # whatever the app makes of a cut body, the answer is the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # the app did not catch it: answered below
            await self.app(scope, counted, answer)
        if over and not started:
            await too_large(limit)(scope, receive, send)


def _settings(scope: Scope) -> Settings:
    app = scope.get("app")
    container = getattr(getattr(app, "state", None), "container", None)
    settings = getattr(container, "settings", None)
    return settings if isinstance(settings, Settings) else DEFAULTS


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


DEFAULTS = Settings.model_construct()
