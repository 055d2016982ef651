"""GraphQL's own refusals name the argument and what it expects, never the value sent."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from api.graphql.no_echo import scrub
from api.graphql.schema import schema
from api.settings import Settings

NAME, ID_NUMBER = "王小明", "11010519491231002X"
CONTEXT = SimpleNamespace(container=SimpleNamespace(settings=Settings()))


def messages(query: str, variables: dict[str, Any] | None = None) -> list[str]:
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=CONTEXT))
    assert result.errors, "the query was meant to be refused"
    return [e.message for e in result.errors]


@pytest.mark.parametrize(
    ("query", "variables", "still_says"),
    [
        (f'{{ cases(first: "{NAME}") {{ totalCount }} }}', None, "Int cannot represent"),
        ("query($n: Int) { cases(first: $n) { totalCount } }", {"n": ID_NUMBER}, "Variable '$n'"),
        ('{ caseAsOf(id: "c", version: 110105194912310021) { version } }', None,
         "Int cannot represent"),
        (f'{{ caseAsOf(id: "c", at: "{NAME}") {{ version }} }}', None, "DateTime"),
        ("query($f: CaseFilter) { cases(filter: $f) { totalCount } }",
         {"f": {"street": {"name": NAME}, NAME: ID_NUMBER}}, "CaseFilter"),
        ("{ cases(filter: {programme: WANGXIAOMING}) { totalCount } }", None, "String cannot"),
    ],
    ids=["literal", "variable", "number", "datetime", "input-object", "enum"],
)  # fmt: skip
def test_graphql_refusals_do_not_echo_the_value_sent(
    query: str, variables: dict[str, Any] | None, still_says: str
) -> None:
    found = messages(query, variables)
    text = json.dumps(found, ensure_ascii=False)
    for sent in (NAME, ID_NUMBER, "110105194912310021", "WANGXIAOMING"):
        assert sent not in text
    assert still_says in text


def test_scrub_leaves_short_numbers_and_the_schemas_names() -> None:
    message = "Expected value of type 'Int!', found \"王小明\"; first must be 1 to 500"
    assert scrub(message, {"王小明", "500"}) == (
        "Expected value of type 'Int!', found '…'; first must be 1 to 500"
    )
    assert scrub("value: 6222020000001234 at 6222020000001234.5", {"6222020000001234"}) == (
        "value: … at 6222020000001234.5"
    )
