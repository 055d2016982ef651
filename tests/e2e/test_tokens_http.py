"""Tokens over real HTTP, in each mode: HS256, RS256 with a PEM key, ES256/RS256 from a JWKS file.

The keys are made at run time; every bad token answers 401 problem+json without quoting it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from conftest import serving
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from http_helpers import problem
from pydantic import SecretStr

from api.auth import AuthError, authenticate
from api.container import build
from api.settings import DEV_SECRET, Settings
from domain.shared.values import Actor
from tests.helpers import SIGNING_KEY

QUERY = {"query": "{ projectionStatus { name } }"}
ISSUER, AUDIENCE = "https://idp.bureau.example/realms/ledger", "caseledger"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {"sub": "li.na", "role": "caseworker", "street": "新闸街道",
                            "iat": now, "exp": now + timedelta(minutes=5)}  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hand_signed(header: dict[str, Any], body: dict[str, Any], secret: bytes | None) -> str:
    """A token made by hand, as an attacker would: `alg: none`, or HS256 keyed by a public key."""
    encoded = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in body.items()}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(encoded).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


class Keys:
    """An identity provider's keys, made for this test run, and the files the ledger reads."""

    def __init__(self, folder: Path):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.other_ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa_pem = self.rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.pem_file = folder / "idp-public.pem"
        self.pem_file.write_bytes(self.rsa_pem)
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key()))
        jwks = {"keys": [{**rsa_jwk, "kid": "r1", "use": "sig", "alg": "RS256"},
                         {**ec_jwk, "kid": "e1", "use": "sig"}]}  # fmt: skip
        self.jwks_file = folder / "jwks.json"
        self.jwks_file.write_text(json.dumps(jwks))


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys(tmp_path_factory.mktemp("idp"))


def ledger_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/ledger.sqlite3", poll_interval=0.05,
                    load_demo_when_empty=False, **overrides)  # fmt: skip


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """serve(**settings) -> an anonymous client of a ledger with those token settings."""
    opened: list[Any] = []

    def start(**overrides: Any) -> httpx.Client:
        container = build(ledger_settings(tmp_path / str(len(opened)), **overrides))
        server = serving(container)
        base = server.__enter__()
        client = httpx.Client(base_url=base, timeout=30)
        opened.append((container, server, client))
        return client

    yield start
    for container, server, client in reversed(opened):
        client.close()
        server.__exit__(None, None, None)
        container.close()


def ask(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})


def refused(client: httpx.Client, token: str, reason: str) -> None:
    """401 problem+json, the reason in its detail, and nothing of the token echoed back."""
    r = ask(client, token)
    body = problem(r, 401)
    assert reason in body["detail"], body
    assert r.headers["WWW-Authenticate"] == "Bearer"
    for part in token.split("."):
        assert len(part) < 8 or part not in r.text


def test_hs256_is_the_embedded_default(serve: Any) -> None:
    client = serve()
    assert ask(client, jwt.encode(claims(), DEV_SECRET, algorithm="HS256")).status_code == 200
    refused(client, jwt.encode(claims(), "another-secret-of-32-characters-or-more"), "signature")
    past = datetime.now(UTC) - timedelta(minutes=10)
    refused(client, jwt.encode(claims(iat=past - timedelta(hours=1), exp=past), DEV_SECRET),
            "expired")  # fmt: skip
    refused(client, jwt.encode(claims(exp=None), DEV_SECRET), "`exp`")
    refused(client, hand_signed({"alg": "none", "typ": "JWT"}, claims(), None), "algorithm")
    refused(client, jwt.encode(claims(role="root"), DEV_SECRET), "`role`")
    refused(client, jwt.encode(claims(sub=42), DEV_SECRET), "`sub`")
    refused(client, jwt.encode(claims(sub=" "), DEV_SECRET), "`sub`")
    refused(client, jwt.encode(claims(grants="pii"), DEV_SECRET), "`grants`")
    refused(client, "eyJub3QgYSB0b2tlbg.a.token", "cannot be read")
    problem(client.post("/graphql", json=QUERY), 401)


def test_issuer_and_audience_are_checked_when_configured(serve: Any) -> None:
    client = serve(jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    good = claims(iss=ISSUER, aud=AUDIENCE)
    assert ask(client, jwt.encode(good, DEV_SECRET)).status_code == 200
    assert ask(client, jwt.encode({**good, "aud": ["other", AUDIENCE]}, DEV_SECRET)).is_success
    refused(client, jwt.encode({**good, "iss": "https://evil.example"}, DEV_SECRET), "`iss`")
    refused(client, jwt.encode({**good, "aud": "another-app"}, DEV_SECRET), "`aud`")
    refused(client, jwt.encode(claims(aud=AUDIENCE), DEV_SECRET), "`iss`")
    refused(client, jwt.encode(claims(iss=ISSUER), DEV_SECRET), "`aud`")


def test_rs256_against_a_public_key_refuses_every_other_algorithm(serve: Any, keys: Keys) -> None:
    client = serve(jwt_public_key_file=keys.pem_file)
    assert ask(client, jwt.encode(claims(), keys.rsa, algorithm="RS256")).status_code == 200
    # The algorithm-confusion attack: HS256 "signed" with the public key, which anyone has.
    confused = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(), keys.rsa_pem)
    refused(client, confused, "algorithm is not accepted here (RS256)")
    refused(client, jwt.encode(claims(), DEV_SECRET, algorithm="HS256"), "RS256")
    refused(client, hand_signed({"alg": "none"}, claims(), None), "RS256")
    refused(client, jwt.encode(claims(), keys.ec, algorithm="ES256"), "RS256")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused(client, jwt.encode(claims(), other, algorithm="RS256"), "signature")
    refused(client, jwt.encode(claims(exp=None), keys.rsa, algorithm="RS256"), "`exp`")


def test_jwks_chooses_the_key_by_kid(serve: Any, keys: Keys) -> None:
    client = serve(jwks_file=keys.jwks_file, jwt_issuer=ISSUER)
    es = jwt.encode(claims(iss=ISSUER), keys.ec, algorithm="ES256", headers={"kid": "e1"})
    rs = jwt.encode(claims(iss=ISSUER), keys.rsa, algorithm="RS256", headers={"kid": "r1"})
    assert ask(client, es).status_code == 200
    assert ask(client, rs).status_code == 200
    refused(client, jwt.encode(claims(iss=ISSUER), keys.ec, algorithm="ES256"), "`kid`")
    unknown = jwt.encode(claims(iss=ISSUER), keys.ec, algorithm="ES256", headers={"kid": "x9"})
    refused(client, unknown, "`kid`")
    forged = jwt.encode(claims(iss=ISSUER), keys.other_ec, algorithm="ES256",
                        headers={"kid": "e1"})  # fmt: skip
    refused(client, forged, "signature")
    crossed = jwt.encode(claims(iss=ISSUER), keys.ec, algorithm="ES256", headers={"kid": "r1"})
    refused(client, crossed, "RS256")
    confused = hand_signed({"alg": "HS256", "kid": "r1"}, claims(iss=ISSUER), keys.rsa_pem)
    refused(client, confused, "algorithm is not accepted here (ES256, RS256)")
    refused(client, jwt.encode(claims(iss=None), keys.ec, algorithm="ES256",
                               headers={"kid": "e1"}), "`iss`")  # fmt: skip


def test_claims_make_the_actor(tmp_path: Path, keys: Keys) -> None:
    settings = ledger_settings(tmp_path, jwks_file=keys.jwks_file)
    token = jwt.encode(claims(role="auditor", street=None, grants=["pii", "type:CaseConfirmed"]),
                       keys.ec, algorithm="ES256", headers={"kid": "e1"})  # fmt: skip
    assert authenticate(settings, token) == Actor(
        user="li.na", role="auditor", unit=None, grants=frozenset({"pii", "type:CaseConfirmed"})
    )
    worker = jwt.encode(claims(), keys.rsa, algorithm="RS256", headers={"kid": "r1"})
    assert authenticate(settings, f"  {worker}\n") == Actor("li.na", "caseworker", "新闸街道")
    with pytest.raises(AuthError, match="longer than"):
        authenticate(settings, "a" * 9000)
    pem = tmp_path / "ec.pem"
    pem.write_bytes(keys.ec.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ))  # fmt: skip
    es_settings = ledger_settings(tmp_path, jwt_public_key_file=pem)
    assert authenticate(es_settings, jwt.encode(claims(), keys.ec, algorithm="ES256")).user
    with pytest.raises(AuthError, match="ES256"):
        authenticate(es_settings, jwt.encode(claims(), keys.rsa, algorithm="RS256"))


def test_an_unreadable_key_file_stops_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ValueError, match="not a PEM public key"):
        build(ledger_settings(tmp_path, jwt_public_key_file=bad))
    secret_jwks = tmp_path / "jwks.json"
    secret_jwks.write_text(json.dumps({"keys": [{"kty": "oct", "k": _b64(b"x" * 32)}]}))
    with pytest.raises(ValueError, match="only public RSA or EC keys"):
        build(ledger_settings(tmp_path, jwks_file=secret_jwks))
    with pytest.raises(ValueError, match="does not exist"):
        ledger_settings(tmp_path, jwks_file=tmp_path / "missing.json")


def test_production_needs_its_own_secret_unless_a_provider_signs(keys: Keys) -> None:
    production = {"environment": "production", "cipher_key": SecretStr("k" * 44),
                  "person_key": SecretStr("p" * 40),
                  "signing_key": SecretStr(SIGNING_KEY)}  # fmt: skip
    with pytest.raises(ValueError, match="LEDGER_JWT_SECRET"):
        Settings(**production)
    assert Settings(**production, jwks_file=keys.jwks_file).identity_provider
