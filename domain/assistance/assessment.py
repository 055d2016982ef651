"""The gap method [law] and the eligibility limits: pure functions, replayable years later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.shared.errors import InvalidInput
from domain.shared.parameters import InForce
from domain.shared.vocabulary import EXCLUSIVE_PROGRAMMES as EXCLUSIVE_PROGRAMMES  # re-exported
from domain.shared.vocabulary import PROGRAMMES as PROGRAMMES  # re-exported
from domain.shared.vocabulary import SUPPLEMENT_KINDS


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
    standard = params[standard_name(programme)]
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

    extra: dict[str, int] = {p: 0 for p in counted}
    for s in supplements:
        extra[s["person_id"]] += params[f"supplement.{s['kind']}"].value
    amounts = gap_amounts(programme, per_head, standard.value, extra)
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


def gap_amounts(
    programme: str, per_head_fen: int, standard_fen: int, supplements_fen: dict[str, int]
) -> list[dict[str, Any]]:
    """Per counted member: the gap to the standard (DIBAO and TEKUN only) plus supplements."""
    gap = max(0, standard_fen - per_head_fen) if programme in EXCLUSIVE_PROGRAMMES else 0
    return [
        {"person_id": p, "base_fen": gap, "supplements_fen": extra}
        for p, extra in supplements_fen.items()
    ]


def findings_of(check: dict[str, Any]) -> CheckFindings:
    """The economic check as a case records it (incomes by person, property, match)."""
    prop = check["property"]
    return CheckFindings(
        verified_income_fen=check["incomes"],
        vehicles=prop.get("vehicles", 0),
        companies=prop.get("companies", 0),
        real_estate_units=prop.get("real_estate_units", 0),
        deposits_fen=prop.get("deposits_fen", 0),
        public_servant_match=check["public_servant_match"],
    )


def household_assessed(
    programme: str,
    counted: list[str],
    check: dict[str, Any],
    params: dict[str, InForce],
    supplements: list[dict[str, Any]],
    rigid_spending_fen: int = 0,
    irregular_income: bool = False,
) -> dict[str, Any]:
    """The HouseholdAssessed fields, from the case's check and the parameters in force (D9)."""
    result = assess(programme, counted, findings_of(check), params, supplements, rigid_spending_fen)
    return {
        "method": "gap",
        "income_per_head_fen": result.income_per_head_fen,
        "threshold_fen": result.threshold_fen,
        "standard_fen": result.standard.value,
        "parameters": result.parameters,
        "eligible": result.eligible,
        "ineligibility_reasons": result.reasons,
        "amounts": result.amounts,
        "total_fen": result.total_fen,
        "irregular_income": irregular_income,
    }


def standard_name(programme: str) -> str:
    return "tekun.standard" if programme == "TEKUN" else "dibao.standard"


def recomputed_amounts(
    programme: str, assessed: dict[str, Any], standard_fen: int
) -> list[dict[str, Any]]:
    """The assessment's amounts again under a new standard: same income, same supplements."""
    extra = {a["person_id"]: int(a["supplements_fen"]) for a in assessed["amounts"]}
    return gap_amounts(programme, int(assessed["income_per_head_fen"]), standard_fen, extra)


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
    unknown = supplement_kinds - set(SUPPLEMENT_KINDS)
    if unknown:
        raise InvalidInput(
            f"a supplement's kind must be one of {', '.join(SUPPLEMENT_KINDS)}",
            field="supplements",
        )
    names = ["dibao.standard", "assets.deposit_months", "assets.max_real_estate_units"]
    names += {
        "TEKUN": ["tekun.standard"],
        "DIBAO_EDGE": ["dibao_edge.multiple_permille"],
        "HARDSHIP": ["hardship.multiple_permille"],
    }.get(programme, [])
    return names + [f"supplement.{k}" for k in sorted(supplement_kinds)]
