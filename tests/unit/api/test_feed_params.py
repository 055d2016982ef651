"""How the streams read their query and Accept header (api/streams/query.py)."""

from __future__ import annotations

import pytest

from api.streams.query import integer, names, prefers
from domain.shared.errors import InvalidInput
from projections.feed.envelope import BATCH_CONTENT_TYPE


@pytest.mark.parametrize(
    ("accept", "as_object"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", True),
        ("Application/JSON", True),
        ("application/cloudevents-batch+json, application/json", False),  # a tie: the batch
        ("application/json, application/cloudevents-batch+json;q=0.5", True),
        ("application/json;q=0.9, */*", False),  # the batch matches */* at 1
        ("application/json, */*;q=0.1", True),
        ("application/json;q=nonsense", False),
    ],
)
def test_the_json_object_only_when_accept_prefers_it(accept: str | None, as_object: bool) -> None:
    assert prefers(accept, "application/json", BATCH_CONTENT_TYPE) is as_object


@pytest.mark.parametrize("raw", ["", " ", "-1", "+1", "1e3", "0x10", "١", "²", "1" * 20, "1001"])
def test_a_query_integer_is_plain_ascii_digits_in_range(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        integer(raw, "limit", 1, 1000, 100)
    assert refused.value.field == "limit"
    assert not raw.strip() or raw.strip() not in refused.value.message  # never echoed


def test_a_query_integer_defaults_and_trims() -> None:
    assert integer(None, "after", 0, 10, 0) == 0
    assert integer(" 7 ", "after", 0, 10, 0) == 7
    assert integer("0010", "after", 0, 10, 0) == 10
    assert integer("0" * 5000 + "3", "after", 0, 10, 0) == 3  # no 4,300-digit int() limit


def test_names_repeat_and_are_comma_separated_blanks_dropped() -> None:
    assert names(None) == []
    assert names(["a,b", " c ", ",,", ""]) == ["a", "b", "c"]
