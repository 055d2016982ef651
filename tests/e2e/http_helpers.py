"""What every HTTP test says: post, expect success or a problem+json, ask GraphQL."""

from __future__ import annotations

from typing import Any

import httpx


def post(
    client: httpx.Client, path: str, body: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(path, json=body, headers=headers or {})


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return dict(response.json())


#: The purpose a test gives when it reads personal data in full (X-Purpose).
PURPOSE = "e2e test: checking the case file"


def graphql(
    client: httpx.Client,
    query: str,
    min_position: int | None = None,
    purpose: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """POST a query (waiting for the views to reach `min_position`, giving `purpose` as
    X-Purpose when personal data is read in full); fail on any error."""
    headers = {"X-Min-Position": str(min_position)} if min_position else {}
    if purpose is not None:
        headers["X-Purpose"] = purpose
    r = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return dict(body["data"])
