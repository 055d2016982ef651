"""A04 double enrolment, on SQLite and PostgreSQL: a place the write side would refuse today."""

from __future__ import annotations

from audit_support import found, legacy_confirm, rebuilt, terminate, two_cases
from builders import APPROVER

from api.container import Container
from domain.ledger import Ledger


def test_one_person_in_a_dibao_and_a_tekun_case_for_the_same_months_is_found(
    ledger: Ledger, container: Container
) -> None:
    dibao, tekun = two_cases(ledger)
    confirmation = legacy_confirm(ledger, tekun, on="2024-03-15")
    (match,) = found(container, "A04")
    assert match["case_id"] == str(tekun) and confirmation in match["evidence"]
    assert match["summary"] == (
        f"1 counted member(s) of this TEKUN case (from 2024-04) are also counted in DIBAO case "
        f"{dibao} (from 2024-04) for the same months"
    )
    assert len(match["evidence"]) == 2  # both confirmations


def test_a_place_taken_from_the_month_the_other_case_ends_is_not_found(
    ledger: Ledger, container: Container
) -> None:
    dibao, tekun = two_cases(ledger)
    terminate(ledger, dibao, "2024-06")
    ledger.confirm_eligibility(tekun, APPROVER, occurred_on="2024-05-08")  # deferred to June
    assert ledger.get_case(tekun).benefit.first_month == "2024-06"
    assert found(container, "A04") == []


def test_an_end_that_leaves_months_counted_twice_does_not_resolve_it_one_before_does(
    ledger: Ledger, container: Container
) -> None:
    dibao, tekun = two_cases(ledger)
    legacy_confirm(ledger, tekun, on="2024-03-15")
    terminate(ledger, dibao, "2024-08")  # April to July were counted twice
    assert len(found(container, "A04")) == 1
    ended = terminate(ledger, tekun, "2024-04")  # the TEKUN place never held a month
    assert found(container, "A04") == []
    before = rebuilt(container, "A04")
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, ended)]
    assert rebuilt(container, "A04") == before
