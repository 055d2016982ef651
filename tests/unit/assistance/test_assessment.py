"""The gap method [law], the eligibility limits and the effective-dated parameters they read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.assistance.assessment import (
    CheckFindings,
    assess,
    required_parameters,
    review_interval_months,
    round_half_up,
)
from domain.shared.errors import DomainError, InvalidInput
from domain.shared.parameters import InForce, ParameterSchedule

STANDARD = 111_000  # fen per person and month, in force from 2024-07-01
TEKUN_STANDARD = 144_300

IN_FORCE = {
    p.name: p
    for p in [
        InForce("dibao.standard", STANDARD, 4, "2024-07-01"),
        InForce("tekun.standard", TEKUN_STANDARD, 3, "2024-07-01"),
        InForce("dibao_edge.multiple_permille", 1500, 2, "2023-01-01"),
        InForce("hardship.multiple_permille", 2000, 2, "2023-01-01"),
        InForce("assets.deposit_months", 24, 2, "2023-01-01"),
        InForce("assets.max_real_estate_units", 1, 2, "2023-01-01"),
        InForce("supplement.elderly", 10_000, 2, "2023-01-01"),
        InForce("supplement.disabled", 20_000, 2, "2023-01-01"),
        InForce("supplement.minor", 10_000, 2, "2023-01-01"),
    ]
}

MOTHER, SON = "P-mother", "P-son"
ADMIN = {"user": "admin", "role": "admin", "unit": "钟楼区民政局"}


def params_for(programme: str, *supplement_kinds: str) -> dict[str, InForce]:
    """Exactly the parameters the ledger would look up, as it would pass them."""
    names = required_parameters(programme, set(supplement_kinds))
    return {name: IN_FORCE[name] for name in names}


def household(*incomes: tuple[str, int], **property: Any) -> CheckFindings:
    return CheckFindings(verified_income_fen=dict(incomes), **property)


def supplement(person_id: str, kind: str) -> dict[str, str]:
    return {"person_id": person_id, "kind": kind}


# -- the gap method ---------------------------------------------------------------------------


def test_amount_is_the_gap_to_the_standard_times_counted_members() -> None:
    # Two counted members, 60,000 fen of income between them: 30,000 fen per head.
    findings = household((MOTHER, 60_000), (SON, 0))

    result = assess("DIBAO", [MOTHER, SON], findings, params_for("DIBAO"), [])

    assert result.eligible
    assert result.income_per_head_fen == 30_000
    assert result.threshold_fen == STANDARD
    assert result.standard.value == STANDARD
    gap = STANDARD - 30_000
    assert result.amounts == [
        {"person_id": MOTHER, "base_fen": gap, "supplements_fen": 0},
        {"person_id": SON, "base_fen": gap, "supplements_fen": 0},
    ]
    assert result.total_fen == 2 * gap


def test_supplements_are_added_per_member_on_top_of_the_gap() -> None:
    findings = household((MOTHER, 60_000), (SON, 0))
    supplements = [supplement(SON, "minor"), supplement(MOTHER, "disabled")]

    result = assess(
        "DIBAO", [MOTHER, SON], findings, params_for("DIBAO", "minor", "disabled"), supplements
    )

    gap = STANDARD - 30_000
    by_person = {a["person_id"]: a for a in result.amounts}
    assert by_person[MOTHER]["supplements_fen"] == 20_000
    assert by_person[SON]["supplements_fen"] == 10_000
    assert result.total_fen == 2 * gap + 30_000


def test_two_supplements_for_one_member_add_up() -> None:
    findings = household((MOTHER, 0))
    supplements = [supplement(MOTHER, "elderly"), supplement(MOTHER, "disabled")]

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO", "elderly", "disabled"),
                    supplements)  # fmt: skip

    assert result.amounts[0]["supplements_fen"] == 30_000
    assert result.total_fen == STANDARD + 30_000


def test_income_of_members_who_are_not_counted_is_ignored() -> None:
    # The check may report income of an excluded member; only counted members divide the sum.
    findings = household((MOTHER, 40_000), ("P-excluded-brother", 500_000))

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO"), [])

    assert result.income_per_head_fen == 40_000
    assert result.total_fen == STANDARD - 40_000


def test_income_per_head_is_rounded_half_up_to_the_fen() -> None:
    assert round_half_up(100_001, 2) == 50_001  # 50,000.5
    assert round_half_up(100_000, 3) == 33_333  # 33,333.33
    assert round_half_up(100_001, 3) == 33_334  # 33,333.67
    findings = household((MOTHER, 100_001), (SON, 0))

    result = assess("DIBAO", [MOTHER, SON], findings, params_for("DIBAO"), [])

    assert result.income_per_head_fen == 50_001


def test_income_per_head_at_the_standard_is_not_eligible() -> None:
    findings = household((MOTHER, STANDARD))

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO"), [])

    assert not result.eligible
    assert result.total_fen == 0
    assert "not below the limit 1110.00 yuan" in result.reasons[0]


def test_income_one_fen_below_the_standard_is_eligible_for_one_fen() -> None:
    findings = household((MOTHER, STANDARD - 1))

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO"), [])

    assert result.eligible
    assert result.total_fen == 1


def test_an_ineligible_household_gets_no_amount_even_with_supplements() -> None:
    findings = household((MOTHER, 2 * STANDARD))

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO", "elderly"),
                    [supplement(MOTHER, "elderly")])  # fmt: skip

    assert not result.eligible
    assert result.total_fen == 0


def test_the_parameter_versions_used_are_recorded() -> None:
    result = assess("DIBAO", [MOTHER], household((MOTHER, 0)),
                    params_for("DIBAO", "minor"), [])  # fmt: skip

    assert result.parameters == {
        "dibao.standard": "dibao.standard@v4",
        "assets.deposit_months": "assets.deposit_months@v2",
        "assets.max_real_estate_units": "assets.max_real_estate_units@v2",
        "supplement.minor": "supplement.minor@v2",
    }


# -- TEKUN, DIBAO_EDGE, HARDSHIP ----------------------------------------------------------------


def test_tekun_pays_the_gap_to_the_tekun_standard() -> None:
    findings = household((MOTHER, 20_000))

    result = assess("TEKUN", [MOTHER], findings, params_for("TEKUN"), [])

    assert result.eligible
    assert result.standard.name == "tekun.standard"
    assert result.total_fen == TEKUN_STANDARD - 20_000
    assert result.parameters["tekun.standard"] == "tekun.standard@v3"


def test_tekun_income_limit_is_the_dibao_standard() -> None:
    # Above the DIBAO standard but below the TEKUN standard: not eligible.
    findings = household((MOTHER, STANDARD))

    result = assess("TEKUN", [MOTHER], findings, params_for("TEKUN"), [])

    assert result.threshold_fen == STANDARD
    assert not result.eligible


def test_dibao_edge_limit_is_one_and_a_half_times_the_standard() -> None:
    findings = household((MOTHER, 120_000), (SON, 120_000))

    result = assess("DIBAO_EDGE", [MOTHER, SON], findings, params_for("DIBAO_EDGE"), [])

    assert result.threshold_fen == 166_500  # 1.5 x 111,000
    assert result.eligible
    # Edge households get no gap payment, only the supplements they qualify for.
    assert result.total_fen == 0


def test_dibao_edge_pays_supplements_only() -> None:
    findings = household((MOTHER, 120_000))

    result = assess("DIBAO_EDGE", [MOTHER], findings, params_for("DIBAO_EDGE", "elderly"),
                    [supplement(MOTHER, "elderly")])  # fmt: skip

    assert result.eligible
    assert result.total_fen == 10_000


def test_dibao_edge_at_one_and_a_half_times_the_standard_is_not_eligible() -> None:
    findings = household((MOTHER, 166_500))

    result = assess("DIBAO_EDGE", [MOTHER], findings, params_for("DIBAO_EDGE"), [])

    assert not result.eligible


def test_dibao_edge_below_the_standard_is_told_to_apply_for_dibao() -> None:
    findings = household((MOTHER, STANDARD - 1))

    result = assess("DIBAO_EDGE", [MOTHER], findings, params_for("DIBAO_EDGE"), [])

    assert not result.eligible
    assert "apply for DIBAO instead" in result.reasons[0]


def test_hardship_deducts_rigid_spending_before_the_twice_standard_limit() -> None:
    # 300,000 fen income per month, 150,000 fen of medical bills: 150,000 counts, limit 222,000.
    findings = household((MOTHER, 300_000))
    params = params_for("HARDSHIP")

    without_bills = assess("HARDSHIP", [MOTHER], findings, params, [])
    with_bills = assess("HARDSHIP", [MOTHER], findings, params, [], rigid_spending_fen=150_000)

    assert without_bills.threshold_fen == 2 * STANDARD
    assert not without_bills.eligible
    assert with_bills.income_per_head_fen == 150_000
    assert with_bills.eligible


def test_rigid_spending_above_income_counts_as_no_income() -> None:
    findings = household((MOTHER, 50_000))

    result = assess("HARDSHIP", [MOTHER], findings, params_for("HARDSHIP"), [], 80_000)

    assert result.income_per_head_fen == 0


def test_rigid_spending_is_ignored_for_dibao() -> None:
    findings = household((MOTHER, STANDARD))

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO"), [], 80_000)

    assert result.income_per_head_fen == STANDARD
    assert not result.eligible


# -- assets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("property", "reason"),
    [
        ({"vehicles": 1}, "owns a vehicle"),
        ({"companies": 1}, "holds a registered company"),
        ({"public_servant_match": True}, "public servant"),
        ({"real_estate_units": 2}, "owns 2 homes"),
        ({"deposits_fen": 2 * 24 * STANDARD + 1}, "deposits exceed the limit of 53280.00 yuan"),
    ],
)
def test_excluded_assets_make_a_poor_household_ineligible(
    property: dict[str, Any], reason: str
) -> None:
    findings = household((MOTHER, 0), (SON, 0), **property)

    result = assess("DIBAO", [MOTHER, SON], findings, params_for("DIBAO"), [])

    assert not result.eligible
    assert result.total_fen == 0
    assert len(result.reasons) == 1
    assert reason in result.reasons[0]


def test_one_home_and_deposits_at_the_limit_are_allowed() -> None:
    # The deposit limit is 24 months of the standard per counted member.
    findings = household((MOTHER, 0), (SON, 0), real_estate_units=1,
                         deposits_fen=2 * 24 * STANDARD)  # fmt: skip

    result = assess("DIBAO", [MOTHER, SON], findings, params_for("DIBAO"), [])

    assert result.eligible


def test_every_failed_limit_is_given_as_a_reason() -> None:
    findings = household((MOTHER, 2 * STANDARD), vehicles=1, companies=2)

    result = assess("DIBAO", [MOTHER], findings, params_for("DIBAO"), [])

    assert len(result.reasons) == 3


def test_assets_also_exclude_from_tekun_and_dibao_edge() -> None:
    for programme, income in (("TEKUN", 0), ("DIBAO_EDGE", 120_000)):
        findings = household((MOTHER, income), vehicles=1)

        result = assess(programme, [MOTHER], findings, params_for(programme), [])

        assert not result.eligible, programme


# -- reviews and required parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme", "irregular_income", "able_to_work", "months"),
    [
        ("DIBAO", True, True, 6),
        ("DIBAO", True, False, 12),
        ("DIBAO", False, True, 12),
        ("DIBAO", False, False, 12),
        ("DIBAO_EDGE", True, True, 6),
        ("TEKUN", True, True, 12),
        ("TEKUN", False, False, 12),
    ],
)
def test_review_every_six_months_only_for_irregular_income_with_a_member_able_to_work(
    programme: str, irregular_income: bool, able_to_work: bool, months: int
) -> None:
    assert review_interval_months(programme, irregular_income, able_to_work) == months


def test_each_programme_reads_its_own_limits() -> None:
    base = ["dibao.standard", "assets.deposit_months", "assets.max_real_estate_units"]
    assert required_parameters("DIBAO", set()) == base
    assert required_parameters("TEKUN", set()) == [*base, "tekun.standard"]
    assert required_parameters("DIBAO_EDGE", set()) == [*base, "dibao_edge.multiple_permille"]
    assert required_parameters("HARDSHIP", {"minor", "elderly"}) == [
        *base, "hardship.multiple_permille", "supplement.elderly", "supplement.minor",
    ]  # fmt: skip


def test_a_supplement_of_no_known_kind_is_refused_before_any_parameter_is_read() -> None:
    with pytest.raises(InvalidInput) as refused:
        required_parameters("DIBAO", {"elderly", "pensioner"})
    assert refused.value.field == "supplements"
    assert "elderly, disabled, minor" in str(refused.value)


# -- effective-dated parameters -----------------------------------------------------------------


@pytest.fixture
def standard_schedule() -> ParameterSchedule:
    """dibao.standard: 1,080 yuan from 2023-07-01 (version 2), 1,110 from 2024-07-01 (v3)."""
    schedule = ParameterSchedule("320404", "dibao.standard", ADMIN, "2023-01-03")
    schedule.set_value(108_000, "2023-07-01", "常州市2023年标准", ADMIN, "2023-06-20")
    schedule.set_value(111_000, "2024-07-01", "常州市2024年标准", ADMIN, "2024-06-20")
    return schedule


def test_the_value_in_force_is_the_latest_that_started_on_or_before_the_date(
    standard_schedule: ParameterSchedule,
) -> None:
    assert standard_schedule.in_force(date(2024, 6, 30)) == InForce(
        "dibao.standard", 108_000, 2, "2023-07-01"
    )
    assert standard_schedule.in_force(date(2024, 7, 1)) == InForce(
        "dibao.standard", 111_000, 3, "2024-07-01"
    )


def test_a_later_change_does_not_alter_an_earlier_date(
    standard_schedule: ParameterSchedule,
) -> None:
    # A 2025 standard is decided; June 2024 still answers with the 2023 value.
    standard_schedule.set_value(114_000, "2025-07-01", "常州市2025年标准", ADMIN, "2025-06-20")

    assert standard_schedule.in_force(date(2024, 6, 30)).value == 108_000
    assert standard_schedule.in_force(date(2025, 7, 1)).reference == "dibao.standard@v4"


def test_a_value_set_out_of_order_still_applies_to_its_own_dates(
    standard_schedule: ParameterSchedule,
) -> None:
    # A forgotten 2023-01-01 value entered late fills the gap before 2023-07-01 only.
    standard_schedule.set_value(105_000, "2023-01-01", "补录", ADMIN, "2024-08-01")

    assert standard_schedule.in_force(date(2023, 3, 1)).value == 105_000
    assert standard_schedule.in_force(date(2023, 7, 1)).value == 108_000
    assert standard_schedule.in_force(date(2024, 7, 1)).value == 111_000


def test_no_value_before_the_first_effective_date_is_an_error(
    standard_schedule: ParameterSchedule,
) -> None:
    with pytest.raises(DomainError) as caught:
        standard_schedule.in_force(date(2023, 6, 30))

    assert caught.value.code == "parameter_missing"


def test_a_correction_for_the_same_effective_date_replaces_the_earlier_value(
    standard_schedule: ParameterSchedule,
) -> None:
    # The 2024 standard was keyed in as 1,110 yuan; the notice said 1,100. Correct it.
    standard_schedule.set_value(110_000, "2024-07-01", "录入错误更正", ADMIN, "2024-07-02")

    in_force = standard_schedule.in_force(date(2024, 8, 1))

    assert in_force.value == 110_000
    assert in_force.version == 4


@pytest.mark.parametrize(("value", "reason"), [(0, "标准"), (108_000, "  ")])
def test_a_parameter_needs_a_value_in_range_and_a_reason(
    standard_schedule: ParameterSchedule, value: int, reason: str
) -> None:
    with pytest.raises(InvalidInput):
        standard_schedule.set_value(value, "2025-07-01", reason, ADMIN, "2025-06-20")

    assert standard_schedule.version == 3
