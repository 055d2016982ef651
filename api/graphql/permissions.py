"""GraphQL field extensions that apply api/permissions.py: declared on each personal field.

A type holds the view's values as they are; the field decides, per request, what the caller
sees (`strawberry.field(extensions=[Masked(Personal.NAME)])`). Today nothing is denied, only
masked; the later role/area rules belong in api/permissions.py and reach every field from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from api.permissions import Opener, Personal, redacted, shown
from domain.shared.values import Actor


def _personal(info: Info[Any, Any]) -> Opener | None:
    """What opens the sealed values of the views: the ledger's per-person keys."""
    container = getattr(info.context, "container", None)
    return getattr(getattr(container, "ledger", None), "personal", None)


def _actor(info: Info[Any, Any]) -> Actor | None:
    """The caller (None on the IDE page, which has no token): sees masks."""
    actor = getattr(info.context, "actor", None)
    return actor if isinstance(actor, Actor) else None


class Masked(FieldExtension):
    """Show a name, ID number or bank account in full or masked, by the caller's role."""

    def __init__(self, kind: Personal):
        self.kind = kind

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        return shown(next_(source, info, **kwargs), self.kind, _actor(info), _personal(info))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        value = await next_(source, info, **kwargs)
        return shown(value, self.kind, _actor(info), _personal(info))


class Redacted(FieldExtension):
    """Event data (JSON) with its `personal` blocks masked for roles that may not see them."""

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        return redacted(next_(source, info, **kwargs), _actor(info))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        return redacted(await next_(source, info, **kwargs), _actor(info))


def masked(kind: Personal, description: str | None = None) -> Any:
    """A personal-data field: `applicant_name: str | None = masked(Personal.NAME)`."""
    return strawberry.field(description=description, extensions=[Masked(kind)])
