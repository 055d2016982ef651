"""A05 excluded assets, on SQLite and PostgreSQL: the limits in force on the decision's day."""

from __future__ import annotations

from typing import Any

from audit_support import found, legacy_confirm, rebuilt, steps, submitted
from builders import APPROVER, PROCEDURE, walk_to_active

from api.container import Container
from domain.ledger import Ledger

ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE = PROCEDURE


def checked(ledger: Ledger, public_servant: bool = False, **property: Any) -> Any:
    """A case up to the visit whose check found this property (the assessment refuses it)."""
    case = submitted(ledger)
    check = {**CHECK[1], "property": property, "public_servant_match": public_servant}
    steps(ledger, case, ACCEPT, ("complete_economic_check", check), VISIT)
    return case


def test_a_vehicle_a_company_a_public_servant_or_a_second_home_are_found(
    ledger: Ledger, container: Container
) -> None:
    cases = [
        checked(ledger, vehicles=1),
        checked(ledger, companies=1),
        checked(ledger, public_servant=True),
        checked(ledger, real_estate_units=2),
    ]
    for case in cases:
        legacy_confirm(ledger, case)
    clean = submitted(ledger)
    walk_to_active(ledger, clean)
    summaries = {m["case_id"]: m["summary"] for m in found(container, "A05")}
    prefix = "confirmed although the economic check found "
    assert summaries == {
        str(cases[0]): prefix + "a vehicle",
        str(cases[1]): prefix + "a registered company",
        str(cases[2]): prefix + "a public-servant member",
        str(cases[3]): prefix + "more homes than the limit of 1",
    }


def test_deposits_are_judged_against_the_standard_in_force_on_the_day_of_the_decision(
    ledger: Ledger, container: Container
) -> None:
    # 24 months of the standard for one member: 2,592,000 fen until June 2024 (108,000),
    # 2,664,000 fen from July 2024 (111,000).
    before_raise = checked(ledger, deposits_fen=2_600_000)
    legacy_confirm(ledger, before_raise, on="2024-06-28")
    after_raise = checked(ledger, deposits_fen=2_600_000)
    legacy_confirm(ledger, after_raise, on="2024-07-02")
    (match,) = found(container, "A05")
    assert match["case_id"] == str(before_raise)
    assert match["summary"].endswith("deposits over the limit of 25920.00 yuan")
    assert "2600000" not in match["summary"] and "26000.00" not in match["summary"]


def test_deposits_within_the_limit_go_through_the_commands_and_are_not_found(
    ledger: Ledger, container: Container
) -> None:
    case = submitted(ledger)
    check = {**CHECK[1], "property": {"deposits_fen": 2_500_000, "real_estate_units": 1}}
    steps(ledger, case, ACCEPT, ("complete_economic_check", check), VISIT, ASSESS, POST, CLOSE)
    ledger.confirm_eligibility(case, APPROVER, occurred_on="2024-03-14")
    assert found(container, "A05") == []


def test_terminating_the_case_resolves_it_and_a_rebuild_finds_the_same(
    ledger: Ledger, container: Container
) -> None:
    case = checked(ledger, vehicles=1)
    legacy_confirm(ledger, case)
    assert len(found(container, "A05")) == 1
    ended = ledger.terminate_benefit(
        case, APPROVER, occurred_on="2024-04-10", reason_code="property",
        reason="复核发现有车辆", effective_month="2024-05",
    ).position  # fmt: skip
    assert found(container, "A05") == []
    before = rebuilt(container, "A05")
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, ended)]
    assert rebuilt(container, "A05") == before
