"""RFC 9457 problem+json for every error, mapped once from domain errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError
from domain.shared.errors import DomainError

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Rule broken or conflict",
    412: "Precondition failed",
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
            else {"field": _field(tuple(e["loc"])), "reason": e["msg"]}
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


class NotReady(HTTPException):
    def __init__(self, detail: str):
        super().__init__(503, detail)
