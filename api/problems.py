"""RFC 9457 problem+json for every error, mapped once from domain errors."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError
from domain.shared.errors import DomainError
from projections.backends import is_transient

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Rule broken or conflict",
    412: "Precondition failed",
    413: "Content too large",
    422: "Invalid input",
    503: "Not ready, retry shortly",
}


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json",
                        headers=headers)  # fmt: skip


#: pydantic quotes a piece of the input in backticks (a UUID's "found `王` at 0"): not echoed.
QUOTED_INPUT = re.compile(r"`[^`]*`")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "header", "path", "query")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input back: it may hold names and ID numbers.
        errors = [
            {
                "field": "body",
                "reason": f"malformed JSON ({e.get('ctx', {}).get('error', 'cannot parse')})",
            }
            if e["type"] == "json_invalid"
            else {"field": _field(tuple(e["loc"])), "reason": QUOTED_INPUT.sub("`…`", e["msg"])}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return problem(422, f"{first['field']}: {first['reason']}", errors=errors)

    @app.exception_handler(DomainError)
    async def broken(_: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.message, code=exc.code, field=exc.field, errors=exc.details)

    @app.exception_handler(AuthError)
    async def unauthenticated(_: Request, exc: AuthError) -> JSONResponse:
        return problem(401, str(exc))

    @app.exception_handler(HTTPException)
    async def http(_: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))

    @app.exception_handler(StarletteHTTPException)
    async def starlette_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own (routing 404/405, a body FastAPI could not parse) are problems too.
        reason = unparsable_body(exc)
        if reason:
            errors = [{"field": "body", "reason": reason}]
            return problem(422, f"body: {reason}", errors=errors)
        response = problem(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    async def unreachable(_: Request, exc: Exception) -> JSONResponse:
        # The store did not answer (connection cut, lock, timeout). A cut during the commit
        # itself leaves the outcome unknown: the same request with the same Idempotency-Key
        # is always safe to send again. The driver's message is not echoed.
        if not is_transient(exc):
            raise exc
        answer = problem(503, "the database is not reachable just now; send the same request "
                         "again shortly (with its Idempotency-Key, a retry is safe)",
                         code="store_unavailable")  # fmt: skip
        answer.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return answer

    unreachable_errors: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
    for driver_error in unreachable_errors + DRIVER_ERRORS:
        app.add_exception_handler(driver_error, unreachable)


def unparsable_body(exc: BaseException) -> str | None:
    """Why a JSON body could not be parsed, when the cause is known; never echoes the body."""
    cause = exc.__cause__
    if isinstance(cause, RecursionError):
        return "malformed JSON (nested too deeply)"
    if isinstance(cause, UnicodeDecodeError):
        return "malformed JSON (the body is not UTF-8 text)"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "malformed JSON (a number has more than 4,300 digits)"
    if isinstance(cause, ValueError):
        return "malformed JSON (cannot be read)"
    return None


#: The view database's own driver errors, seen when a command reads a view (enrolments).
DRIVER_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError,
)  # fmt: skip
RETRY_AFTER_SECONDS = "1"


class NotReady(HTTPException):
    def __init__(self, detail: str):
        super().__init__(503, detail)
