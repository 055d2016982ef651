"""The demo district's care institutions and its bed-conversion plan (四床融合).

DOMAIN.md 5, as of 2023-12-31 (`bed_stats(as_of="2023-12-31")`):
- nursing beds 94.71 % of institutional beds: 1,789 of 1,889 (94.706... rounded half up);
  the 360 home-care beds (家庭养老床位) are not institutional and are not counted;
- every one of the 14 institutions graded, each grade valid through 2023 (100 %);
- 230 of 250 caregivers certified (92 %).
Then the 2024 plan toward 300 converted beds, at every step: 188 beds converted in 2024,
20 more in 2025, 72 approved and in progress, 53 applied for and not decided, two rejected.
The 2024-2026 conversions change bed counts after 2023, which is why the 2023 figures are
asked as of 2023-12-31. Later staff reports and three grades left to expire on 2025-12-31
make today's figures differ too. The rng spreads beds and staff over institutions; the totals are
fixed. Names are synthetic; the subsidy per bed is a demo value.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from api.demo.names import STREETS
from domain.ledger import CommandResult, Ledger
from domain.shared.values import Actor

#: A typed step of an institution or a conversion, e.g. Ledger.award_institution_grade.
Step = Callable[..., CommandResult]
GRADE, STAFF = Ledger.award_institution_grade, Ledger.report_institution_staff
FIRE_SAFETY, MEDICAL = Ledger.certify_fire_safety, Ledger.record_medical_capability
INSPECT, APPROVE, REJECT = (
    Ledger.inspect_bed_conversion,
    Ledger.approve_bed_conversion,
    Ledger.reject_bed_conversion,
)
COMPLETE, SUBSIDY = Ledger.complete_bed_conversion, Ledger.pay_conversion_subsidy

#: Institutional beds by type at the end of 2023: 1,789 nursing of 1,889 = 94.71 %.
BEDS_2023 = {"nursing": 1789, "elderly_care": 60, "medical": 28, "hospice": 12}
HOME_CARE_2023 = 360
CAREGIVERS_2023, CERTIFIED_2023 = 250, 230
INSTITUTIONS = 14
#: (name suffix, medical capability); the i-th institution is on the (i mod 8)-th street.
KINDS = [
    ("社会福利中心", True), ("颐养院", False), ("护理院", True), ("老年公寓", False),
    ("康养中心", True), ("敬老院", False), ("医养结合中心", True), ("长者之家", False),
    ("护理中心", True), ("养老院", False), ("康复护理院", True), ("颐和苑", False),
    ("仁爱护理院", True), ("福寿园", False),
]  # fmt: skip
SUBSIDY_PER_BED_FEN = 100_000  # 1,000 yuan per converted bed (demo value)
DISTRICT = Actor("approver-district", "approver", "钟楼区民政局")
ADMIN = Actor("demo-admin", "admin", "钟楼区民政局")


@dataclass(frozen=True)
class Planned:
    """One conversion of the plan: its beds, the step it ends at and when it was applied for."""

    from_type: str
    to_type: str
    number: int
    final: str  # applied, inspection_failed, inspected, approved, completed, rejected
    applied_on: date
    subsidised: int = 0  # beds paid for, when completed
    approved_then_rejected: bool = False


PLAN = [
    # completed in 2024: 40 + 24 + 12 + 36 + 18 + 30 + 28 = 188 beds
    Planned("nursing", "medical", 40, "completed", date(2024, 2, 5), subsidised=40),
    Planned("nursing", "hospice", 24, "completed", date(2024, 2, 26), subsidised=24),
    Planned("elderly_care", "nursing", 12, "completed", date(2024, 3, 11), subsidised=12),
    Planned("nursing", "medical", 36, "completed", date(2024, 4, 8), subsidised=36),
    Planned("nursing", "hospice", 18, "completed", date(2024, 5, 6), subsidised=18),
    Planned("nursing", "medical", 30, "completed", date(2024, 6, 3), subsidised=20),
    Planned("nursing", "medical", 28, "completed", date(2024, 7, 1)),
    # completed in 2025: counts for 2025, not for the 2024 plan
    Planned("nursing", "hospice", 20, "completed", date(2025, 2, 10), subsidised=20),
    # approved, in progress: 32 + 16 + 24 = 72 beds
    Planned("nursing", "medical", 32, "approved", date(2025, 3, 3)),
    Planned("nursing", "hospice", 16, "approved", date(2026, 4, 7)),
    Planned("nursing", "medical", 24, "approved", date(2026, 8, 3)),
    # not decided yet: 20 + 10 + 15 + 8 = 53 beds
    Planned("nursing", "medical", 20, "inspected", date(2026, 9, 7)),
    Planned("nursing", "hospice", 10, "inspection_failed", date(2026, 9, 14)),
    Planned("nursing", "medical", 15, "applied", date(2026, 10, 12)),
    Planned("elderly_care", "hospice", 8, "applied", date(2026, 11, 2)),
    # rejected: one after a failed inspection, one after its approval (beds released)
    Planned("nursing", "medical", 25, "rejected", date(2024, 9, 2)),
    Planned("nursing", "hospice", 12, "rejected", date(2025, 5, 12), approved_then_rejected=True),
]


@dataclass
class _Institution:
    id: UUID
    street: str
    medical: bool
    beds: dict[str, int]
    planned: dict[str, int] = field(default_factory=dict)  # beds already taken by the plan

    def free(self, bed_type: str) -> int:
        return self.beds.get(bed_type, 0) - self.planned.get(bed_type, 0)


def load_institutions_2023(ledger: Ledger, rng: random.Random) -> None:
    """Record the demo institutions (2023 figures exactly), then the 2024 plan's conversions."""

    streets = list(STREETS)
    beds = _beds(rng)
    staff = list(zip(_split(rng, CAREGIVERS_2023, INSTITUTIONS, 8), _uncertified(rng), strict=True))
    institutions = []
    for i, ((suffix, medical), counts) in enumerate(zip(KINDS, beds, strict=True)):
        street = streets[i % len(streets)]
        filed = date(2023, 1, 9) + timedelta(days=rng.randint(0, 60))
        iid = ledger.file_institution(
            {"name": street.removesuffix("街道").removesuffix("镇") + suffix, "street": street,
             "beds": counts, "medical_capability": medical, "occurred_on": filed.isoformat()},
            ADMIN,
        ).id  # fmt: skip
        institutions.append(_Institution(iid, street, medical, dict(counts)))
        graded = filed + timedelta(days=rng.randint(30, 200))
        until = "2025-12-31" if i in (3, 9, 11, 13) else "2026-12-31"
        _do(ledger, iid, GRADE, graded, level=rng.choice([2, 3, 3, 4, 4, 5]),
            valid_until=until, evidence=f"钟民养〔2023〕{i + 1}号")  # fmt: skip
        caregivers, uncertified = staff[i]
        _do(ledger, iid, STAFF, date(2023, 12, 1) + timedelta(days=rng.randint(0, 20)),
            caregivers=caregivers, certified_caregivers=caregivers - uncertified)  # fmt: skip
        _do(ledger, iid, FIRE_SAFETY, filed + timedelta(days=rng.randint(1, 30)),
            certificate_ref=f"常消安〔2023〕{100 + i}号", valid_until="2026-12-31")  # fmt: skip
    _later_years(ledger, rng, institutions, staff)
    for planned in PLAN:
        _convert(ledger, rng, institutions, planned)


def _do(ledger: Ledger, iid: UUID, command: Step, on: date, **payload: object) -> None:
    command(ledger, iid, ADMIN, occurred_on=on.isoformat(), **payload)


def _split(rng: random.Random, total: int, parts: int, minimum: int) -> list[int]:
    """`total` spread over `parts` at random, each at least `minimum`, summing exactly."""
    shares = [minimum] * parts
    for _ in range(total - minimum * parts):
        shares[rng.randrange(parts)] += 1
    return shares


def _uncertified(rng: random.Random) -> list[int]:
    """The 20 uncertified caregivers, at most 3 in any one institution."""
    counts = [0] * INSTITUTIONS
    while sum(counts) < CAREGIVERS_2023 - CERTIFIED_2023:
        i = rng.randrange(INSTITUTIONS)
        counts[i] = min(3, counts[i] + 1)
    return counts


def _beds(rng: random.Random) -> list[dict[str, int]]:
    """Beds by type per institution; the totals are exactly BEDS_2023 and HOME_CARE_2023."""
    capable = [i for i, (_, medical) in enumerate(KINDS) if medical]
    nursing = _split(rng, BEDS_2023["nursing"], INSTITUTIONS, 90)
    beds: list[dict[str, int]] = [{"nursing": n} for n in nursing]
    for i, n in zip((1, 6, 10), (24, 20, 16), strict=True):  # 60 elderly-care beds
        beds[i]["elderly_care"] = n
    for i, n in zip(capable[:3], _split(rng, BEDS_2023["medical"], 3, 6), strict=True):
        beds[i]["medical"] = n
    beds[capable[3]]["hospice"] = BEDS_2023["hospice"]
    for i, n in zip((0, 2, 5, 7, 9, 12), _split(rng, HOME_CARE_2023, 6, 40), strict=True):
        beds[i]["home_care"] = n
    return beds


def _later_years(
    ledger: Ledger, rng: random.Random, institutions: list[_Institution],
    staff: list[tuple[int, int]],
) -> None:  # fmt: skip
    """After 2023: new staff reports, a regraded institution, one gaining medical capability."""
    for i in (0, 4, 8):
        more = staff[i][0] + 3  # three caregivers hired in 2024, all certified
        _do(ledger, institutions[i].id, STAFF, date(2024, 12, 2), caregivers=more,
            certified_caregivers=more - staff[i][1])  # fmt: skip
    _do(ledger, institutions[3].id, GRADE, date(2025, 12, 15), level=3,
        valid_until="2026-12-31", evidence="钟民养〔2025〕4号")  # fmt: skip
    # One ordinary home signs with a community hospital (医养结合) and may then convert.
    _do(ledger, institutions[1].id, MEDICAL, date(2024, 1, 15), capable=True,
        evidence="与钟楼区社区卫生服务中心签约 (demo)")  # fmt: skip
    institutions[1].medical = True


def _convert(
    ledger: Ledger, rng: random.Random, institutions: list[_Institution], planned: Planned
) -> None:
    """Take the plan's conversion through its steps, at an institution that can make it."""
    fits = [
        inst for inst in institutions
        if inst.free(planned.from_type) >= planned.number
        and (inst.medical or planned.to_type not in ("nursing", "medical"))
    ]  # fmt: skip
    inst = rng.choice(fits)
    if planned.final not in ("rejected",):
        inst.planned[planned.from_type] = inst.planned.get(planned.from_type, 0) + planned.number
    worker = Actor(f"worker-{inst.street}", "caseworker", inst.street)
    inspectors = [f"inspector-{inst.street}-1", f"inspector-{inst.street}-2"]
    on = planned.applied_on
    cid = ledger.apply_bed_conversion(
        {"institution_id": str(inst.id), "from_type": planned.from_type,
         "to_type": planned.to_type, "number": planned.number, "occurred_on": on.isoformat(),
         "reason": "四床融合: 提升医养结合服务能力"}, worker,
    ).id  # fmt: skip

    def step(command: Step, days: int, actor: Actor = worker, **payload: object) -> None:
        nonlocal on
        on += timedelta(days=days)
        command(ledger, cid, actor, occurred_on=on.isoformat(), **payload)

    if planned.final == "applied":
        return
    failed = planned.final in ("inspection_failed", "rejected") and not (
        planned.approved_then_rejected
    )
    step(INSPECT, rng.randint(7, 14), DISTRICT, passed=not failed, inspectors=inspectors,
         findings="消防与医疗设施不达标" if failed else "场地、设施与人员符合要求")  # fmt: skip
    if planned.final in ("inspection_failed", "inspected"):
        return
    if planned.final == "rejected" and failed:
        step(REJECT, rng.randint(3, 10), DISTRICT, reasons=["现场核查未通过, 限期内未整改"])
        return
    step(
        APPROVE,
        rng.randint(5, 15),
        DISTRICT,
        decision_ref=f"钟民养转〔{on.year}〕{cid.hex[:4]}号",
    )
    if planned.final == "rejected":
        step(REJECT, rng.randint(20, 40), DISTRICT, reasons=["机构撤回改造计划"])
        return
    if planned.final == "approved":
        return
    step(COMPLETE, rng.randint(60, 120), DISTRICT, evidence=f"验收报告 {cid.hex[:6]}")
    if planned.subsidised:
        step(SUBSIDY, rng.randint(20, 40), DISTRICT, amount_per_bed_fen=SUBSIDY_PER_BED_FEN,
             beds=planned.subsidised, reference=f"钟财拨〔{on.year}〕{cid.hex[:4]}号")  # fmt: skip
