"""Builders shared by the tests: valid applications and the procedure up to confirmation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from domain.ledger import Ledger
from domain.shared.identity import make_id_number
from domain.shared.values import Actor

PARAMETERS = [
    ("dibao.standard", 108000, "2023-07-01"),
    ("dibao.standard", 111000, "2024-07-01"),
    ("tekun.standard", 144300, "2023-01-01"),
    ("dibao_edge.multiple_permille", 1500, "2023-01-01"),
    ("hardship.multiple_permille", 2000, "2023-01-01"),
    ("assets.deposit_months", 24, "2023-01-01"),
    ("assets.max_real_estate_units", 1, "2023-01-01"),
    ("supplement.elderly", 10000, "2023-01-01"),
]
WORKER = Actor("worker-1", "caseworker", "新闸街道")
APPROVER = Actor("approver-1", "approver", "钟楼区民政局")


_sequence = iter(range(1, 10**6))


def new_id_number() -> str:
    n = next(_sequence)
    return make_id_number("320404", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), n % 1000)


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "DIBAO",
        "street": "新闸街道",
        "community": "庆丰社区",
        "channel": "counter",
        "kin_of_staff": False,
        "occurred_on": "2024-03-01",
        "members": [
            {"name": "测试甲", "id_number": new_id_number(), "relation": "self", "counted": True}
        ],
    }
    body.update(overrides)
    return body


#: The procedure from acceptance to confirmation, as (command, payload) steps.
PROCEDURE: list[tuple[str, dict[str, Any]]] = [
    ("accept", {"occurred_on": "2024-03-01"}),
    (
        "complete_economic_check",
        {
            "occurred_on": "2024-03-04",
            "incomes": [],
            "property": {},
            "public_servant_match": False,
            "data_source": "核对平台",
        },
    ),
    (
        "conduct_home_visit",
        {
            "occurred_on": "2024-03-05",
            "investigators": ["inv-a", "inv-b"],
            "district_level": False,
            "findings": "as declared",
        },
    ),
    ("record_assessment", {"occurred_on": "2024-03-06"}),
    (
        "post_public_notice",
        {"occurred_on": "2024-03-06", "posted_from": "2024-03-07", "posted_to": "2024-03-13"},
    ),
    ("close_public_notice", {"occurred_on": "2024-03-13", "objections": []}),
]


def walk_to_active(ledger: Ledger, case_id: uuid.UUID) -> None:
    for command, payload in PROCEDURE:
        ledger.change_case(case_id, command, payload, WORKER)
    ledger.change_case(case_id, "confirm", {"occurred_on": "2024-03-14"}, APPROVER)
