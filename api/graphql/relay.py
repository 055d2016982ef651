"""One Relay connection for every paged list: `Connection[Node]`, its edges, cursors and limit.

A list is fetched with `first + 1` rows (keyset-paged on a unique key); the extra row only says
whether there is a next page. `totalCount` is a resolver: its COUNT runs only when asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from domain.shared.errors import InvalidInput

N = TypeVar("N")
R = TypeVar("R")

#: The most rows one page may ask for; `first` is clamped to 1..MAX_PAGE.
MAX_PAGE = 500
DEFAULT_PAGE = 50


def page_size(first: int) -> int:
    """`first` clamped to 1..MAX_PAGE, so no query asks for nothing or for everything."""
    return max(1, min(first, MAX_PAGE))


def cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def uncursor(value: str | None) -> str | None:
    """The key a cursor stands for; a cursor we did not give out is bad input (`after`)."""
    if not value:
        return None
    try:
        key = base64.urlsafe_b64decode(value.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        key = None
    if key is None or cursor(key) != value:  # the decoder skips characters it does not know
        raise InvalidInput("the cursor is not one this API gave out", field="after")
    return key


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


async def _total_count(root: Connection[object]) -> int:
    """Run the COUNT now: only a query that selects `totalCount` gets here."""
    return await root.count_all()


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    """Named after its node by strawberry: `Connection[Case]` is `CaseConnection`."""

    edges: list[Edge[N]]
    page_info: PageInfo
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]
    total_count: int = strawberry.field(
        resolver=_total_count,
        description="all that match the filter; counted only when asked for",
    )


def connection(
    rows: Sequence[R],
    first: int,
    *,
    key: Callable[[R], str],
    node: Callable[[R], N],
    count: Callable[[], Awaitable[int]],
) -> Connection[N]:
    """A page from `first + 1` rows fetched after the cursor; `count` runs only if asked for."""
    page = rows[:first]
    edges = [Edge(node=node(r), cursor=cursor(key(r))) for r in page]
    info = PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None)
    return Connection(edges=edges, page_info=info, count_all=count)
