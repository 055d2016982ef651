"""The integrator streams' cells of the role matrix, for the two ways in that stream: server-
sent events and the GraphQL subscription. They are the feed's cells (tests/e2e/
test_access_matrix.py STREAM_READS), because all three decide in api/streams/access.py; this
proves the streaming transports ask it too, before anything is sent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from builders import WORKER, application
from graphql_ws import bearer, collect, connected, subscribe, token
from test_access_matrix import (
    GRANTS,
    STREAM_ROLES,
    TOKENS,
    clients,
    district,
    no_types,
    ok,
    outcome_of_post,
    role,
    scope,
)

from api.settings import Settings
from domain.ledger import Ledger

pytestmark = pytest.mark.e2e
__all__ = ["clients"]  # the fixture, used by name

#:                   cw_A  cw_B  approver sup_A    sup_dis auditor integr    admin int_typed
EVERY_TYPE = [role, role, ok, district, ok, ok, no_types, role, ok]
PAYOUTS = [role, role, ok, district, ok, ok, no_types, role, scope]
FILTERS = [("every type", None, EVERY_TYPE), ("payouts", "Payout.PayoutSettled", PAYOUTS)]


def sse_outcome(client: httpx.Client, types: str | None, after: int) -> str:
    """Open the stream and leave at once: allowed (200, an event stream) or 403's rule."""
    params: dict[str, Any] = {"after": after}
    if types:
        params["types"] = types
    with client.stream("GET", "/api/v1/events/stream", params=params) as answer:
        if answer.status_code == 200:
            assert answer.headers["content-type"].startswith("text/event-stream")
            return ok
        answer.read()
        return outcome_of_post(answer)


def test_every_role_against_the_server_sent_events(
    ledger: Ledger, clients: dict[str, httpx.Client]
) -> None:
    after = ledger.submit_application(application(), WORKER).position
    wrong = []
    for family, types, cells in FILTERS:
        for name, expected in zip(STREAM_ROLES, cells, strict=True):
            got = sse_outcome(clients[name], types, after)
            if got != expected:
                wrong.append(f"SSE {family} as {name}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


async def subscription_outcome(
    server: str, settings: Settings, name: str, types: str | None, after: int
) -> str:
    """Subscribe: allowed (an event arrives) or refused (an error naming the rule)."""
    token_role, street = TOKENS[name]
    text = token(settings, token_role, f"matrix-{name}", grants=GRANTS.get(name, ()),
                 street=street)  # fmt: skip
    async with connected(server, bearer(text)) as ws:
        variables: dict[str, Any] = {"after": after}
        if types:
            variables["types"] = [types]
        await subscribe(ws, **variables)
        stream = await collect(ws, until=lambda s: bool(s.events))
    if stream.events:
        return ok
    extensions = stream.errors[0].get("extensions") or {}
    return str(extensions.get("rule") or extensions.get("code"))


def test_every_role_against_the_subscription(
    ledger: Ledger, server: str, settings: Settings
) -> None:
    ledger.submit_application(application(), WORKER)
    wrong = []

    async def run() -> None:
        for family, types, cells in FILTERS:
            for name, expected in zip(STREAM_ROLES, cells, strict=True):
                if types and expected == ok:  # no payout yet: allowed means no error soon
                    got = await quiet_outcome(server, settings, name, types)
                else:
                    got = await subscription_outcome(server, settings, name, types, 0)
                if got != expected:
                    wrong.append(f"subscription {family} as {name}: expected {expected}, got {got}")

    asyncio.run(run())
    assert wrong == [], "\n".join(wrong)


async def quiet_outcome(server: str, settings: Settings, name: str, types: str) -> str:
    """A subscription with nothing to send yet: allowed when no error comes within a second."""
    try:
        return await asyncio.wait_for(subscription_outcome(server, settings, name, types, 0), 1.0)
    except TimeoutError:
        return ok
