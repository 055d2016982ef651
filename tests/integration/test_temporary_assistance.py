"""Temporary assistance on real SQLite and PostgreSQL: the view, the yearly figures, the demo."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from builders import APPROVER, WORKER, actor_for, person_id_for

from api.container import Container
from api.demo.district import PARAMETERS as DEMO_PARAMETERS
from api.demo.temporary import load_temporary_2023
from domain.ledger import CommandResult, Ledger
from domain.shared.identity import make_id_number
from domain.shared.values import Actor
from projections.views import temporary_assistance

ADMIN = Actor("admin-1", "admin", "钟楼区民政局")
TEMPORARY = [
    ("temporary.cap_multiple", 6),
    ("temporary.street_limit_fen", 300_000),
    ("temporary.paperwork_days", 10),
]
_sequence = iter(range(1, 1000))


def set_temporary_parameters(ledger: Ledger) -> None:
    for name, value in TEMPORARY:
        ledger.set_parameter(name, value, "2023-01-01", "test value", ADMIN, "2023-01-01")


def household(size: int) -> list[dict[str, Any]]:
    """A household of `size` people; the first is the applicant (born in the 1930s)."""
    members = []
    for i in range(size):
        n = next(_sequence)
        birth = date(1930 + n % 10, 1 + n % 12, 1 + n % 28) if i == 0 else date(2001, 1 + n % 12, 1)
        members.append({"name": f"测试{i}", "id_number": make_id_number("320404", birth, n),
                        "relation": "self" if i == 0 else "child"})  # fmt: skip
    return members


def request(
    ledger: Ledger, kind: str, members: list[dict[str, Any]], on: str, street: str = "新闸街道"
) -> UUID:
    return ledger.request_help(
        {"type": kind, "street": street, "community": "新闸社区", "occurred_on": on,
         "incident": "突发重病住院", "members": members}, actor_for(Ledger.request_help, street),
    ).id  # fmt: skip


def emergency(ledger: Ledger, members: list[dict[str, Any]], on: str, amount: int) -> UUID:
    case_id = request(ledger, "EMERGENCY", members, on)
    ledger.grant_advance_aid(case_id, WORKER, occurred_on=on, amount_fen=amount)
    return case_id


def expenditure(
    ledger: Ledger, members: list[dict[str, Any]], on: str, amount: int | None,
    street: str = "新闸街道",
) -> UUID:  # fmt: skip
    case_id = request(ledger, "EXPENDITURE", members, on, street)
    steps: list[tuple[Callable[..., CommandResult], dict[str, Any]]] = [
        (Ledger.complete_temporary_economic_check,
         {"incomes": [], "property": {}, "public_servant_match": False, "data_source": "核对平台"}),
        (Ledger.record_temporary_home_visit,
         {"investigators": ["inv-a", "inv-b"], "findings": "属实"}),
        (Ledger.approve_temporary_grant, {"amount_fen": amount}) if amount
        else (Ledger.deny_temporary_aid, {"reasons": ["不符合"]}),
    ]  # fmt: skip
    worker = actor_for(Ledger.request_help, street)
    for n, (command, payload) in enumerate(steps):  # the street checks and visits, the district
        actor = worker if n < 2 else APPROVER  # decides
        command(ledger, case_id, actor, occurred_on=on, **payload)
    return case_id


def test_the_view_follows_an_emergency_from_request_to_close(
    ledger: Ledger, container: Container
) -> None:
    set_temporary_parameters(ledger)
    members = household(3)
    case_id = emergency(ledger, members, "2024-03-04", 150_000)
    ledger.complete_paperwork(case_id, WORKER, occurred_on="2024-03-20", documents=["申请书"])
    result = ledger.close_temporary_case(case_id, WORKER, occurred_on="2024-03-21", reason="办结")

    container.runner.run_once()
    row = temporary_assistance.get(container.db, str(case_id))
    assert row is not None
    assert row["status"] == "closed"
    assert row["assistance_type"] == "EMERGENCY"
    assert row["applicant_person_id"] == person_id_for(members[0]["id_number"])
    assert row["applicant_name"].startswith("sealed:v1:")  # opened only when shown
    assert container.ledger.personal.open(row["applicant_name"]) == "测试0"
    assert row["household_size"] == 3
    assert row["amount_fen"] == 150_000
    assert (row["paid_on"], row["paid_year"]) == ("2024-03-04", 2024)
    assert row["approver_level"] == "street"
    assert row["cap_fen"] == 6 * 108_000
    assert row["paperwork_due"] == "2024-03-14"
    assert row["paperwork_late"] == 1  # filed on the 20th
    assert row["over_cap"] == 0
    assert row["version"] == result.version == 4
    assert row["position"] == result.position
    # No personal data beyond the applicant's name and ID number columns.
    other = members[1]["id_number"]
    assert all(other not in str(v) for v in row.values())


def test_stats_count_households_once_and_denials_not_at_all(
    ledger: Ledger, container: Container
) -> None:
    set_temporary_parameters(ledger)
    family, couple, single, refused = household(3), household(2), household(1), household(4)
    emergency(ledger, family, "2024-01-10", 100_000)
    expenditure(ledger, family, "2024-06-03", 200_000)  # the same household again in 2024
    expenditure(ledger, couple, "2024-05-06", 599_999, street="西林街道")
    expenditure(ledger, refused, "2024-05-06", None)  # denied: not counted
    emergency(ledger, single, "2023-12-28", 50_000)  # paid in 2023
    request(ledger, "EMERGENCY", household(2), "2024-02-01")  # requested, nothing paid yet

    container.runner.run_once()
    db = container.db
    assert temporary_assistance.stats(db, 2024, []) == [
        {"households": 2, "people": 5, "amount_fen": 100_000 + 200_000 + 599_999}
    ]
    assert temporary_assistance.stats(db, 2023, []) == [
        {"households": 1, "people": 1, "amount_fen": 50_000}
    ]
    assert temporary_assistance.stats(db, None, ["year"]) == [
        {"year": 2023, "households": 1, "people": 1, "amount_fen": 50_000},
        {"year": 2024, "households": 2, "people": 5, "amount_fen": 899_999},
    ]
    by_type = temporary_assistance.stats(db, 2024, ["type", "street"])
    assert by_type == [
        {"type": "EMERGENCY", "street": "新闸街道", "households": 1, "people": 3,
         "amount_fen": 100_000},
        {"type": "EXPENDITURE", "street": "新闸街道", "households": 1, "people": 3,
         "amount_fen": 200_000},
        {"type": "EXPENDITURE", "street": "西林街道", "households": 1, "people": 2,
         "amount_fen": 599_999},
    ]  # fmt: skip
    assert temporary_assistance.stats(db, 2025, []) == [
        {"households": 0, "people": 0, "amount_fen": 0}
    ]


def test_the_demo_loader_gives_the_2023_seed_figures_exactly(container: Container) -> None:
    admin = Actor("demo-admin", "admin", "钟楼区民政局")
    for name, value, start, reason in DEMO_PARAMETERS:
        container.ledger.set_parameter(name, value, start, reason, admin, "2022-01-01")

    load_temporary_2023(container.ledger, random.Random(2023))

    container.runner.run_once()
    db = container.db
    assert temporary_assistance.stats(db, 2023, []) == [
        {"households": 261, "people": 536, "amount_fen": 52_510_000}
    ]
    by_type = temporary_assistance.stats(db, 2023, ["type"])
    assert {r["type"] for r in by_type} == {"EMERGENCY", "EXPENDITURE"}
    assert sum(r["households"] for r in by_type) == 261
    assert temporary_assistance.stats(db, None, ["year"])[0]["year"] == 2023
    rows = db.query("SELECT * FROM temporary_case")
    assert {r["status"] for r in rows} == {"closed"}
    assert all(r["requested_on"] >= "2023-01-01" and r["closed_on"] <= "2023-12-31" for r in rows)
    denied = [r for r in rows if r["amount_fen"] == 0]
    assert denied and all(r["decided_on"] for r in denied)
    district = [r for r in rows if r["amount_fen"] > 300_000]
    assert district and {r["approver_level"] for r in district} == {"district"}
    over_cap = [r for r in rows if r["over_cap"]]
    assert 1 <= len(over_cap) <= 2 and all(r["case_conference_ref"] for r in over_cap)
    assert any(r["paperwork_late"] == 1 for r in rows)
    assert any(r["paperwork_late"] == 0 for r in rows)
