"""The paged feed's own reading of its query and Accept header (api/streams/feed.py)."""

from __future__ import annotations

import pytest

from api.streams.feed import _integer, _names, _wants_object
from domain.shared.errors import InvalidInput


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
    assert _wants_object(accept) is as_object


@pytest.mark.parametrize("raw", ["", " ", "-1", "+1", "1e3", "0x10", "١", "²", "1" * 20, "1001"])
def test_a_query_integer_is_plain_ascii_digits_in_range(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _integer(raw, "limit", 1, 1000, 100)
    assert refused.value.field == "limit"
    assert not raw.strip() or raw.strip() not in refused.value.message  # never echoed


def test_a_query_integer_defaults_and_trims() -> None:
    assert _integer(None, "after", 0, 10, 0) == 0
    assert _integer(" 7 ", "after", 0, 10, 0) == 7
    assert _integer("0010", "after", 0, 10, 0) == 10
    assert _integer("0" * 5000 + "3", "after", 0, 10, 0) == 3  # no 4,300-digit int() limit


def test_names_repeat_and_are_comma_separated_blanks_dropped() -> None:
    assert _names(None) == []
    assert _names(["a,b", " c ", ",,", ""]) == ["a", "b", "c"]
