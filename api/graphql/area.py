"""Who may read which root field, and the caller's street: the one place every resolver asks.

`ReadAccess` checks each root field against `domain.shared.access.READS` before it resolves
(an integrator gets only `viewer`: its data comes from the event streams). A street-bound caller
(a caseworker, a supervisor with a street) sees its street only: lists are narrowed in SQL
with `narrowed`, aggregates take `street_of`, and one object elsewhere is refused with
`check_street`, an error on that field (code FORBIDDEN), never the object. A figure asked
for one street (`street:` arguments) goes through `asked_street`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from api.graphql.context import Info
from domain.shared import access
from domain.shared.errors import Forbidden, InvalidInput
from projections.keyset import Keyset


def street_of(info: Info) -> str | None:
    """The street the caller is bound to, or None when it reads the whole district."""
    actor = info.context.actor
    return access.area_of(actor) if actor is not None else None


def narrowed(found: Keyset, info: Info, column: str = "street") -> Keyset:
    """The same rows, only those of the caller's street: paging and counts stay correct."""
    street = street_of(info)
    if street is None:
        return found
    return dataclasses.replace(
        found, condition=f"({found.condition}) AND {column} = %s", params=(*found.params, street)
    )


def own_street(info: Info, filters: dict[str, Any]) -> dict[str, Any]:
    """The filters with a street-bound caller's street; asking another street is refused."""
    street = street_of(info)
    if street is None:
        return filters
    check_street(info, filters.get("street") or street, "street's figures")
    return {**filters, "street": street}


#: The longest street name accepted as an argument (the district's are a few characters).
MAX_STREET = 50


#: The `street` argument of a figure narrowed to one street (the resolver calls asked_street).
StreetArgument = Annotated[
    str | None,
    strawberry.argument(
        description="narrow to one street; a street-bound caller gets its own street, and "
        "asking another is FORBIDDEN",
    ),
]


def asked_street(info: Info, street: str | None, field: str = "street") -> str | None:
    """The street a figure is narrowed to: a street-bound caller's own always (asking another
    is FORBIDDEN), else the one asked, or None for the whole district.

    An empty street means the whole district, as in the list filters. The ledger keeps no
    register of the district's streets (they come with the records), so a street is checked
    for its shape only: an unknown one has no records and counts zero.
    """
    street = (street or "").strip() or None
    if street is not None and (len(street) > MAX_STREET or not street.isprintable()):
        raise InvalidInput(
            f"a street name of at most {MAX_STREET} printable characters, or null (or "
            '"") for the whole district',
            field=field,
        )
    bound = street_of(info)
    if bound is None:
        return street
    check_street(info, street or bound, "street")
    return bound


def check_street(info: Info, street: str | None, what: str) -> None:
    access.check_street(info.context.actor, street, what)


class ReadAccess(SchemaExtension):
    """Refuse a root field the caller's role may not read, before its resolver runs."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        if info.parent_type is info.schema.query_type:
            actor = info.context.actor
            found = access.read_rule(info.field_name)
            streams_only = found is None or "integrator" not in found[1].roles
            if actor is not None and actor.role == "integrator" and streams_only:
                raise Forbidden(
                    "rule `streams_only`: an integrator reads the event streams, not GraphQL",
                    code="streams_only",
                )
            if not info.field_name.startswith("__"):
                access.check_read(info.field_name, actor)
        return _next(root, info, *args, **kwargs)
