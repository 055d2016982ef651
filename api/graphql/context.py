"""The typed GraphQL context: who asks, the container, and the per-request loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import strawberry
from fastapi import Request, WebSocket
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.container import Container
from api.permissions import Disclosure
from domain.shared.values import Actor
from projections.store import Row
from projections.views import case_timeline


@dataclass
class Context(BaseContext):
    """Made once per request by the router's context getter; resolvers read it through `Info`."""

    container: Container
    actor: Actor | None
    request: Request | WebSocket | None = None
    #: What this request shows of personal data, and what of it in full (api/permissions.py).
    disclosure: Disclosure = field(default_factory=lambda: Disclosure(None))
    #: A websocket's: when its token expires (its `exp`, a Unix time), and why its
    #: connection_init was refused (api/graphql/sockets.py).
    expires_at: float | None = None
    rejection: str | None = None
    #: Timelines of the cases a request shows, fetched in one query per batch (no N+1).
    timelines: DataLoader[str, list[Row]] = field(init=False)

    def __post_init__(self) -> None:
        db = self.container.read_db

        async def load(case_ids: list[str]) -> list[list[Row]]:
            lines = await asyncio.to_thread(case_timeline.for_cases, db, case_ids)
            return [lines.get(case_id, []) for case_id in case_ids]

        self.timelines = DataLoader(load_fn=load, max_batch_size=500)  # a page at most


Info = strawberry.Info[Context, None]
