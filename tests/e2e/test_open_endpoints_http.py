"""What answers without a token: probes always (and they leak nothing), docs only when allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from conftest import serving
from pydantic import SecretStr

from api.auth import issue_token
from api.container import build
from api.settings import Settings
from tests.helpers import SIGNING_KEY

pytestmark = pytest.mark.e2e
SECRET = "a-production-secret-of-forty-characters!"
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "jwt_secret": SecretStr(SECRET),
    "cipher_key": SecretStr("Mx0Rkc1L9dXo2+FQjvAYqA=="),
    "signing_key": SecretStr(SIGNING_KEY),  # a test key
}


@contextmanager
def served(settings: Settings, **overrides: Any) -> Iterator[httpx.Client]:
    container = build(settings.model_copy(update=overrides))
    try:
        with serving(container) as base, httpx.Client(base_url=base, timeout=30) as client:
            yield client
    finally:
        container.close()


def docs_answer(client: httpx.Client) -> dict[str, int]:
    html = {"Accept": "text/html"}
    return {
        "/docs": client.get("/docs").status_code,
        "/redoc": client.get("/redoc").status_code,
        "/docs/oauth2-redirect": client.get("/docs/oauth2-redirect").status_code,
        "/openapi.json": client.get("/openapi.json").status_code,
        "GraphiQL": client.get("/graphql", headers=html).status_code,
    }


def test_probes_answer_without_a_token_and_name_no_url_or_secret(settings: Settings) -> None:
    with served(settings, **PRODUCTION) as client:
        answers = [client.get(path) for path in ("/healthz", "/readyz", "/metrics")]
    assert [r.status_code for r in answers] == [200, 200, 200]
    text = "".join(r.text for r in answers)
    for secret in (settings.database_url, SECRET, "postgres", "sqlite", "127.0.0.1"):
        assert secret not in text
    labels = {name for line in answers[2].text.splitlines() if "{" in line
              for name in re.findall(r'([a-z_]+)="', line.split("{", 1)[1])}  # fmt: skip
    # Projections by name; the streams' subscribers by id, transport and token user name only.
    assert "projection" in labels and labels <= {"projection", "kind", "code", "subscriber", "user"}


def test_docs_are_closed_in_production_unless_the_setting_opens_them(settings: Settings) -> None:
    with served(settings, **PRODUCTION) as client:
        assert set(docs_answer(client).values()) == {404}
        token = issue_token(SECRET, "sup-1", "supervisor", None, 1)
        query = {"query": "{ projectionStatus { name } }"}
        answer = client.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and "errors" not in answer.json()
    with served(settings, **PRODUCTION, public_docs=True) as client:
        assert set(docs_answer(client).values()) == {200}
    with served(settings, public_docs=False) as client:  # development can close them too
        assert docs_answer(client)["/openapi.json"] == 404


def test_every_answer_carries_a_request_id(settings: Settings) -> None:
    with served(settings) as client:
        assert (
            client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"}).headers["X-Request-ID"]
            == "lb-7f3a.1"
        )
        replaced = client.get("/healthz", headers={"X-Request-ID": "32040419900101123X"})
        assert replaced.headers["X-Request-ID"] != "32040419900101123X"
        first, second = client.get("/nowhere"), client.post("/api/v1/cases", json={})
        assert first.status_code == 404 and second.status_code == 401
        ids = {r.headers["X-Request-ID"] for r in (replaced, first, second)}
        assert len(ids) == 3 and all(len(i) == 36 for i in ids)
