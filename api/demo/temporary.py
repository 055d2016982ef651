"""The demo district's temporary assistance (临时救助) in 2023, matching the seed figures.

DOMAIN.md 5: 261 households, 536 people, 525,100 yuan paid in 2023. The loader draws a varied
history from `rng` and then adjusts sizes and amounts so the totals come back exactly.
Applicants are born in the 1930s and other members in 2000-2007 or 2019-2022, years the case
demo never uses, so no ID number collides with it. Names are synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.demo.names import GIVEN, STREETS, SURNAMES
from domain.ledger import CommandResult, Ledger
from domain.shared.errors import DomainError
from domain.shared.identity import make_id_number
from domain.shared.values import Actor
from domain.temporary.case import CAP_PARAMETERS, Limits

#: A typed step of a temporary case, e.g. Ledger.grant_advance_aid.
Step = Callable[..., CommandResult]
ADVANCE, PAPERWORK, CLOSE = (
    Ledger.grant_advance_aid,
    Ledger.complete_paperwork,
    Ledger.close_temporary_case,
)
CHECK, VISIT = Ledger.complete_temporary_economic_check, Ledger.record_temporary_home_visit
GRANT, DENY = Ledger.approve_temporary_grant, Ledger.deny_temporary_aid

HOUSEHOLDS, PEOPLE, AMOUNT_FEN = 261, 536, 52_510_000
TEMPORARY_PARAMETERS = [
    ("temporary.cap_multiple", 6, "临时救助上限: 6 个月低保标准 (demo value)"),
    (
        "temporary.street_limit_fen",
        300_000,
        "街道审批限额 3,000 元, 以上由区民政局审批 (demo value)",
    ),
    ("temporary.paperwork_days", 10, "先行救助后 10 日内补齐手续 (demo value)"),
]
OVER_CAP_FEN = [800_000, 700_000]  # decided by a case conference (一事一议)
DISTRICT_CASES = 18  # above the street limit, approved by the district
SMALL_FEN = (20_000, 300_000)  # within the street's authority
DENIED = 9
INCIDENTS = {
    "EMERGENCY": ["火灾致住房受损", "交通事故致伤", "突发重病住院", "暴雨致房屋进水"],
    "EXPENDITURE": ["重病医疗自负费用高", "子女就学费用负担重", "慢性病长期用药"],
}
DISTRICT = Actor("approver-district", "approver", "钟楼区民政局")
Progress = Callable[[int, int], None]


@dataclass
class Household:
    assistance_type: str
    size: int
    amount_fen: int  # 0: denied


def load_temporary_2023(
    ledger: Ledger, rng: random.Random, progress: Progress | None = None
) -> None:
    """Record the 2023 temporary assistance of the demo district, every case closed."""
    _set_parameters(ledger)
    households = _households(rng)
    loader = _Loader(ledger, rng)
    for i, household in enumerate(households):
        loader.one_case(household)
        if progress:
            progress(i + 1, len(households))


def _set_parameters(ledger: Ledger) -> None:
    admin = Actor("demo-admin", "admin", "钟楼区民政局")
    for name, value, reason in TEMPORARY_PARAMETERS:
        try:
            ledger.parameters_in_force([name], date(2023, 1, 1))
        except DomainError as missing:
            if missing.code != "parameter_missing":
                raise
            ledger.set_parameter(name, value, "2023-01-01", reason, admin, "2022-12-20")


def _households(rng: random.Random) -> list[Household]:
    """Paid households whose sizes and amounts add up exactly, plus a few denied ones."""
    amounts = _amounts(rng)
    sizes = _sizes(rng)
    paid = [
        Household(
            "EXPENDITURE" if amount in OVER_CAP_FEN or rng.random() < 0.45 else "EMERGENCY",
            size,
            amount,
        )
        for amount, size in zip(amounts, sizes, strict=True)
    ]
    denied = [Household("EXPENDITURE", rng.randint(1, 4), 0) for _ in range(DENIED)]
    everyone = paid + denied
    rng.shuffle(everyone)
    return everyone


def _amounts(rng: random.Random) -> list[int]:
    district = [rng.randrange(3_010, 6_000) * 100 for _ in range(DISTRICT_CASES)]
    count = HOUSEHOLDS - len(OVER_CAP_FEN) - DISTRICT_CASES
    rest = AMOUNT_FEN - sum(OVER_CAP_FEN) - sum(district)
    low, high = SMALL_FEN
    mean = rest // count // 100 * 100
    small = [min(high, max(low, mean + rng.randrange(-1_200, 1_201) * 100)) for _ in range(count)]
    gap = rest - sum(small)
    while gap:  # nudge random amounts by at most 50 yuan until the total is exact
        i = rng.randrange(count)
        step = max(-5_000, min(5_000, gap))
        if low <= small[i] + step <= high:
            small[i] += step
            gap -= step
    return OVER_CAP_FEN + district + small


def _sizes(rng: random.Random) -> list[int]:
    sizes = [rng.choice([1, 1, 2, 2, 2, 3, 3, 4]) for _ in range(HOUSEHOLDS)]
    while (gap := PEOPLE - sum(sizes)) != 0:
        i = rng.randrange(HOUSEHOLDS)
        step = 1 if gap > 0 else -1
        if 1 <= sizes[i] + step <= 5:
            sizes[i] += step
    return sizes


class _Loader:
    def __init__(self, ledger: Ledger, rng: random.Random):
        # Imported here: api/demo.py imports this module to call the loader.

        self.ledger = ledger
        self.rng = rng
        self.streets = STREETS
        self.surnames, self.given = SURNAMES, GIVEN
        self.used: set[str] = set()
        self.sequence = 600
        self.conferences = 0

    def person(self, relation: str, years: tuple[int, int]) -> dict[str, Any]:
        while True:
            self.sequence = 600 + (self.sequence - 599) % 400  # 600..999
            birth = date(self.rng.randint(*years), self.rng.randint(1, 12), self.rng.randint(1, 28))
            id_number = make_id_number("320404", birth, self.sequence)
            if id_number not in self.used:
                self.used.add(id_number)
                break
        name = self.rng.choice(self.surnames) + "".join(
            self.rng.sample(self.given, self.rng.randint(1, 2))
        )
        return {"name": name, "id_number": id_number, "relation": relation}

    def members(self, size: int) -> list[dict[str, Any]]:
        members = [self.person("self", (1930, 1939))]
        if size > 1:
            members.append(self.person("spouse", (1930, 1939)))
        for _ in range(size - len(members)):
            if self.rng.random() < 0.5:
                members.append(self.person("child", (2000, 2007)))
            else:
                members.append(self.person("grandchild", (2019, 2022)))
        return members

    def one_case(self, household: Household) -> UUID:
        rng, ledger = self.rng, self.ledger
        street = rng.choice(list(self.streets))
        worker = Actor(f"worker-{street}", "caseworker", street)
        kind = household.assistance_type
        requested = date(2023, 1, 3) + timedelta(days=rng.randint(0, 331))  # to 2023-11-30
        case_id = ledger.request_help(
            {"type": kind, "street": street, "community": rng.choice(self.streets[street]),
             "occurred_on": requested.isoformat(), "incident": rng.choice(INCIDENTS[kind]),
             "members": self.members(household.size)}, worker,
        ).id  # fmt: skip

        def do(command: Step, day: date, actor: Actor = worker, **payload: Any) -> None:
            command(ledger, case_id, actor, occurred_on=day.isoformat(), **payload)

        if kind == "EMERGENCY":
            paid = requested + timedelta(days=rng.randint(0, 1))
            actor, payment = self.decision(household.amount_fen, paid, worker)
            do(ADVANCE, paid, actor, **payment)
            late = rng.random() < 0.08
            filed = paid + timedelta(days=rng.randint(11, 20) if late else rng.randint(2, 9))
            do(PAPERWORK, filed, documents=["临时救助申请书", "事故或就医证明"])
            do(CLOSE, filed + timedelta(days=rng.randint(0, 3)), reason="先行救助手续已补齐")
            return case_id
        checked = requested + timedelta(days=rng.randint(1, 5))
        do(CHECK, checked, incomes=[], data_source="江苏省家庭经济状况核对平台",
           property={"vehicles": 0, "companies": 0, "real_estate_units": 1, "deposits_fen": 0},
           public_servant_match=False)  # fmt: skip
        visited = requested + timedelta(days=rng.randint(1, 5))
        do(VISIT, visited, investigators=[f"inv-{street}-1", f"inv-{street}-2"],
           findings="家庭刚性支出情况属实", district_level=False)  # fmt: skip
        decided = max(checked, visited) + timedelta(days=rng.randint(1, 7))
        if household.amount_fen == 0:
            do(DENY, decided, DISTRICT, reasons=["家庭经济状况不符合临时救助条件"])
        else:
            actor, payment = self.decision(household.amount_fen, decided, worker)
            do(GRANT, decided, actor, **payment)
        do(CLOSE, decided + timedelta(days=rng.randint(0, 5)), reason="救助已办结")
        return case_id

    def decision(self, amount_fen: int, day: date, worker: Actor) -> tuple[Actor, dict[str, Any]]:
        """Who may decide this amount on that day, and the payment (with a case conference
        when the amount is above the cap)."""
        limits = Limits.from_parameters(self.ledger.parameters_in_force(CAP_PARAMETERS, day))
        payment: dict[str, Any] = {"amount_fen": amount_fen}
        if amount_fen > limits.cap_fen:
            self.conferences += 1
            ref = f"钟民临〔2023〕{self.conferences}号"
            payment["case_conference"] = {"decision_ref": ref, "held_on": day.isoformat()}
        district = amount_fen > min(limits.street_limit_fen, limits.cap_fen)
        return (DISTRICT if district else worker), payment
