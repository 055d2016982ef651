"""The GraphQL subscription `events` over a real websocket (graphql-transport-ws), both backends."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import websockets
from builders import WORKER, application
from graphql_ws import (
    EVENTS,
    PROTOCOL,
    bearer,
    codes,
    collect,
    connected,
    quiet,
    reaches,
    subscribe,
    token,
    ws_url,
)
from held_commit import HeldCommit
from pydantic import SecretStr
from stream_support import KeepWriting, commit_cases, log_positions, until

from api import access_record
from api.access_record import AccessFilter
from api.auth import LEEWAY_SECONDS
from api.container import Container
from api.settings import Settings
from api.streams.counters import disconnect_counts
from domain.ledger import Ledger
from projections.feed.envelope import source_of

pytestmark = pytest.mark.e2e


def supervisor(settings: Settings, **options: Any) -> dict[str, Any]:
    return bearer(token(settings, "supervisor", "supervisor-1", **options))


def test_replays_after_a_position_then_goes_live_in_order_while_commits_continue(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    commit_cases(ledger, 4)
    start = log_positions(ledger)[4]  # resume in the middle of the replay

    async def run() -> list[dict[str, Any]]:
        async with connected(server, supervisor(settings)) as ws:
            await subscribe(ws, after=start)
            writer = KeepWriting(ledger, 12).start()  # commits go on through the handover
            stream = await collect(ws, lambda s: len(s.events) >= 5)
            await asyncio.to_thread(writer.join)
            await collect(ws, reaches(log_positions(ledger)[-1]), into=stream)
            return stream.events

    events = asyncio.run(run())
    assert [e["position"] for e in events] == log_positions(ledger, after=start)
    assert len({e["id"] for e in events}) == len(events)
    first = events[0]
    assert first["source"] == source_of(settings.origin)
    assert first["sequence"] == f"{first['position']:020d}"
    assert first["datacontenttype"] == "application/json"


def test_a_reconnecting_subscriber_resumes_exactly_after_its_last_position(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    commit_cases(ledger, 3)

    async def run() -> tuple[list[int], list[int]]:
        async with connected(server, supervisor(settings)) as ws:
            await subscribe(ws)
            before = await collect(ws, lambda s: len(s.events) >= 4)
        last = before.positions[-1]  # the socket is gone; the ledger goes on
        await asyncio.to_thread(commit_cases, ledger, 3)
        async with connected(server, supervisor(settings)) as ws:
            await subscribe(ws, after=last)
            after = await collect(ws, reaches(log_positions(ledger)[-1]))
        return before.positions, after.positions

    before, after = asyncio.run(run())
    assert after == log_positions(ledger, after=before[-1])
    assert after[0] > before[-1]


async def refusal(server: str, payload: Any) -> tuple[int, str]:
    """The close code and reason of a connection_init the server refuses."""
    async with websockets.connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, closed.value.rcvd.reason


def test_a_bad_or_missing_token_or_purpose_closes_the_socket_with_4403_and_a_reason(
    server: str, settings: Settings
) -> None:
    forged = token(
        settings.model_copy(update={"jwt_secret": SecretStr("other" * 8)}), "auditor", "a"
    )
    auditor = token(settings, "auditor", "a", grants=("pii",))
    cases: list[tuple[Any, str]] = [
        ({}, "send the token"),
        ({"Authorization": "Bearer not-a-jwt"}, "cannot be read as a signed JWT"),
        ({"Authorization": "Basic abc"}, "Bearer <token>"),
        ({"token": 42}, "must be a string"),
        ({"token": "FORGED"}, "not valid"),
        (bearer(forged), "signature does not verify"),
        (bearer(auditor, purpose="  "), "purpose is blank"),
        (bearer(auditor, purpose="x" * 10_000), "purpose must be at most"),
    ]
    for payload, reason in cases:
        code, said = asyncio.run(refusal(server, payload))
        assert code == 4403 and reason in said, (payload, said)
        assert "FORGED" not in said and "not-a-jwt" not in said and forged not in said


def test_an_expired_token_ends_the_subscription_with_an_error_then_closes_the_socket(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    commit_cases(ledger, 1)
    before = disconnect_counts().get(("subscription", "token_expired"), 0)
    # Past its `exp`, within the leeway: accepted at connect, no longer 3 s later.
    nearly = supervisor(settings, seconds=3 - LEEWAY_SECONDS)

    async def run() -> tuple[Any, Any]:
        async with connected(server, nearly) as ws:
            await subscribe(ws)
            stream = await collect(ws, timeout=20)  # replays, waits, then the token expires
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return stream, ws.close_code, ws.close_reason

    stream, code, reason = asyncio.run(run())
    assert stream.positions == log_positions(ledger)
    assert stream.completed and codes(stream) == ["token_expired"]
    assert stream.errors[0]["extensions"]["position"] == stream.positions[-1]
    assert code == 4403 and "the token has expired" in reason
    assert disconnect_counts()[("subscription", "token_expired")] == before + 1


def test_an_integrator_reads_only_the_types_its_token_grants(
    server: str, settings: Settings, ledger: Ledger
) -> None:
    commit_cases(ledger, 2)
    granted = "AssistanceCase.ApplicationSubmitted"
    integrator = bearer(token(settings, "integrator", "bank", grants=(f"type:{granted}",)))
    nothing = bearer(token(settings, "integrator", "registry"))

    street_bound = bearer(token(settings, "supervisor", "supervisor-2", street="新闸街道"))

    async def run() -> list[Any]:
        async with connected(server, integrator) as ws:
            await subscribe(ws)
            mine = await collect(ws, lambda s: len(s.events) >= 2)
            await subscribe(ws, op="2", types=["PersonRecord.Opened"])
            other = await collect(ws, op="2")
            await subscribe(ws, op="3", query="{ projectionStatus { name } }")
            query = await collect(ws, op="3")  # the socket is for the streams only
        async with connected(server, nothing) as ws:
            await subscribe(ws)
            none = await collect(ws)
        async with connected(server, street_bound) as ws:
            await subscribe(ws)
            street = await collect(ws)
        return [mine, other, query, none, street]

    mine, other, query, none, street = asyncio.run(run())
    assert {e["type"] for e in mine.events} == {granted}
    assert other.errors[0]["extensions"] == {"code": "FORBIDDEN", "rule": "event_type_scope"}
    assert query.errors[0]["extensions"]["rule"] == "streams_only"
    assert none.errors[0]["extensions"]["rule"] == "event_types_missing"
    assert street.errors[0]["extensions"]["rule"] == "district_only" and not street.events


def test_a_subscription_past_the_most_streams_at_once_is_refused_until_one_ends(
    server: str, settings: Settings, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"stream_max_subscribers": 1})

    async def run() -> tuple[Any, Any]:
        async with connected(server, supervisor(settings)) as ws:
            await subscribe(ws, op="first")
            await asyncio.to_thread(until, lambda: len(container.hub.subscribers) == 1, "live")
            await subscribe(ws, op="second")
            refused = await collect(ws, op="second")
            await ws.send(json.dumps({"id": "first", "type": "complete"}))  # the first ends
            await asyncio.to_thread(until, lambda: not container.hub.subscribers, "it ended")
            await subscribe(ws, op="third")
            third = await collect(ws, lambda s: bool(s.events), op="third")
            return refused, third

    refused, third = asyncio.run(run())
    assert codes(refused) == ["streams_full"] and refused.completed
    assert third.events and not third.errors


def test_bad_arguments_and_documents_over_the_limits_are_refused_naming_why(
    server: str, settings: Settings
) -> None:
    aliases = " ".join(f"a{n}: events {{ id }}" for n in range(settings.graphql_max_aliases + 1))

    async def run() -> list[Any]:
        found = []
        async with connected(server, supervisor(settings)) as ws:
            for n, variables in enumerate(
                [{"types": ["NoSuchType"]}, {"ids": ["not-a-uuid"]}, {"after": -1},
                 {"after": 1_000_000}]  # past the head of an empty ledger
            ):  # fmt: skip
                await subscribe(ws, op=str(n), **variables)
                found.append(await collect(ws, op=str(n)))
            await subscribe(ws, op="limits", query=f"subscription {{ {aliases} }}")
            found.append(await collect(ws, op="limits"))
        return found

    bad_types, bad_ids, bad_after, beyond, too_many = asyncio.run(run())
    assert bad_types.errors[0]["extensions"] == {"code": "invalid_input", "field": "types"}
    assert bad_ids.errors[0]["extensions"] == {"code": "invalid_input", "field": "aggregateIds"}
    assert bad_after.errors[0]["extensions"] == {"code": "invalid_input", "field": "after"}
    assert beyond.errors[0]["extensions"] == {"code": "after_beyond_head", "field": "after"}
    assert "broker" in beyond.errors[0]["message"] and not beyond.events
    assert too_many.completed and too_many.errors[0]["extensions"]["code"] == "TOO_MANY_ALIASES"


def test_personal_data_is_masked_unless_granted_with_a_purpose_and_then_recorded(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    ledger.submit_application(application(), WORKER)
    auditor = token(settings, "auditor", "auditor-1", grants=("pii",))
    submitted = ["AssistanceCase.ApplicationSubmitted"]

    async def first_event(payload: dict[str, Any]) -> dict[str, Any]:
        async with connected(server, payload) as ws:
            await subscribe(ws, types=submitted)
            return (await collect(ws, lambda s: bool(s.events))).events[0]

    masked = asyncio.run(first_event(supervisor(settings)))
    no_purpose = asyncio.run(first_event(bearer(auditor)))
    full = asyncio.run(first_event(bearer(auditor, purpose="核对低保资格")))
    name = json.dumps(full["data"], ensure_ascii=False)
    assert "测试甲" in name
    for shown in (masked, no_purpose):
        assert "测试甲" not in json.dumps(shown["data"], ensure_ascii=False)
    rows = access_record.page(container.db, AccessFilter(user="auditor-1"), None, 10)
    assert rows and {r["via"] for r in rows} == {"subscription"}
    assert {r["purpose"] for r in rows} == {"核对低保资格"}


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_held_open_transaction_never_lets_the_subscription_skip(
    server: str, settings: Settings, ledger: Ledger, database_url: str
) -> None:
    async def run() -> tuple[list[int], list[int]]:
        async with connected(server, supervisor(settings)) as ws:
            await subscribe(ws)
            await asyncio.to_thread(commit_cases, ledger, 1)
            live = await collect(ws, reaches(log_positions(ledger)[-1]))
            with HeldCommit(database_url) as held:
                await asyncio.to_thread(held.start, lambda: commit_cases(ledger, 1))
                await asyncio.to_thread(held.queue, 2, lambda: commit_cases(ledger, 1))
                # The held writer's positions are taken, not committed: nothing may arrive.
                await quiet(ws, 1.0, into=live)
                while_held = list(live.positions)
            await collect(ws, reaches(log_positions(ledger)[-1]), into=live)
            return while_held, live.positions

    while_held, everything = asyncio.run(run())
    assert while_held == everything[: len(while_held)]
    assert len(everything) > len(while_held)  # the three held writers' events came after
    assert everything == log_positions(ledger)  # none skipped, in order


def test_only_graphql_transport_ws_is_spoken_and_plain_http_cannot_subscribe(
    server: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="caseledger.access")

    async def old_protocol() -> int | None:
        legacy = websockets.Subprotocol("graphql-ws")
        async with websockets.connect(ws_url(server), subprotocols=[legacy]) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(old_protocol()) == 4406
    lines = [r for r in caplog.records if r.name == "caseledger.access"]
    assert any(getattr(r, "path", None) == "/graphql" and r.status == 101 for r in lines)
    answer = httpx.post(
        f"{server}/graphql",
        json={"query": EVENTS},
        headers={
            "Authorization": f"Bearer {token(settings, 'supervisor', 's')}",
            "Accept": "multipart/mixed;subscriptionSpec=1.0,application/json",
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert "subscriptions are not allowed" in answer.json()["detail"]
