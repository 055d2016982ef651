"""The gap method [law] and the eligibility limits: pure functions, replayable years later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.shared.parameters import InForce
from domain.shared.vocabulary import EXCLUSIVE_PROGRAMMES as EXCLUSIVE_PROGRAMMES  # re-exported
from domain.shared.vocabulary import PROGRAMMES as PROGRAMMES  # re-exported



@dataclass(frozen=True)
class CheckFindings:
    """What the economic check found, reduced to what the rules need."""

    verified_income_fen: dict[str, int]
    vehicles: int = 0
    companies: int = 0
    real_estate_units: int = 0
    deposits_fen: int = 0
    public_servant_match: bool = False


@dataclass
class Assessment:
    income_per_head_fen: int
    threshold_fen: int
    standard: InForce
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    total_fen: int = 0
    parameters: dict[str, str] = field(default_factory=dict)


def round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def assess(
    programme: str,
    counted: list[str],
    findings: CheckFindings,
    params: dict[str, InForce],
    supplements: list[dict[str, Any]],
    rigid_spending_fen: int = 0,
) -> Assessment:
    """Income per head against the standard in force; amount = gap x counted members + supplements.

    `params` holds the parameters in force on the assessment date, keyed by name.
    """
    standard = params["tekun.standard" if programme == "TEKUN" else "dibao.standard"]
    dibao_standard = params["dibao.standard"]
    total_income = sum(findings.verified_income_fen.get(p, 0) for p in counted)
    if programme == "HARDSHIP":
        total_income = max(0, total_income - rigid_spending_fen)
    per_head = round_half_up(total_income, len(counted))
    used = {p.name: p.reference for p in params.values()}
    reasons: list[str] = []

    if programme == "DIBAO_EDGE":
        threshold = dibao_standard.value * params["dibao_edge.multiple_permille"].value // 1000
        if per_head < dibao_standard.value:
            reasons.append("income per head is below the DIBAO standard: apply for DIBAO instead")
    elif programme == "HARDSHIP":
        threshold = dibao_standard.value * params["hardship.multiple_permille"].value // 1000
    else:
        threshold = dibao_standard.value
    if per_head >= threshold:
        reasons.append(
            f"income per head {per_head / 100:.2f} yuan is not below the limit "
            f"{threshold / 100:.2f} yuan"
        )
    reasons += _asset_reasons(findings, len(counted), dibao_standard.value, params)

    gap = max(0, standard.value - per_head) if programme in EXCLUSIVE_PROGRAMMES else 0
    amounts: list[dict[str, Any]] = [
        {"person_id": p, "base_fen": gap, "supplements_fen": 0} for p in counted
    ]
    by_person = {a["person_id"]: a for a in amounts}
    for s in supplements:
        amount = params[f"supplement.{s['kind']}"].value
        by_person[s["person_id"]]["supplements_fen"] += amount
    total = sum(a["base_fen"] + a["supplements_fen"] for a in amounts)
    return Assessment(
        income_per_head_fen=per_head,
        threshold_fen=threshold,
        standard=standard,
        eligible=not reasons,
        reasons=reasons,
        amounts=amounts,
        total_fen=total if not reasons else 0,
        parameters=used,
    )


def _asset_reasons(
    f: CheckFindings, counted: int, standard_fen: int, params: dict[str, InForce]
) -> list[str]:
    reasons = []
    if f.vehicles:
        reasons.append("the household owns a vehicle")
    if f.companies:
        reasons.append("a member holds a registered company")
    if f.public_servant_match:
        reasons.append("a member is a public servant (财政供养人员)")
    if f.real_estate_units > params["assets.max_real_estate_units"].value:
        reasons.append(f"the household owns {f.real_estate_units} homes, over the limit")
    limit = standard_fen * params["assets.deposit_months"].value * counted
    if f.deposits_fen > limit:
        reasons.append(f"deposits exceed the limit of {limit / 100:.2f} yuan")
    return reasons


def review_interval_months(programme: str, irregular_income: bool, able_to_work: bool) -> int:
    """Yearly for stable households and TEKUN, every 6 months for irregular income [law]."""
    if programme != "TEKUN" and irregular_income and able_to_work:
        return 6
    return 12


def required_parameters(programme: str, supplement_kinds: set[str]) -> list[str]:
    names = ["dibao.standard", "assets.deposit_months", "assets.max_real_estate_units"]
    names += {
        "TEKUN": ["tekun.standard"],
        "DIBAO_EDGE": ["dibao_edge.multiple_permille"],
        "HARDSHIP": ["hardship.multiple_permille"],
    }.get(programme, [])
    return names + [f"supplement.{k}" for k in sorted(supplement_kinds)]
