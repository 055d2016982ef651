"""Plain rows (api/graphql/plain_rows.py): a list of plain objects completed in one pass gives
exactly graphql-core's answer, errors included, and anything not plain takes graphql-core's
own path."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.graphql.plain_rows import PlainRowsExecutionContext


@strawberry.enum
class Status(enum.Enum):
    ACTIVE = "active"
    ENDED = "ended"


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Street:
    name: str
    district: str | None


@strawberry.type
class Row:
    programme: str
    cases: int
    status: Status
    amount: float | None
    street: Street
    note: str | None = None


@strawberry.type
class Loud:
    programme: str
    shout: str = strawberry.field(default="", extensions=[Shout()])


@strawberry.type
class Resolved:
    programme: str

    @strawberry.field
    def doubled(self) -> str:
        return self.programme * 2


@dataclass
class Wrong:  # a row whose `cases` does not fit the Int scalar
    programme: str = "DIBAO"
    cases: int = 2**40
    status: Status = Status.ACTIVE
    amount: float | None = None
    street: Street | None = None
    note: str | None = None


ROWS: list[Any] = [
    Row(programme="DIBAO", cases=i, status=Status.ACTIVE if i % 2 else Status.ENDED,
        amount=None if i % 3 else 1.5 * i, street=Street(name=f"s{i}", district=None),
        note=None if i % 2 else "n")
    for i in range(20)
]  # fmt: skip
CALLS = {"rows": 0}


@strawberry.type
class Query:
    @strawberry.field
    def rows(self, kind: str = "good") -> list[Row]:
        CALLS["rows"] += 1
        if kind == "too big":
            return [*ROWS[:3], Wrong(street=Street(name="x", district="d"))]  # type: ignore[list-item]
        if kind == "null street":
            return [*ROWS[:2], Wrong(cases=1)]  # type: ignore[list-item]
        return ROWS

    @strawberry.field
    def maybe_rows(self) -> list[Row | None] | None:
        return [ROWS[0], None, ROWS[1]]

    @strawberry.field
    def loud(self) -> list[Loud]:
        return [Loud(programme="a", shout="x"), Loud(programme="b", shout="y")]

    @strawberry.field
    def resolved(self) -> list[Resolved]:
        return [Resolved(programme="ab")]


PLAIN = strawberry.Schema(query=Query, execution_context_class=PlainRowsExecutionContext)
CORE = strawberry.Schema(query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext)


def both(query: str, **variables: Any) -> tuple[Any, Any]:
    def run(schema: strawberry.Schema) -> Any:
        result = asyncio.run(schema.execute(query, variable_values=variables))
        errors = [(e.message, e.path) for e in result.errors or []]
        return result.data, errors

    return run(PLAIN), run(CORE)


QUERIES = [
    "{ rows { programme cases status amount note street { name district } } }",
    "{ rows { n: cases, p: programme, cases, __typename, street { __typename n: name } } }",
    "{ rows { ...R } } fragment R on Row { status ... on Row { amount } }",
    "query($skip: Boolean!) { rows { programme cases @skip(if: $skip) note @include(if: $skip) } }",
    "{ maybeRows { programme street { name } } }",
    '{ rows(kind: "too big") { programme cases } }',
    '{ rows(kind: "null street") { programme street { name } } }',
    '{ rows(kind: "null street") { programme } }',
    "{ loud { programme shout } }",
    "{ resolved { programme doubled } }",
    "{ a: rows { cases } b: rows { programme } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_answer_and_its_errors_are_graphql_cores(query: str) -> None:
    plain, core = both(query, skip=True)
    assert plain == core
    plain, core = both(query, skip=False)
    assert plain == core


def test_a_plain_list_is_completed_without_graphql_cores_per_field_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed: list[str] = []
    real = StrawberryGraphQLCoreExecutionContext.complete_iterable_value

    def spy(self: Any, item_type: Any, *args: Any) -> Any:
        completed.append(str(item_type))
        return real(self, item_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_iterable_value", spy)
    asyncio.run(PLAIN.execute("{ rows { programme street { name } } }"))
    assert completed == []  # one pass: graphql-core never completed an item
    asyncio.run(PLAIN.execute("{ loud { shout } resolved { doubled } }"))
    assert completed == ["Loud!", "Resolved!"]  # an extension, a resolver: the usual path


def test_a_field_with_an_extension_or_a_resolver_still_runs_it() -> None:
    plain, _ = both("{ loud { programme shout } resolved { doubled } }")
    loud = [{"programme": "a", "shout": "X"}, {"programme": "b", "shout": "Y"}]
    assert plain[0] == {"loud": loud, "resolved": [{"doubled": "abab"}]}


def test_a_refused_value_falls_back_with_the_fields_path() -> None:
    plain, _ = both('{ rows(kind: "too big") { programme cases } }')
    data, errors = plain
    assert data is None  # a non-null list item failed: graphql-core nulls up to the root
    assert [path for _, path in errors] == [["rows", 3, "cases"]]
    assert "32-bit" in errors[0][0]


def test_the_plan_is_made_once_per_list_field(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = PlainRowsExecutionContext._compile

    def count(self: Any, row_type: Any, group: Any) -> Any:
        made.append(row_type.name)
        return real(self, row_type, group)

    monkeypatch.setattr(PlainRowsExecutionContext, "_compile", count)
    asyncio.run(PLAIN.execute("{ rows { programme street { name } } }"))
    assert made == ["Row", "Street"]  # not once per row of its 20
