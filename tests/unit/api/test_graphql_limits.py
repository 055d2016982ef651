"""The GraphQL limits on the document alone: what a query costs, and where each limit falls."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import get_introspection_query, parse, validate

from api.graphql.limits import Limits, check_document, check_size, measure, parsed
from api.graphql.schema import schema
from api.settings import Settings

README = Path(__file__).parents[3] / "README.md"
SCHEMA = schema._schema


def codes(query: str, limits: Limits | None = None, **variables: Any) -> list[str]:
    errors = check_document(SCHEMA, parse(query), variables, limits or Limits())
    return [str((e.extensions or {})["code"]) for e in errors]


def cost_of(query: str, **variables: Any) -> int:
    return measure(SCHEMA, parse(query), variables, Limits()).cost


def test_each_field_costs_once_per_row_it_is_fetched_for() -> None:
    # cases 1, edges 1; node, id, timeline once per case (100); version once per timeline
    # entry, counted at the default page (50) per case.
    query = "{ cases(first: 100) { edges { node { id timeline { version } } } } }"
    assert cost_of(query) == 1 + 1 + 3 * 100 + 100 * 50
    assert cost_of("{ cases { edges { node { id } } } }") == 1 + 1 + 2 * 50  # default page
    assert cost_of("{ cases(first: 2) { totalCount pageInfo { hasNextPage } } }") == 4


def test_first_is_read_from_variables_and_their_defaults() -> None:
    query = "query($n: Int = 7) { cases(first: $n) { edges { node { id } } } }"
    assert cost_of(query) == 2 + 2 * 7
    assert cost_of(query, n=20) == 2 + 2 * 20
    assert codes(query, n=501) == ["PAGE_TOO_LARGE"]


def test_fragments_count_where_they_are_spread() -> None:
    query = """{ a: cases(first: 10) { ...Page } b: cases(first: 20) { ...Page } }
      fragment Page on CaseConnection { edges { node { ... on Case { id status } } } }"""
    assert cost_of(query) == (2 + 3 * 10) + (2 + 3 * 20)


def test_a_fragment_bomb_is_stopped_at_the_cost_limit_quickly() -> None:
    defs = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)]
    query = "{ ...F0 } " + " ".join(defs) + " fragment F40 on Query { projectionStatus { name } }"
    started = time.perf_counter()
    assert codes(query) == ["QUERY_TOO_COSTLY"]  # 2**40 spreads: never walked to the end
    assert time.perf_counter() - started < 5


def test_a_fragment_that_spreads_itself_does_not_loop() -> None:
    query = "{ ...A } fragment A on Query { projectionStatus { name } ...A }"
    assert codes(query) == []  # validation refuses the cycle (NoFragmentCycles)


@pytest.mark.parametrize(
    ("limits", "at", "over", "code"),
    [
        (Limits(max_depth=3), "{ cases { edges { node } } }",
         "{ cases { edges { node { id } } } }", "QUERY_TOO_DEEP"),
        (Limits(max_aliases=2), "{ a: projectionStatus { name } b: projectionStatus { name } }",
         "{ a: projectionStatus { n: name } b: projectionStatus { name } }", "TOO_MANY_ALIASES"),
        (Limits(max_page=20), "{ cases(first: 20) { totalCount } }",
         "{ cases(first: 21) { totalCount } }", "PAGE_TOO_LARGE"),
        (Limits(max_cost=2 + 2 * 30), "{ cases(first: 30) { edges { node { id } } } }",
         "{ cases(first: 31) { edges { node { id } } } }", "QUERY_TOO_COSTLY"),
    ],
    ids=["depth", "aliases", "page", "cost"],
)  # fmt: skip
def test_exactly_at_a_limit_passes_and_one_over_is_refused(
    limits: Limits, at: str, over: str, code: str
) -> None:
    assert codes(at, limits) == []
    assert codes(over, limits) == [code]


def test_the_document_size_is_refused_before_parsing() -> None:
    limits = Limits(max_chars=60, max_tokens=8)
    assert check_size("{ projectionStatus { name } }".ljust(60), limits).definitions
    with pytest.raises(Exception) as chars:
        check_size("{ projectionStatus { name } }".ljust(61), limits)
    assert getattr(chars.value, "extensions", {})["code"] == "QUERY_TOO_LONG"
    assert check_size("{ projectionStatus { name position } }", limits)  # 7 tokens
    assert check_size("{ projectionStatus { name position lag } }", limits)  # 8 tokens
    with pytest.raises(Exception) as tokens:
        check_size("{ projectionStatus { name position lag error } }", limits)  # 9
    assert getattr(tokens.value, "extensions", {}) == {
        "code": "QUERY_TOO_LONG", "limit": 8, "found": 9
    }  # fmt: skip


def test_graphiqls_introspection_query_passes_the_default_limits() -> None:
    document = check_size(get_introspection_query(descriptions=True), Limits())
    assert check_document(SCHEMA, document, {}, Limits()) == []


def readme_queries() -> list[str]:
    """Every GraphQL query the README shows: ```graphql blocks and the tour's curl query."""
    text = README.read_text()
    blocks = re.findall(r"```graphql\n(.*?)```", text, re.S)
    tour = re.search(r'"query":\s*\n\s*"(.*?)"}\'', text, re.S)
    assert tour, "the tour's query is no longer in the README"
    found = [*blocks, tour.group(1).replace("\\\"'$C'\\\"", '"c"')]
    inline = re.findall(r"^- `((?:cases|caseload)\(.*?\))`", text, re.M)
    found += ["{ " + q + " { __typename } }" for q in inline]
    return found


@pytest.mark.parametrize("query", readme_queries())
def test_every_query_in_the_readme_passes_the_default_limits(query: str) -> None:
    document = check_size(query, Limits())
    assert check_document(SCHEMA, document, {}, Limits()) == []
    assert validate(SCHEMA, document) == [], query


def execute(query: str, settings: Settings) -> Any:
    context = SimpleNamespace(container=SimpleNamespace(settings=settings), actor=None)
    return asyncio.run(schema.execute(query, context_value=context))


def test_the_limits_come_from_the_settings_and_can_be_turned_off() -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(4)) + " }"
    strict = execute(query, Settings(graphql_max_aliases=3))
    assert strict.data is None
    assert strict.errors[0].extensions["code"] == "TOO_MANY_ALIASES"
    off = execute(query, Settings(graphql_max_aliases=3, graphql_limits=False))
    assert off.errors is None and off.data == {f"a{i}": "Query" for i in range(4)}


def test_the_page_refusal_does_not_repeat_the_number_asked_for() -> None:
    query = "{ cases(first: 110105194912310021) { totalCount } }"
    (error,) = check_document(SCHEMA, parse(query), {}, Limits())
    assert error.extensions == {"code": "PAGE_TOO_LARGE", "limit": 500, "field": "first"}
    assert "110105" not in error.message and "110,105" not in error.message


def execute_with(query: str, settings: Settings, **variables: Any) -> Any:
    context = SimpleNamespace(container=SimpleNamespace(settings=settings), actor=None)
    return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))


def test_a_repeated_document_is_parsed_once_and_still_held_to_the_limits() -> None:
    query = "query($n: Int!) { a: __typename cases(first: $n) { totalCount } }"
    settings = Settings(graphql_max_page=20)
    limits = Limits.from_settings(settings)
    parsed.cache_clear()

    assert execute_with(query, settings, n=500).errors[0].extensions["code"] == "PAGE_TOO_LARGE"
    again = execute_with(query, settings, n=500)  # the same text, from the cache
    assert again.errors[0].extensions["code"] == "PAGE_TOO_LARGE"
    assert parsed.cache_info().hits >= 1
    assert parsed(query, limits) is parsed(query, limits)
    strict = execute_with(query, Settings(graphql_max_page=20, graphql_max_aliases=0), n=5)
    assert strict.errors[0].extensions["code"] == "TOO_MANY_ALIASES"  # other limits, refused


def test_an_invalid_document_gets_its_own_errors_every_time() -> None:
    query = "{ nosuchfield }"
    first = execute(query, Settings())
    second = execute(query, Settings())
    assert first.data is None and second.data is None
    assert [e.message for e in first.errors] == [e.message for e in second.errors]
    assert "nosuchfield" in first.errors[0].message
    assert first.errors[0] is not second.errors[0]  # never shared between two requests
