"""GraphQL `viewer`: who the caller is and what its token lets it read, from the same rules
that decide it (`domain.shared.access.READS`, `api.permissions`), so a page shows what the
API will actually do rather than a copy of the table that could drift."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import strawberry
from fastapi import Request

from api.graphql.context import Info
from api.permissions import may_see_personal_data
from domain.shared import access
from domain.shared.errors import DomainError, Forbidden
from domain.shared.values import Actor


@strawberry.type(description="One read family of the access table, and whether the caller may.")
class ViewerRead:
    family: str = strawberry.field(description="e.g. cases, payroll, verifiable log")
    fields: list[str] = strawberry.field(description="its GraphQL root fields (and `events`)")
    area: str = strawberry.field(
        description="street (narrowed to a street-bound caller's street), district (refused "
        "to a street-bound caller) or none"
    )
    allowed: bool = strawberry.field(description="the caller's role and area may read it")


@strawberry.type(description="The caller, as the API sees its token.")
class Viewer:
    user: str
    role: str
    street: str | None = strawberry.field(description="the caller's street; null: the district")
    grants: list[str]
    expires_at: str | None = strawberry.field(description="ISO-8601 UTC, the token's `exp`")
    personal_data: str = strawberry.field(
        description='"full": names, ID numbers and accounts shown in full (for a purpose); '
        '"masked": shown masked'
    )
    reads: list[ViewerRead] = strawberry.field(description="every read family, allowed or not")
    streams: bool = strawberry.field(description="may open the event streams (SSE, subscription)")


class Unauthenticated(DomainError):
    """No token reached the resolver (a websocket before its connection_init)."""

    default_code = "UNAUTHENTICATED"


def _allowed(field: str, actor: Actor) -> bool:
    try:
        access.check_read(field, actor)
    except Forbidden:
        return False
    return True


def _expires_at(info: Info) -> str | None:
    """The token's `exp` (already verified by the router), as an ISO time."""
    if info.context.expires_at is not None:  # a websocket's
        stamp: float | None = info.context.expires_at
    else:
        request = info.context.request
        header = request.headers.get("authorization", "") if isinstance(request, Request) else ""
        try:
            claims = jwt.decode(header[7:].strip(), options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        exp = claims.get("exp")
        stamp = float(exp) if isinstance(exp, int | float) else None
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat()


def viewer(info: Info) -> Viewer:
    """Any authenticated caller may ask; it reveals nothing but the caller's own token."""
    actor = info.context.actor
    if actor is None:
        raise Unauthenticated("send a bearer token: Authorization: Bearer <token>")
    reads = [
        ViewerRead(
            family=family,
            fields=list(rule.fields),
            area=rule.area,
            allowed=_allowed(rule.fields[0], actor),
        )
        for family, rule in access.READS.items()
    ]
    return Viewer(
        user=actor.user,
        role=actor.role,
        street=access.area_of(actor) or None,
        grants=sorted(actor.grants),
        expires_at=_expires_at(info),
        personal_data="full" if may_see_personal_data(actor) else "masked",
        reads=reads,
        streams=next(r.allowed for r in reads if r.family == "streams"),
    )
