"""The SSE frames, read back by the example client's parser (the HTML standard's rules)."""

from __future__ import annotations

import json

import pytest

from api.streams.sse import disconnect, id_line, names, one_line_json, ping, resume_position
from domain.shared.errors import InvalidInput
from examples.sse_client import parse


def records(stream: bytes, last_id: str = "") -> list[tuple[str, str, str, str | None]]:
    lines = stream.decode().splitlines()
    return [(r.event, r.data, r.last_id, r.comment) for r in parse(lines, last_id)]


def test_an_id_only_block_moves_the_last_id_and_carries_no_data() -> None:
    stream = b"retry: 2000\n" + id_line(5) + ping(9) + ping(None)
    assert records(stream) == [
        ("message", "", "5", None),  # retry and the start: no data, so no event is fired
        ("", "", "5", "ping"),
        ("message", "", "9", None),
        ("", "", "9", "ping"),
        ("message", "", "9", None),  # the ping's own blank line
    ]


def test_a_disconnect_is_a_named_event_with_one_line_of_json() -> None:
    [(event, data, last, _)] = records(disconnect("fell_behind", "line\nbreak", 42), "41")
    assert event == "disconnect" and last == "41"
    assert json.loads(data) == {"code": "fell_behind", "reason": "line\nbreak", "position": 42}


def test_the_parser_follows_the_standard_on_odd_lines() -> None:
    stream = "data:no space\r\ndata:  two spaces\r\nid: 7\0x\r\nfoo: bar\r\n\r\n"
    [(event, data, last, _)] = records(stream.encode(), "3")
    assert (event, data, last) == ("message", "no space\n two spaces", "3")  # NUL id ignored


@pytest.mark.parametrize(
    ("header", "after", "expected"),
    [
        (None, None, (0, "after")),
        (None, "7", (7, "after")),
        ("12", "7", (12, "Last-Event-ID")),
        ("", "7", (7, "after")),
        (" 12 ", None, (12, "Last-Event-ID")),
    ],
)
def test_last_event_id_wins_over_after(
    header: str | None, after: str | None, expected: tuple[int, str]
) -> None:
    assert resume_position(header, after) == expected


@pytest.mark.parametrize("header", ["-1", "1.5", "x", str(2**63), "²", "١٢", "9" * 5000])
def test_a_last_event_id_that_is_no_position_is_refused(header: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resume_position(header, None)
    assert refused.value.field == "Last-Event-ID"


def test_names_are_repeated_or_comma_separated() -> None:
    assert names(["A.x, B.*", "", " C.y "]) == ["A.x", "B.*", "C.y"] and names(None) == []


def test_event_data_stays_on_one_line_for_any_line_reader() -> None:
    value = {"reason": "甲\n乙\r丙\x0b丁\x1c\x85\u2028\u2029戊", "n": 1}
    text = one_line_json(value)
    assert len(text.splitlines()) == 1 and json.loads(text) == value
    assert "甲" in text  # Chinese text is not escaped
