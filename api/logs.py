"""Structured JSON logs, one object a line, scrubbed of personal data; and our access log.

Every line carries the request id, and the caller's user and role once the token is read. The
scrubber runs on every line this formatter writes: ID numbers (with or without a valid check
digit), bank accounts (long digit runs), mobile numbers and query strings never reach the log,
whoever wrote the message. uvicorn's own access log is replaced by `AccessLog`, which logs the
path with its query string cut and every segment that is not a plain word or id masked.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.shared.values import Actor

#: Kept as they are, so a case id is still readable in a log line.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PERSONAL = re.compile(
    rf"(?P<uuid>{_UUID})"
    r"|(?P<hex>(?<![0-9A-Za-z])(?=[0-9]*[a-f])[0-9a-f]{32}(?![0-9A-Za-z]))"  # a UUID's hex
    r"|(?P<id>(?<!\d)\d{17}[\dXx](?!\d))"  # resident ID number (18 characters)
    r"|(?P<digits>(?<!\d)\d{12,}(?!\d))"  # bank accounts, 15-digit ID numbers, card numbers
    r"|(?P<phone>(?<!\d)1\d{10}(?!\d))"  # mobile numbers
    r"|(?P<query>(?<=[\w/])\?[^\s\"']+)"  # a URL's query string
    r"|(?P<encoded>(?:%[0-9A-Fa-f]{2})+)"  # percent-encoded text of a URL (a name, say)
)
_MASKS = {
    "id": "[id-number]", "digits": "[digits]", "phone": "[phone]", "query": "?[query]",
    "encoded": "[encoded]",
}  # fmt: skip
#: A path segment we keep: a word of the API, a UUID, a small number, a date or month.
_PLAIN_SEGMENT = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")
#: A caller's X-Request-ID that we echo and log; anything else is replaced by a new id.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def scrub(text: str) -> str:
    """The text with anything that looks like personal data, or a query string, masked."""
    return _PERSONAL.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup or "digits"
    return match.group() if kind in ("uuid", "hex") else _MASKS[kind]


def scrub_path(path: str) -> str:
    """A URL path fit for a log line: no query, and only plain segments kept."""
    path = path.split("?", 1)[0]
    segments = [s if _PLAIN_SEGMENT.match(s) else "[text]" for s in path.split("/")]
    return scrub("/".join(segments))


def redact_url(url: str) -> str:
    """A database or service URL fit to print: the password (and any query) replaced by ***."""
    if url.startswith("sqlite:"):
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "[a URL that cannot be parsed]"
    netloc = f"{host}{port}"
    if parts.username:
        netloc = f"{parts.username}{':***' if parts.password is not None else ''}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


@dataclass
class RequestContext:
    """The request a log line belongs to; the actor is filled in when the token is read."""

    request_id: str
    user: str | None = None
    role: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("caseledger_request", default=None)


def current_request_id() -> str | None:
    """The id of the request being served (for records that name the request), if any."""
    context = _current.get()
    return context.request_id if context else None


def note_actor(actor: Actor) -> None:
    """Name the caller on this request's log lines (called once the token is verified)."""
    context = _current.get()
    if context is not None:
        context.user, context.role = actor.user, actor.role


def request_id_from(value: str | None) -> str:
    """The caller's X-Request-ID when it is sane and carries no personal data, else a new one."""
    if value and _SANE_REQUEST_ID.match(value) and scrub(value) == value:
        return value
    return str(uuid.uuid4())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request and its fields."""

    #: Extra fields our own log calls pass (`extra={...}`), copied onto the line.
    FIELDS = ("method", "path", "status", "duration_ms", "operation", "code", "error_type")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "pid": record.process,  # which worker of `ledger serve --workers N`
        }
        context = _current.get()
        if context is not None:
            line["request_id"] = context.request_id
            if context.user is not None:
                line["user"], line["role"] = scrub(context.user), context.role
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = scrub(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[1] is not None:
            line["error_type"] = type(record.exc_info[1]).__name__
            line["traceback"] = scrub(frames_only(record.exc_info[1]))
        return json.dumps(line, ensure_ascii=False, default=str)


def frames_only(error: BaseException) -> str:
    """A traceback with every exception's message left out (messages may quote the input)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.insert(0, f"Traceback:\n{frames}{type(current).__qualname__} (message withheld)\n")
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


#: What a GraphQL operation name may be (the spec's Name); a caller's other text is not logged.
_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")


def operation_name(name: str | None) -> str | None:
    if name is None:
        return None
    return name if _GRAPHQL_NAME.match(name) and scrub(name) == name else "[not a name]"


def uvicorn_options(level: str) -> dict[str, Any]:
    """How `ledger serve` runs uvicorn: its logging left to ours, its access log off."""
    return {"log_config": None, "access_log": False, "log_level": level.lower()}


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Send every logger (ours, uvicorn's, the libraries') through one JSON handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")  # it logs raw paths: ours replaces it
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    return handler


access_log = logging.getLogger("caseledger.access")


class AccessLog:
    """ASGI middleware: a request id for every request (echoed as X-Request-ID), one line each."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        context = RequestContext(request_id_from(sent))
        token = _current.set(context)
        scope.setdefault("state", {})["request_id"] = context.request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "websocket.accept":
                status = 101  # switched protocols: the websocket's line says how it went
            elif message["type"] == "websocket.close" and status == 500:
                status = 403  # closed before it was accepted: the handshake was refused
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", context.request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            query = bool(scope.get("query_string"))
            access_log.info(
                "%s %s%s %s", scope.get("method", "WS"), scrub_path(scope["path"]),
                "?[query]" if query else "", status,
                extra={
                    "method": scope.get("method", "WS"), "path": scrub_path(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )  # fmt: skip
            _current.reset(token)
