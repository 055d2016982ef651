"""Limits over real HTTP: GraphQL queries over a limit and bodies over the size limit refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from stream_support import SQLITE_ONLY
from test_graphql_http import Statements

from api.container import Container
from api.settings import Settings

# On SQLite only: the limits are the HTTP and GraphQL layers' own, checked before any resolver
# reads the store (what a refused query does not run is seen through Statements), and at a
# limit the queries run on an empty database. Queries running on PostgreSQL are
# test_graphql_http's and the views' tests'.
pytestmark = [pytest.mark.e2e, SQLITE_ONLY]

MIB = 1024 * 1024
CHEAP = "{ cases(first: 1) { edges { node { id } } } }"


def ask(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return dict(r.json())


def refused(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["data"] is None, answer
    (error,) = answer["errors"]
    return dict(error)


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: cases(first: 1) {{ totalCount }}" for i in range(n)) + " }"


def nested(depth: int) -> str:
    """`cases { edges { node { id { x { x ... } } } } }`: `depth` fields deep, unknown below 4."""
    inner = "x"
    for _ in range(depth - 5):
        inner = f"x {{ {inner} }}"
    return "{ cases { edges { node { id { " + inner + " } } } } }"


def tokens(n: int) -> str:
    """A document of exactly `n` tokens (a string is one): 12 around `n - 12` unknown groups."""
    return "{ caseload(groupBy: [ " + '"x" ' * (n - 12) + "]) { cases } }"


TIMELINES = "{ cases(first: 500) { edges { node { timeline { version eventType actorUser %s }}}}}"

OVER = [
    (nested(11), "QUERY_TOO_DEEP", 10),
    (aliases(31), "TOO_MANY_ALIASES", 30),
    ("{ cases(first: 501) { edges { node { id } } } }", "PAGE_TOO_LARGE", 500),
    # 1 + 1 + 2 x 500 + 4 x 500 x 50 = 101,002
    (TIMELINES % "summary", "QUERY_TOO_COSTLY", 100_000),
    (tokens(5_001), "QUERY_TOO_LONG", 5_000),
    (CHEAP + " " * (50_001 - len(CHEAP)), "QUERY_TOO_LONG", 50_000),
]


@pytest.mark.parametrize(("query", "code", "limit"), OVER, ids=[f"{o[1]}-{o[2]}" for o in OVER])
def test_a_query_over_a_limit_is_refused_naming_it_and_nothing_is_resolved(
    supervisor: httpx.Client,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    code: str,
    limit: int,
) -> None:
    statements = Statements(container, monkeypatch)
    error = refused(ask(supervisor, query))
    assert error["extensions"]["code"] == code
    assert error["extensions"]["limit"] == limit
    assert f"the limit is {limit:,}" in error["message"]
    assert statements.on("case_summary") == []  # refused before any resolver ran its query
    assert "errors" not in ask(supervisor, CHEAP)  # and the next query is answered
    assert len(statements.on("case_summary")) == 1  # (which the listener does see)


AT = [
    nested(10),
    aliases(30),
    "{ cases(first: 500) { edges { node { id } } } }",
    TIMELINES % "",  # 1 + 1 + 2 x 500 + 3 x 500 x 50 = 76,002
    tokens(5_000),
    CHEAP + " " * (50_000 - len(CHEAP)),
]


@pytest.mark.parametrize("query", AT, ids=[f"{o[1]}-at-{o[2]}" for o in OVER])
def test_a_query_exactly_at_a_limit_is_not_refused_for_it(
    supervisor: httpx.Client, query: str
) -> None:
    answer = ask(supervisor, query)
    codes = [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]
    assert not {c for c in codes if c and c.isupper()}, answer  # no limit's code
    if "x {" not in query:  # the deep one names unknown fields: only validation refuses it
        assert "errors" not in answer, answer


def test_the_page_size_limit_reads_variables_too(supervisor: httpx.Client) -> None:
    query = "query($n: Int!) { cases(first: $n) { edges { node { id } } } }"
    error = refused(ask(supervisor, query, n=501))
    assert error["extensions"] == {"code": "PAGE_TOO_LARGE", "limit": 500, "field": "first"}
    assert "errors" not in ask(supervisor, query, n=500)


def padded(size: int) -> bytes:
    """A JSON GraphQL request of exactly `size` bytes (spaces after the query)."""
    body = json.dumps({"query": CHEAP}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_a_body_over_the_limit_is_refused_by_its_content_length(
    supervisor: httpx.Client,
) -> None:
    r = supervisor.post("/graphql", content=padded(MIB + 1),
                        headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "body_too_large" and r.json()["limit"] == MIB
    at = supervisor.post("/graphql", content=padded(MIB),
                         headers={"content-type": "application/json"})  # fmt: skip
    assert at.status_code == 200 and "errors" not in at.json(), at.text


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_without_a_length_is_cut_at_the_limit(supervisor: httpx.Client) -> None:
    r = supervisor.post("/graphql", content=chunks(padded(MIB + 1)),
                        headers={"content-type": "application/json"})  # fmt: skip
    assert "content-length" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "body_too_large"
    at = supervisor.post("/graphql", content=chunks(padded(MIB)),
                         headers={"content-type": "application/json"})  # fmt: skip
    assert at.status_code == 200 and "errors" not in at.json(), at.text


def test_rest_commands_have_the_limit_and_settlement_files_their_own(
    worker: httpx.Client, settings: Settings
) -> None:
    big = b'{"programme": "DIBAO", "x": "' + b"a" * (MIB + 1) + b'"}'
    r = worker.post("/api/v1/cases", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["limit"] == settings.max_request_bytes
    settlement = "/api/v1/payroll-runs/00000000-0000-0000-0000-000000000000/settlement"
    csv = {"content-type": "text/csv"}
    r = worker.post(settlement, content=b"x" * (2 * MIB), headers=csv)
    assert r.status_code != 413, r.text  # a large file reaches the command (no such run here)
    over = settings.max_settlement_bytes + 1
    r = worker.post(settlement, content=chunks(b"x" * over, MIB), headers=csv)
    assert r.status_code == 413, r.text
    assert r.json()["limit"] == settings.max_settlement_bytes


def test_a_group_the_stats_do_not_have_is_refused_without_echoing_it(
    supervisor: httpx.Client,
) -> None:
    query = "query($g: [String!]) { temporaryAssistanceStats(groupBy: $g) { households } }"
    answer = ask(supervisor, query, g=["street", "王小明"])
    text = json.dumps(answer, ensure_ascii=False)
    assert "王小明" not in text
    (error,) = answer["errors"]
    assert error["extensions"] == {"code": "invalid_input", "field": "groupBy"}
    assert (
        error["message"]
        == "groupBy may name only year, month, type, street; item 2 is none of these"
    )


def test_a_rest_path_that_is_no_id_is_refused_without_echoing_it(worker: httpx.Client) -> None:
    r = worker.post("/api/v1/cases/王小明/accept", json={"occurred_on": "2024-03-01"})
    assert r.status_code == 422
    assert "王" not in r.text and r.json()["errors"][0]["field"] == "id"
