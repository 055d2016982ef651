"""A07 inclusion without procedure, on SQLite and PostgreSQL: legacy confirmations."""

from __future__ import annotations

from audit_support import found, legacy, legacy_confirm, rebuilt, steps, submitted
from builders import PROCEDURE, walk_to_active

from api.container import Container
from domain.ledger import Ledger

ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE = PROCEDURE


def test_a_case_confirmed_without_a_visit_or_notice_is_found_and_the_full_procedure_is_not(
    ledger: Ledger, container: Container
) -> None:
    bare = submitted(ledger)
    steps(ledger, bare, ACCEPT, CHECK)
    confirmation = legacy_confirm(ledger, bare)
    proper = submitted(ledger)
    walk_to_active(ledger, proper)
    (match,) = found(container, "A07")
    assert match["case_id"] == str(bare) and match["evidence"] == [confirmation]
    assert match["summary"] == (
        "confirmed without a home visit by at least 2 different investigators, "
        "a closed public notice"
    )
    assert match["severity"] == "high" and match["street"] == "新闸街道"


def test_one_investigator_named_twice_is_no_valid_visit(
    ledger: Ledger, container: Container
) -> None:
    case = submitted(ledger)
    steps(ledger, case, ACCEPT, CHECK)
    legacy(
        ledger, case, "HomeVisitConducted", occurred_on="2024-03-05",
        investigators=["inv-a", " inv-a "], district_level=False, findings="as declared",
    )  # fmt: skip
    legacy(ledger, case, "PublicNoticePosted", occurred_on="2024-03-06",
           posted_from="2024-03-07", posted_to="2024-03-13")  # fmt: skip
    legacy(ledger, case, "PublicNoticeClosed", occurred_on="2024-03-13", objections=[])
    legacy_confirm(ledger, case)
    (match,) = found(container, "A07")
    assert "home visit" in match["summary"] and "notice" not in match["summary"]


def test_a_notice_closed_before_a_new_assessment_does_not_count(
    ledger: Ledger, container: Container
) -> None:
    case = submitted(ledger)
    steps(ledger, case, ACCEPT, CHECK, VISIT, ASSESS, POST, CLOSE)
    legacy(ledger, case, "HouseholdAssessed", occurred_on="2024-03-14", **reassessment())
    legacy_confirm(ledger, case, on="2024-03-15")
    (match,) = found(container, "A07")
    assert match["summary"] == "confirmed without a closed public notice"


def test_the_missing_steps_recorded_afterwards_resolve_it_and_a_rebuild_finds_the_same(
    ledger: Ledger, container: Container
) -> None:
    case = submitted(ledger)
    steps(ledger, case, ACCEPT)
    legacy_confirm(ledger, case)
    assert "the economic check" in found(container, "A07")[0]["summary"]
    legacy(ledger, case, "EconomicCheckCompleted", occurred_on="2024-03-20", incomes=[],
           property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip
    legacy(
        ledger, case, "HomeVisitConducted", occurred_on="2024-03-21",
        investigators=["inv-a", "inv-b"], district_level=False, findings="补充入户调查",
    )  # fmt: skip
    assert "the economic check" not in found(container, "A07")[0]["summary"]
    legacy(ledger, case, "PublicNoticePosted", occurred_on="2024-03-22",
           posted_from="2024-03-22", posted_to="2024-03-28")  # fmt: skip
    closed = legacy(ledger, case, "PublicNoticeClosed", occurred_on="2024-03-28", objections=[])
    before = rebuilt(container, "A07")
    assert found(container, "A07") == []
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, closed)]
    assert rebuilt(container, "A07") == before


def reassessment() -> dict[str, object]:
    return {
        "method": "gap", "income_per_head_fen": 0, "threshold_fen": 108_000,
        "standard_fen": 108_000, "parameters": {}, "eligible": True,
        "ineligibility_reasons": [], "amounts": [], "total_fen": 108_000,
        "irregular_income": False,
    }  # fmt: skip
