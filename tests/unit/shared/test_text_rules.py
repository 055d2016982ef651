"""Text the ledger refuses to record: control characters anywhere, even past the API."""

from __future__ import annotations

from typing import Any

import pytest

from domain.ledger import Ledger
from domain.shared.errors import InvalidInput
from domain.shared.values import control_character, find_control_character
from tests.builders import PARAMETERS, WORKER, application, new_id_number
from tests.helpers import ADMIN

ADMIN_ON = "2023-01-03"


@pytest.fixture
def ledger() -> Ledger:
    """An in-memory ledger whose district has its parameters set."""
    ledger = Ledger()
    for name, value, effective_from in PARAMETERS:
        ledger.set_parameter(name, value, effective_from, "demo value", ADMIN, ADMIN_ON)
    return ledger


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"community": "新闸\u0000社区"}, "community"),
        ({"community": "庆丰\u0085社区"}, "community"),
        ({"community": "庆丰\ud800社区"}, "community"),
        (
            {"members": [{"name": "测试\u0000甲", "id_number": "", "relation": "self",
                          "counted": True}]},
            "members.0.personal.name",
        ),
    ],
)  # fmt: skip
def test_an_event_holding_a_control_character_is_never_recorded(
    ledger: Ledger, overrides: dict[str, Any], field: str
) -> None:
    if "members" in overrides:
        overrides["members"][0]["id_number"] = new_id_number()
    position = ledger.latest_position()

    with pytest.raises(InvalidInput) as caught:
        ledger.submit_application(application(**overrides), WORKER)

    assert caught.value.field == field
    assert "control character" in caught.value.message
    assert "测试" not in caught.value.message  # personal data stays out of the message
    assert ledger.latest_position() == position


def test_line_feeds_and_tabs_in_free_text_are_recorded(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id

    ledger.accept_application(case_id, WORKER, occurred_on="2024-03-01")
    ledger.record_case_home_visit(
        case_id, WORKER, occurred_on="2024-03-04", investigators=["inv-a", "inv-b"],
        district_level=False, findings="居住条件:\n\t与申报一致",
    )  # fmt: skip

    assert ledger.get_case(case_id).version == 3


@pytest.mark.parametrize(
    ("value", "allowed", "found"),
    [("新闸社区", "", None), ("a\nb", "", "U+000A"), ("a\nb\tc", "\n\t", None),
     ("a\rb", "\n\t", "U+000D"), ("\x7f", "", "U+007F"), ("\u2028", "", None)],
)  # fmt: skip
def test_control_characters_are_named_by_code_point(
    value: str, allowed: str, found: str | None
) -> None:
    assert control_character(value, frozenset(allowed)) == found


def test_a_control_character_is_found_by_its_field_path() -> None:
    value = {"members": [{"name": "ok"}, {"personal": {"name": "x\u0000"}}], "beds": {"a\x01": 1}}

    assert find_control_character(value) == ("members.1.personal.name", "U+0000")
    assert find_control_character({"beds": {"a\x01": 1}}) == ("beds", "U+0001")
