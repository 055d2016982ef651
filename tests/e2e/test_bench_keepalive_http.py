"""The benchmarks' keep-alive client (bench/keepalive.py) against the real server: one
connection for many requests, a command and a query answered as httpx would read them, and a
new connection after the server closes one."""

from __future__ import annotations

import http.client
import socket
from typing import Any

import pytest
from builders import application

from api.auth import issue_token
from api.settings import Settings
from bench.keepalive import Answer, KeepAlive, TransportError


def token(settings: Settings) -> str:
    secret = settings.jwt_secret.get_secret_value()
    return issue_token(secret, "bench-worker", "caseworker", "新闸街道", 1)


def test_one_connection_carries_a_command_and_a_query(server: str, settings: Settings) -> None:
    seen: list[Answer] = []
    headers = {"Authorization": f"Bearer {token(settings)}"}
    with KeepAlive(server, headers, on_answer=seen.append) as client:
        submitted = client.post("/api/v1/cases", json=application())
        assert submitted.status_code == 201 and submitted.is_success, submitted.text
        case = submitted.json()
        query = "query($id: ID!) { case(id: $id) { id status } }"
        asked = client.post(
            "/graphql", json={"query": query, "variables": {"id": case["id"]}},
            headers={"X-Min-Position": str(case["position"])},  # the view has the case
        )  # fmt: skip
        assert asked.json()["data"]["case"] == {"id": case["id"], "status": "submitted"}
        used = client._conn.sock.getsockname()
        assert client.get("/healthz").status_code == 200
        assert client._conn.sock.getsockname() == used
    assert [a.status_code for a in seen] == [201, 200, 200]


def test_a_refused_answer_is_an_answer_and_a_closed_connection_is_opened_again(
    server: str,
) -> None:
    with KeepAlive(server) as client:
        refused = client.post("/api/v1/cases", json={"programme": "DIBAO"})
        assert refused.status_code == 401 and not refused.is_success
        assert refused.json()["status"] == 401  # the problem+json body, read whole
        client._conn.sock.shutdown(socket.SHUT_RDWR)
        with pytest.raises(TransportError):
            client.get("/healthz")
        assert client.get("/healthz").status_code == 200  # a fresh connection


def test_only_plain_http_bases(server: str) -> None:
    for base in ("https://127.0.0.1:1", "127.0.0.1:8000"):
        with pytest.raises(ValueError, match="http://host:port"):
            KeepAlive(base)
    broken: Any = KeepAlive("http://127.0.0.1:1", timeout=2)
    with pytest.raises(TransportError):
        broken.get("/healthz")
    assert issubclass(http.client.RemoteDisconnected, TransportError)
