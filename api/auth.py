"""Bearer tokens (HS256 JWT): who the actor is (what they may see is in api/permissions.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from domain.shared.values import Actor

ROLES = ("caseworker", "approver", "supervisor", "auditor", "integrator", "admin")


class AuthError(Exception):
    """No token, or one we cannot trust: 401."""


def issue_token(secret: str, user: str, role: str, street: str | None, ttl_hours: int) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    claims = {"sub": user, "role": role, "iat": now, "exp": now + timedelta(hours=ttl_hours)}
    if street:
        claims["street"] = street
    return jwt.encode(claims, secret, algorithm="HS256")


def actor_from_header(secret: str, authorization: str | None) -> Actor:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError("send a bearer token: Authorization: Bearer <token> (see `ledger token`)")
    token = authorization[7:].strip()
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["sub", "exp"]}
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("the token has expired; ask for a new one") from None
    except jwt.PyJWTError:
        raise AuthError("the token is not valid for this ledger") from None
    role = claims.get("role")
    if role not in ROLES:
        raise AuthError("the token names no known role")
    grants = claims.get("grants") or []
    if not isinstance(grants, list) or not all(isinstance(g, str) for g in grants):
        raise AuthError("the token's grants must be a list of names")
    return Actor(
        user=str(claims["sub"]), role=role, unit=claims.get("street"), grants=frozenset(grants)
    )
