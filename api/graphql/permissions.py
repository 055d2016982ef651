"""GraphQL field extensions that apply api/permissions.py: declared on each personal field.

A type holds the view's values as they are; the field decides, per request, what the caller
sees (`strawberry.field(extensions=[Masked(Personal.NAME)])`) through the request's
`Disclosure`, which also notes what was shown in full, and whose: a type with personal fields
says whose they are with a `personal_subject()` method (a person id and/or a case id).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from api.permissions import Disclosure, Opener, Personal, Subject
from domain.shared.values import Actor


def _personal(info: Info[Any, Any]) -> Opener | None:
    """What opens the sealed values of the views: the ledger's per-person keys."""
    container = getattr(info.context, "container", None)
    return getattr(getattr(container, "ledger", None), "personal", None)


def _actor(info: Info[Any, Any]) -> Actor | None:
    """The caller (None on the IDE page, which has no token): sees masks."""
    actor = getattr(info.context, "actor", None)
    return actor if isinstance(actor, Actor) else None


def disclosure(info: Info[Any, Any]) -> Disclosure:
    """The request's disclosure; a context without one (a bare schema) gets a purposeless one."""
    found = getattr(info.context, "disclosure", None)
    if isinstance(found, Disclosure):
        return found
    made = Disclosure(_actor(info), personal=_personal(info))
    with contextlib.suppress(AttributeError):  # a frozen context: one per field, no purpose
        info.context.disclosure = made
    return made


def subject_of(source: Any) -> Subject:
    """Whose the personal fields of `source` are; a type that cannot say is a bug."""
    method = getattr(source, "personal_subject", None)
    if method is None:
        raise TypeError(f"{type(source).__name__} has personal fields but no personal_subject()")
    subject = method()
    assert isinstance(subject, Subject)
    return subject


class Masked(FieldExtension):
    """Show a name, ID number, bank account or phone number in full or masked, by the caller."""

    def __init__(self, kind: Personal):
        self.kind = kind

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        return disclosure(info).show(next_(source, info, **kwargs), self.kind, subject_of(source))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        value = await next_(source, info, **kwargs)
        return disclosure(info).show(value, self.kind, subject_of(source))


class Redacted(FieldExtension):
    """Event data (JSON) with its `personal` blocks masked for roles that may not see them."""

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        return disclosure(info).redact(next_(source, info, **kwargs), subject_of(source))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        value = await next_(source, info, **kwargs)
        return disclosure(info).redact(value, subject_of(source))


def masked(kind: Personal, description: str | None = None) -> Any:
    """A personal-data field: `applicant_name: str | None = masked(Personal.NAME)`."""
    return strawberry.field(description=description, extensions=[Masked(kind)])
