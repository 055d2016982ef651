"""`viewer` and `GET /dev/tokens` over real HTTP: each role learns who it is and what it may
read, exactly as the access rules then treat it; the development tokens exist only in
development without an identity provider, and are never cached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import client_for, serving
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from http_helpers import graphql, problem
from pydantic import SecretStr

from api.container import build
from api.settings import Settings
from tests.helpers import SIGNING_KEY

pytestmark = pytest.mark.e2e

VIEWER = """{ viewer { user role street grants expiresAt personalData streams
                       reads { family fields area allowed } } }"""


def _viewer(base: str, settings: Settings, role: str, **kw: Any) -> dict[str, Any]:
    with client_for(base, settings, role, f"{role}-1", **kw) as client:
        return dict(graphql(client, VIEWER)["viewer"])


def _allowed(viewer: dict[str, Any]) -> set[str]:
    return {r["family"] for r in viewer["reads"] if r["allowed"]}


def test_every_role_reads_the_viewer_and_it_says_what_the_api_then_does(
    server: str, settings: Settings
) -> None:
    worker = _viewer(server, settings, "caseworker")
    assert (worker["user"], worker["role"], worker["street"]) == (
        "caseworker-1",
        "caseworker",
        "新闸街道",
    )
    assert worker["personalData"] == "full" and worker["streams"] is False
    assert {"cases", "kpis", "identity"} <= _allowed(worker)
    assert not {"payroll", "streams", "organisations"} & _allowed(worker)  # district-only
    expires = datetime.fromisoformat(worker["expiresAt"])
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 3600 + 60

    street_supervisor = _viewer(server, settings, "supervisor", street="五星街道")
    assert (
        street_supervisor["street"] == "五星街道" and street_supervisor["personalData"] == "masked"
    )
    assert "payroll" not in _allowed(street_supervisor) and not street_supervisor["streams"]
    district = _viewer(server, settings, "supervisor")
    assert district["street"] is None and {"payroll", "streams"} <= _allowed(district)

    auditor = _viewer(server, settings, "auditor", grants=("pii",))
    assert auditor["grants"] == ["pii"] and auditor["personalData"] == "full"
    assert _viewer(server, settings, "auditor")["personalData"] == "masked"

    integrator = _viewer(server, settings, "integrator")
    assert _allowed(integrator) == {"identity", "streams"} and integrator["streams"] is True
    admin = _viewer(server, settings, "admin")
    assert "operations" in _allowed(admin) and "cases" not in _allowed(admin)
    families = [r["family"] for r in admin["reads"]]
    assert "viewer" in next(r["fields"] for r in admin["reads"] if r["family"] == "identity")
    assert len(families) == len(set(families)) >= 13

    # What the viewer says is what the API does: the integrator's `cases` is refused, the
    # street supervisor's payroll too, and its own street's cases answer.
    with client_for(server, settings, "integrator", "integrator-1") as client:
        body = client.post("/graphql", json={"query": "{ cases { totalCount } }"}).json()
        assert body["errors"][0]["extensions"]["rule"] == "streams_only"
    with client_for(server, settings, "supervisor", "s-1", street="五星街道") as client:
        body = client.post("/graphql", json={"query": "{ payoutTotals { payouts } }"}).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert graphql(client, "{ cases { totalCount } }")["cases"]["totalCount"] == 0


def test_the_viewer_needs_a_token(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as anonymous:
        problem(anonymous.post("/graphql", json={"query": VIEWER}), 401)


def test_dev_tokens_give_each_demo_identity_a_working_token_never_cached(
    server: str, settings: Settings
) -> None:
    with httpx.Client(base_url=server, timeout=30) as anonymous:
        answer = anonymous.get("/dev/tokens")
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        identities = answer.json()
        assert "/dev/tokens" not in anonymous.get("/openapi.json").json()["paths"]
    users = [i["user"] for i in identities]
    assert {"dev-caseworker", "dev-supervisor", "dev-auditor-pii", "dev-integrator"} <= set(users)
    for identity in identities:
        assert set(identity) == {"label", "user", "role", "street", "grants", "token"}
        headers = {"Authorization": f"Bearer {identity['token']}"}
        with httpx.Client(base_url=server, headers=headers, timeout=30) as client:
            viewer = graphql(client, "{ viewer { user role street grants } }")["viewer"]
        assert viewer == {k: identity[k] for k in ("user", "role", "street", "grants")}


@pytest.fixture
def rsa_public_key(tmp_path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = tmp_path / "idp.pem"
    pem.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return pem


def _served(settings: Settings, **overrides: Any) -> Iterator[httpx.Response]:
    container = build(settings.model_copy(update=overrides))
    try:
        with serving(container) as base, httpx.Client(base_url=base, timeout=30) as client:
            yield client.get("/dev/tokens")
    finally:
        container.close()


@pytest.mark.parametrize("backend", ["sqlite"])  # the route reads settings only
def test_dev_tokens_are_404_in_production_and_with_an_identity_provider(
    settings: Settings, rsa_public_key: Path
) -> None:
    production = {
        "environment": "production",
        "jwt_secret": SecretStr("a-production-secret-of-forty-characters!"),
        "cipher_key": SecretStr("Mx0Rkc1L9dXo2+FQjvAYqA=="),
        "signing_key": SecretStr(SIGNING_KEY),
    }
    for overrides in (production, {"jwt_public_key_file": rsa_public_key}):
        for answer in _served(settings, **overrides):
            found = problem(answer, 404)
            assert answer.headers["cache-control"] == "no-store"
            assert "token" not in found and "eyJ" not in answer.text


@pytest.mark.parametrize("backend", ["sqlite"])  # the route reads the client's address only
def test_dev_tokens_are_404_to_a_client_not_on_this_machine(settings: Settings) -> None:
    """Starlette's TestClient connects as the host "testclient", not a loopback address: as a
    client elsewhere on the network would, it gets 404 and no token."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    container = build(settings)
    try:
        with TestClient(create_app(container=container)) as client:
            answer = client.get("/dev/tokens")
        found = problem(answer, 404)
        assert "token" not in found and "eyJ" not in answer.text
    finally:
        container.close()


@pytest.mark.parametrize("backend", ["sqlite"])  # the route reads the request's Host only
def test_dev_tokens_are_404_to_a_page_that_rebound_its_name_to_this_machine(
    server: str,
) -> None:
    """DNS rebinding: a hostile page's name re-resolves to 127.0.0.1, so its requests come
    from loopback but carry its own name as Host; only this machine's names get tokens."""
    port = server.rsplit(":", 1)[1]
    with httpx.Client(base_url=server, timeout=30) as client:
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
            answer = client.get("/dev/tokens", headers={"Host": host})
            found = problem(answer, 404)
            assert "token" not in found and "eyJ" not in answer.text
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            assert client.get("/dev/tokens", headers={"Host": host}).status_code == 200
