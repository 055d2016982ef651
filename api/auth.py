"""Bearer tokens (JWT): who the actor is (what they may see is in api/permissions.py).

Three modes, each with its algorithms pinned, so a token can never choose how it is checked:
- HS256 with LEDGER_JWT_SECRET (the embedded default; `ledger token` mints these);
- RS256 or ES256 against one PEM public key (LEDGER_JWT_PUBLIC_KEY_FILE);
- RS256 or ES256 against a JWKS file (LEDGER_JWKS_FILE), the key chosen by the token's `kid`.
`alg: none` is never accepted, nor HS256 when a public key is configured (algorithm confusion).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.exceptions import InvalidSubjectError
from jwt.types import Options

from api import logs
from api.settings import Settings
from domain.shared.values import Actor

ROLES = ("caseworker", "approver", "supervisor", "auditor", "integrator", "admin")
#: Seconds of clock difference tolerated on `exp`, `nbf` and `iat` (an IdP's clock is not ours).
LEEWAY_SECONDS = 30
#: A token longer than this is refused unread (real ones are well under 2 KB).
MAX_TOKEN_CHARS = 8192
#: What a grant may look like: short, printable, no spaces ("pii", "type:CaseConfirmed").
MAX_GRANTS = 64


class AuthError(Exception):
    """No token, or one we cannot trust: 401. The message never quotes the token."""


NOT_VALID = "the token is not valid for this ledger"
UNREADABLE = f"{NOT_VALID}: it cannot be read as a signed JWT"
SUB_MUST_BE_TEXT = "the token's `sub` must be a non-empty string"


def issue_token(
    secret: str, user: str, role: str, street: str | None, ttl_hours: int,
    grants: Iterable[str] = (),
) -> str:  # fmt: skip
    """An HS256 token for the embedded mode (`ledger token`, tests)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not user.strip():
        raise ValueError("the user must not be blank")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": user, "role": role, "iat": now, "exp": now + timedelta(hours=ttl_hours),
    }  # fmt: skip
    if street:
        claims["street"] = street
    if grants:
        claims["grants"] = sorted(set(grants))
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass(frozen=True)
class Verifier:
    """How this ledger checks a token: the keys, by `kid` (None: the only key), and the claims."""

    keys: Mapping[str | None, tuple[Any, str]]  # kid -> (key, its one algorithm)
    issuer: str | None
    audience: str | None
    by_kid: bool

    def actor(self, token: str) -> Actor:
        key, algorithm = self._key_for(token)
        options: Options = {"require": ["exp", "sub"], "verify_aud": self.audience is not None}
        try:
            claims = jwt.decode(
                token, key, algorithms=[algorithm], options=options, leeway=LEEWAY_SECONDS,
                issuer=self.issuer, audience=self.audience,
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired; ask for a new one") from None
        except jwt.MissingRequiredClaimError as e:
            raise AuthError(
                f"the token has no `{e.claim}` claim; this ledger requires it"
            ) from None
        except jwt.InvalidIssuerError:
            raise AuthError(
                "the token's issuer (`iss`) is not the one this ledger trusts"
            ) from None
        except jwt.InvalidAudienceError:
            raise AuthError("the token's audience (`aud`) is not this ledger") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("the token is not valid yet (`nbf`/`iat` in the future)") from None
        except jwt.InvalidSignatureError:
            raise AuthError(f"{NOT_VALID}: its signature does not verify") from None
        except InvalidSubjectError:
            raise AuthError(SUB_MUST_BE_TEXT) from None
        except jwt.InvalidAlgorithmError:
            raise AuthError(f"the token is not signed with {algorithm}, the one accepted") from None
        except jwt.PyJWTError:
            raise AuthError(UNREADABLE) from None
        return _actor_from_claims(claims)

    def _key_for(self, token: str) -> tuple[Any, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError(UNREADABLE) from None
        accepted = sorted({alg for _, alg in self.keys.values()})
        if header.get("alg") not in accepted:
            raise AuthError(f"the token's algorithm is not accepted here ({', '.join(accepted)})")
        kid = header.get("kid")
        if self.by_kid and len(self.keys) > 1:
            if not isinstance(kid, str) or kid not in self.keys:
                raise AuthError("the token's key id (`kid`) names no key this ledger trusts")
            found = self.keys[kid]
        elif self.by_kid and isinstance(kid, str) and kid not in self.keys:
            raise AuthError("the token's key id (`kid`) names no key this ledger trusts")
        else:
            found = next(iter(self.keys.values()))
        if header.get("alg") != found[1]:
            raise AuthError(f"the token is not signed with {found[1]}, the one its key accepts")
        return found


def _actor_from_claims(claims: dict[str, Any]) -> Actor:
    user, role, street = claims["sub"], claims.get("role"), claims.get("street")
    if not isinstance(user, str) or not user.strip():
        raise AuthError(SUB_MUST_BE_TEXT)
    if role not in ROLES:
        raise AuthError(f"the token's `role` must be one of {', '.join(ROLES)}")
    if street is not None and (not isinstance(street, str) or not street.strip()):
        raise AuthError("the token's `street` must be a non-empty string when given")
    grants = claims.get("grants", [])
    if (
        not isinstance(grants, list)
        or len(grants) > MAX_GRANTS
        or not all(isinstance(g, str) and g and len(g) <= 100 for g in grants)
    ):
        raise AuthError("the token's `grants` must be a list of short strings")
    return Actor(user=user, role=str(role), unit=street, grants=frozenset(grants))


def verifier(settings: Settings) -> Verifier:
    """The verifier for these settings; key files are read again when they change on disk."""
    key_file = settings.jwt_public_key_file or settings.jwks_file
    stamp = _stamp(key_file) if key_file is not None else None
    return _verifier(
        settings.jwt_secret.get_secret_value(), settings.jwt_public_key_file, settings.jwks_file,
        stamp, settings.jwt_issuer, settings.jwt_audience,
    )  # fmt: skip


@lru_cache(maxsize=8)
def _verifier(
    secret: str, public_key_file: Path | None, jwks_file: Path | None,
    stamp: tuple[float, int] | None, issuer: str | None, audience: str | None,
) -> Verifier:  # fmt: skip
    if public_key_file is not None:
        key = _public_key(public_key_file.read_bytes(), str(public_key_file))
        return Verifier({None: key}, issuer, audience, by_kid=False)
    if jwks_file is not None:
        return Verifier(_jwks(jwks_file), issuer, audience, by_kid=True)
    return Verifier({None: (secret, "HS256")}, issuer, audience, by_kid=False)


def _stamp(path: Path) -> tuple[float, int]:
    info = path.stat()
    return info.st_mtime, info.st_size


def _public_key(pem: bytes, where: str) -> tuple[Any, str]:
    try:
        key = load_pem_public_key(pem)
    except ValueError:
        raise ValueError(f"{where} is not a PEM public key") from None
    return key, _algorithm_of(key, where)


def _algorithm_of(key: Any, where: str) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ValueError(f"{where}: an RSA key must have at least 2048 bits")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError(f"{where}: only RSA (RS256) and P-256 EC (ES256) public keys are accepted")


def _jwks(path: Path) -> dict[str | None, tuple[Any, str]]:
    try:
        document = json.loads(path.read_text())
        entries = document["keys"]
        assert isinstance(entries, list) and entries
    except (ValueError, KeyError, TypeError, AssertionError):
        raise ValueError(f"{path} is not a JWKS file (a JSON object with a `keys` list)") from None
    keys: dict[str | None, tuple[Any, str]] = {}
    for n, entry in enumerate(entries):
        where = f"{path} key {n + 1}"
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue  # encryption keys are not for us
        if entry.get("kty") not in ("RSA", "EC") or "d" in entry:
            raise ValueError(f"{where}: only public RSA or EC keys belong in the JWKS file")
        try:
            key = jwt.PyJWK(entry).key
        except jwt.PyJWTError:
            raise ValueError(f"{where} cannot be read as a JWK") from None
        algorithm = _algorithm_of(key, where)
        if entry.get("alg", algorithm) != algorithm:
            raise ValueError(f"{where}: its `alg` does not match its key type ({algorithm})")
        kid = entry.get("kid")
        if len(entries) > 1 and not isinstance(kid, str):
            raise ValueError(f"{where} has no `kid`; several keys need one each")
        keys[kid if isinstance(kid, str) else None] = (key, algorithm)
    if not keys:
        raise ValueError(f"{path} holds no signing key")
    return keys


def authenticate(settings: Settings, token: str) -> Actor:
    """The actor of a raw token string (HTTP bearer tokens, and the websocket when it connects)."""
    token = token.strip()
    if not token:
        raise AuthError("send a bearer token: Authorization: Bearer <token> (see `ledger token`)")
    if len(token) > MAX_TOKEN_CHARS:
        raise AuthError(f"the token is longer than {MAX_TOKEN_CHARS} characters")
    actor = verifier(settings).actor(token)
    logs.note_actor(actor)
    return actor


def actor_from_header(settings: Settings, authorization: str | None) -> Actor:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError("send a bearer token: Authorization: Bearer <token> (see `ledger token`)")
    return authenticate(settings, authorization[7:])
