"""The demo district's social organisations (2023) and village conversions (2024 plan).

DOMAIN.md 5: 292 social organisations registered at the end of 2023, 47 % of them graded.
137 of 292 is 46.9 %, which rounds to 47 % (138 would be 47.3 %), so 137 hold a grade valid
on 2023-12-31. Every organisation has an annual inspection for each year from its
registration to 2022 (concluded in March-June of the next year), except the few left due, so
the inspection record the revocation rule reads is complete. Names are synthetic.

DOMAIN.md 3.6: the 2024 plan converts four villages; the demo leaves them at different steps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.demo.names import STREETS
from domain.ledger import CommandResult, Ledger
from domain.organizations.organization import anniversary
from domain.shared.errors import DomainError
from domain.shared.values import Actor
from domain.villages.conversion import (
    DENOMINATOR_PARAMETER,
    NUMERATOR_PARAMETER,
)

#: Graded organisations by grade at the end of 2023: 137 in all.
GRADED = {"5A": 6, "4A": 25, "3A": 70, "2A": 28, "1A": 8}
REGISTERED_END_2023 = 292
GRADE_REVOKED = 2  # graded, then the grade revoked in 2023
GRADE_EXPIRED = 3  # graded in 2018: five years ran out during 2023
LIQUIDATING = 1  # liquidation started in 2023: still registered
INSPECTION_DUE = 9  # registered before 2023, with no inspection for 2022
NEW_IN_2023 = 14  # registered in 2023: no inspection due yet
DEREGISTERED = 3  # liquidated and deregistered in 2023: not counted
REVOKED = 2  # no inspection for 2021 and 2022: registration revoked in 2023, not counted
ORDINARY = (
    REGISTERED_END_2023 - sum(GRADED.values()) - GRADE_REVOKED - GRADE_EXPIRED - LIQUIDATING
    - INSPECTION_DUE - NEW_IN_2023
)  # fmt: skip
FIRST_YEAR = 2012  # registrations of the demo run from 2012

REGISTRAR = Actor("org-registrar", "approver", "钟楼区民政局")
FIELDS = [
    "书法", "摄影", "围棋", "养老服务", "青少年发展", "志愿者", "慈善", "社区服务", "心理咨询",
    "残疾人康复", "科普", "体育健身", "文化艺术", "退役军人服务", "家庭教育", "法律援助",
    "环保", "读书", "戏曲", "婚姻家庭", "助残", "邻里互助", "非遗传承", "健康促进",
]  # fmt: skip
KINDS = {
    "SOCIAL_GROUP": ["协会", "研究会", "联合会", "促进会"],
    "SOCIAL_SERVICE": ["服务中心", "社会工作服务社", "发展中心", "培训学校"],
    "FOUNDATION": ["基金会"],
}

#: A typed Ledger command of an organisation, run later in date order.
Step = Callable[..., CommandResult]


@dataclass
class Plan:
    """One organisation's history: registration, then its steps in date order."""

    registered_on: date
    steps: list[tuple[date, Step, dict[str, Any]]] = field(default_factory=list)

    def add(self, day: date, command: Step, **payload: Any) -> None:
        self.steps.append((day, command, payload))


def load_organizations_2023(ledger: Ledger, rng: random.Random) -> None:
    """Record the demo district's social organisations up to the end of 2023."""
    _Organizations(ledger, rng).load()


class _Organizations:
    def __init__(self, ledger: Ledger, rng: random.Random):
        # Imported here: api/demo.py imports this module to call the loaders.

        self.ledger = ledger
        self.rng = rng
        self.streets = list(STREETS)
        self.names: set[str] = set()

    def load(self) -> None:
        plans = [self.graded(grade) for grade, n in GRADED.items() for _ in range(n)]
        plans += [self.graded(self.rng.choice(list(GRADED)), revoked=True)
                  for _ in range(GRADE_REVOKED)]  # fmt: skip
        plans += [self.graded(self.rng.choice(list(GRADED)), year=2018)
                  for _ in range(GRADE_EXPIRED)]  # fmt: skip
        plans += [self.liquidating() for _ in range(LIQUIDATING)]
        plans += [self.inspected(self.registration(2021), last=2021) for _ in range(INSPECTION_DUE)]
        plans += [Plan(self.day(2023, 1, 11)) for _ in range(NEW_IN_2023)]
        plans += [self.inspected(self.registration(2022)) for _ in range(ORDINARY)]
        plans += [self.deregistered() for _ in range(DEREGISTERED)]
        plans += [self.revoked() for _ in range(REVOKED)]
        plans.sort(key=lambda p: p.registered_on)
        for plan in plans:
            self.record(plan)

    # -- histories --------------------------------------------------------------------------

    def graded(self, grade: str, year: int | None = None, revoked: bool = False) -> Plan:
        """Graded in `year` (2019-2023: still valid at the end of 2023), after a passed
        inspection for the year before and two full years registered."""
        year = year or self.rng.randint(2020, 2022 if revoked else 2023)
        decided = self.day(year, 7, 11)
        plan = self.inspected(self.registration(year - 2, latest=anniversary(decided, -2)),
                              passed=year - 1)  # fmt: skip
        plan.add(decided, Ledger.confirm_organization_grade, grade=grade,
                 decision_ref=f"钟民社评〔{year}〕{self.rng.randint(1, 40)}号")  # fmt: skip
        if revoked:
            plan.add(self.day(2023, 7, 11), Ledger.revoke_organization_grade,
                     reason="评估后受到行政处罚, 撤销评估等级")  # fmt: skip
        return plan

    def liquidating(self) -> Plan:
        plan = self.inspected(self.registration(2020))
        plan.add(self.day(2023, 10, 11), Ledger.start_liquidation, reason="会员大会决议解散")
        return plan

    def deregistered(self) -> Plan:
        plan = self.inspected(self.registration(2018))
        plan.add(self.day(2023, 7, 8), Ledger.start_liquidation, reason="理事会决议终止, 进入清算")
        plan.add(
            self.day(2023, 9, 11), Ledger.deregister_organization, reason="清算完毕, 准予注销登记"
        )
        return plan

    def revoked(self) -> Plan:
        plan = self.inspected(self.registration(2018), last=2020)
        plan.add(self.day(2023, 8, 11), Ledger.revoke_registration,
                 reason="连续两年未参加年度检查, 依法撤销登记")  # fmt: skip
        return plan

    def inspected(self, registered: date, last: int = 2022, passed: int | None = None) -> Plan:
        """Inspections from the year of registration to `last`, concluded the year after."""
        plan = Plan(registered)
        for year in range(registered.year, last + 1):
            roll = self.rng.random()
            result = "fail" if roll < 0.02 else "basic_pass" if roll < 0.15 else "pass"
            if year == passed:
                result = "pass"
            plan.add(self.day(year + 1, 3, 6), Ledger.conclude_organization_inspection,
                     year=year, result=result,
                     findings="" if result == "pass" else "财务管理不规范, 限期整改")  # fmt: skip
        return plan

    # -- dates ------------------------------------------------------------------------------

    def registration(self, last_year: int, latest: date | None = None) -> date:
        day = self.day(self.rng.randint(FIRST_YEAR, last_year), 1, 12)
        return min(day, latest) if latest else day

    def day(self, year: int, first_month: int, last_month: int) -> date:
        start = date(year, first_month, 1)
        return start + timedelta(days=self.rng.randint(0, 30 * (last_month - first_month) + 27))

    # -- recording --------------------------------------------------------------------------

    def name(self, organization_type: str, street: str) -> str:
        short = street.removesuffix("街道").removesuffix("镇")
        while True:
            prefix = self.rng.choice(["常州市钟楼区", "钟楼区", f"钟楼区{short}"])
            name = prefix + self.rng.choice(FIELDS) + self.rng.choice(KINDS[organization_type])
            if name not in self.names:
                self.names.add(name)
                return name

    def record(self, plan: Plan) -> UUID:
        kind = self.rng.choices(list(KINDS), [38, 60, 2])[0]
        street = self.rng.choice(self.streets)
        organization_id = self.ledger.register_organization(
            {"name": self.name(kind, street), "type": kind, "street": street,
             "occurred_on": plan.registered_on.isoformat()}, REGISTRAR,
        ).id  # fmt: skip
        for day, command, payload in sorted(plan.steps, key=lambda s: s[0]):
            command(self.ledger, organization_id, REGISTRAR, occurred_on=day.isoformat(), **payload)
        return organization_id


# -- village conversions (撤村转居), the 2024 plan ------------------------------------------

TASKS = [
    "清产核资", "成员身份界定", "集体经济组织股份制改革", "村民会议表决撤村",
    "撤销村民委员会建制", "组建社区居民委员会", "户籍与社会保障转换",
]  # fmt: skip
STREET_OFFICE = {"新闸街道": Actor("xinzha-office", "caseworker", "新闸街道"),
                 "西林街道": Actor("xilin-office", "caseworker", "西林街道")}  # fmt: skip
DISTRICT = Actor("district-civil-affairs", "approver", "钟楼区民政局")
#: Village, street, and the steps the demo records, each with its date (2024-2026).
VILLAGES: list[tuple[str, str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("庆丰村", "新闸街道", [
        ("assets", "2024-06-20", {}),
        ("membership", "2024-07-10", {"members": 1486}),
        ("restructure", "2024-09-26", {"entity_name": "常州市钟楼区庆丰股份经济合作社",
                                       "shareholders": 1486}),
        ("vote", "2024-11-18", {"eligible": 1203, "present": 1011, "votes_for": 917,
                                "votes_against": 64}),
        ("deregister", "2025-01-10", {"decision_ref": "钟政复〔2025〕3号"}),
        ("committee", "2025-03-01", {"committee_name": "庆丰社区居民委员会"}),
        ("complete", "2025-06-30", {"summary": "撤村转居七项任务全部完成"}),
    ]),
    ("朱夏墅村", "西林街道", [
        ("membership", "2024-07-02", {"members": 1132}),
        ("assets", "2024-08-15", {}),
        ("restructure", "2024-12-05", {"entity_name": "常州市钟楼区朱夏墅股份经济合作社",
                                       "shareholders": 1130}),
        ("vote", "2025-03-20", {"eligible": 968, "present": 602, "votes_for": 381,
                                "votes_against": 196}),  # 633 ‰: not passed
        ("vote", "2025-09-12", {"eligible": 968, "present": 777, "votes_for": 655,
                                "votes_against": 98}),
        ("deregister", "2025-12-22", {"decision_ref": "钟政复〔2025〕41号"}),
    ]),
    ("张家村", "西林街道", [("assets", "2025-04-25", {})]),
    ("马家村", "西林街道", []),
]  # fmt: skip
INITIATED = {"庆丰村": "2024-03-15", "朱夏墅村": "2024-04-08", "张家村": "2024-06-18",
             "马家村": "2024-12-02"}  # fmt: skip
VILLAGE_STEPS: dict[str, Step] = {
    "assets": Ledger.verify_village_assets, "membership": Ledger.confirm_village_membership,
    "restructure": Ledger.restructure_collective, "vote": Ledger.vote_village_abolition,
    "deregister": Ledger.deregister_village, "committee": Ledger.establish_residents_committee,
    "complete": Ledger.complete_village_conversion,
}  # fmt: skip


def load_villages_2024(ledger: Ledger, rng: random.Random) -> None:
    """Record the four conversions of the 2024 plan: one completed, one deregistered after a
    failed and a passed vote, one with its assets verified, one just initiated."""
    _set_threshold(ledger)
    for village, street, steps in VILLAGES:
        office = STREET_OFFICE[street]
        conversion = ledger.initiate_village_conversion(
            {"village": village, "street": street, "tasks": TASKS,
             "occurred_on": INITIATED[village]}, office,
        ).id  # fmt: skip
        for step, day, payload in steps:
            if step == "assets":
                payload = _assets(rng)
            actor = DISTRICT if step in ("deregister", "complete") else office
            VILLAGE_STEPS[step](ledger, conversion, actor, occurred_on=day, **payload)


def _assets(rng: random.Random) -> dict[str, Any]:
    """清产核资 totals: a village collective holds tens of millions of yuan."""
    assets = rng.randint(80_000_000, 250_000_000) * 100
    liabilities = rng.randint(5_000_000, 30_000_000) * 100
    return {"assets_fen": assets, "liabilities_fen": liabilities,
            "net_assets_fen": assets - liabilities, "audit_ref": "钟楼区农经审计报告"}  # fmt: skip


def _set_threshold(ledger: Ledger) -> None:
    admin = Actor("demo-admin", "admin", "钟楼区民政局")
    for name, value in ((NUMERATOR_PARAMETER, 2), (DENOMINATOR_PARAMETER, 3)):
        try:
            ledger.parameters_in_force([name], date(2024, 1, 1))
        except DomainError as missing:
            if missing.code != "parameter_missing":
                raise
            ledger.set_parameter(
                name, value, "2024-01-01",
                "撤村表决: 到会村民三分之二以上同意 (江苏实践, demo value)", admin, "2023-12-20",
            )  # fmt: skip
