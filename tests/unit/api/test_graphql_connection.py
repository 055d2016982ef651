"""The one Relay connection: page size, cursors, next page, and a total counted on demand."""

from __future__ import annotations

import asyncio

import pytest
import strawberry

from api.graphql.relay import (
    MAX_PAGE,
    Connection,
    connection,
    cursor,
    page_size,
    uncursor,
)
from domain.shared.errors import InvalidInput

KEYS = [f"k{i}" for i in range(5)]


@pytest.mark.parametrize(("asked", "given"), [(0, 1), (-3, 1), (10, 10), (501, MAX_PAGE)])
def test_first_is_clamped_between_one_and_the_largest_page(asked: int, given: int) -> None:
    assert page_size(asked) == given


def test_a_cursor_stands_for_its_key() -> None:
    assert uncursor(cursor("2f1c-ab")) == "2f1c-ab"
    assert uncursor(None) is None and uncursor("") is None


@pytest.mark.parametrize("bad", ["not base64!", "%%%", cursor("k1") + "!", "a"])
def test_a_cursor_not_given_out_is_bad_input_naming_after(bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        uncursor(bad)
    assert refused.value.field == "after" and refused.value.code == "invalid_input"


async def never() -> int:
    raise AssertionError("counted although nobody asked")


def test_the_extra_row_says_there_is_a_next_page() -> None:
    page = connection(KEYS[:3], 2, key=str, node=str.upper, count=never)
    assert [e.node for e in page.edges] == ["K0", "K1"]
    assert page.page_info.has_next_page is True
    assert page.page_info.end_cursor == cursor("k1")


def test_the_last_page_has_no_next_page() -> None:
    page = connection(KEYS[3:], 2, key=str, node=str.upper, count=never)
    assert [e.cursor for e in page.edges] == [cursor("k3"), cursor("k4")]
    assert page.page_info.has_next_page is False


def test_an_empty_page_has_no_end_cursor() -> None:
    page = connection([], 2, key=str, node=str.upper, count=never)
    assert page.edges == [] and page.page_info.end_cursor is None


# -- totalCount through an in-process schema: counted only when selected --------------------


@strawberry.type
class Item:
    key: str


counted: list[int] = []


async def count_items() -> int:
    counted.append(len(KEYS))
    return len(KEYS)


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int = 2, after: str | None = None) -> Connection[Item]:
        start = KEYS.index(uncursor(after) or "") + 1 if after else 0
        rows = KEYS[start : start + first + 1]
        return connection(rows, first, key=str, node=lambda k: Item(key=k), count=count_items)


SCHEMA = strawberry.Schema(query=Query)


def run(query: str) -> dict[str, object]:
    result = asyncio.run(SCHEMA.execute(query))
    assert result.errors is None and result.data is not None
    return dict(result.data)


def test_the_connection_types_are_named_after_the_node() -> None:
    sdl = SCHEMA.as_str()
    assert "type ItemConnection {" in sdl and "type ItemEdge {" in sdl
    assert "totalCount: Int!" in sdl


def test_the_total_is_counted_only_when_asked_for() -> None:
    counted.clear()
    run("{ items { edges { node { key } } pageInfo { hasNextPage endCursor } } }")
    assert counted == []
    assert run("{ items { totalCount } }") == {"items": {"totalCount": 5}}
    assert counted == [5]


def test_paging_walks_every_item_once() -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        arg = f', after: "{after}"' if after else ""
        page = run(f"{{ items(first: 2{arg}) {{ edges {{ node {{ key }} }} "
                   "pageInfo { hasNextPage endCursor } } }")["items"]  # fmt: skip
        assert isinstance(page, dict)
        seen += [e["node"]["key"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == KEYS
