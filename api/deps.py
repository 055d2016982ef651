"""Annotated dependencies shared by the routers (tests override `get_container`).

They are cheap and never block, so they are `async`: no thread-pool hop per dependency.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from starlette.requests import HTTPConnection

from api.auth import actor_from_header
from api.container import Container
from domain.shared.errors import InvalidInput
from domain.shared.values import Actor


async def get_container(request: HTTPConnection) -> Container:
    """The app's container, for a request or a websocket alike."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def current_actor(
    container: ContainerDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    return actor_from_header(container.settings, authorization)


ActorDep = Annotated[Actor, Depends(current_actor)]


async def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput("If-Match must be the aggregate version, e.g. 3", field="If-Match")
    return int(value)


IfMatchDep = Annotated[int | None, Depends(if_match)]


async def idempotency_key(
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> str | None:
    return key or None


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]
