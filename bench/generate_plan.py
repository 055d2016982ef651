"""The province-year's plan: what each case, death and temporary case does, from the seed alone.

Every draw for case `i` comes from `random.Random(f"{seed}:case:{i}")`, so a case's history
depends on the seed and its index only: the generator can compute any case again on a resumed
run without replaying the others. A step is a call of a Ledger command method; `Unit` groups
the steps that change one aggregate, so its stored events tell how many of them are done.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from api.demo.names import GIVEN, SURNAMES
from domain.deaths.notification import notification_id
from domain.ledger import CommandResult, Ledger
from domain.shared.identity import make_id_number
from domain.shared.values import Actor, add_months, month_of
from domain.shared.working_days import default_calendar

YEAR = 2024
APPROVER = Actor("approver-province", "approver", "钟楼区民政局")
CLERK = Actor("clerk-civil-registry", "caseworker", "钟楼区民政局")
REGIONS = [f"3204{n:02d}" for n in range(1, 11)]  # ID-number region codes: 10 districts' worth
#: Birthdays are told apart by their residue mod 64 in days since this date. Counted from
#: each range's own first day, an elder (1940-1965) and an adult (1955-1985) of different
#: slots could share a birthday, region and sequence: one person in two cases, which the
#: write side refuses (first met by a 100,000-case run).
BIRTH_EPOCH = date(1900, 1, 1)
STREETS_PER_DISTRICT = 12
CASES_PER_STREET = 80  # about 1,250 streets for a province's 100,000 cases
STOCK_SHARE = 0.6  # cases already active when the year begins (confirmed in late 2023)
CAL = default_calendar()

PersonId = Callable[[str], str]  # the ledger's pseudonyms: ID number -> person id
#: One step: a Ledger command with its arguments, run as `command(ledger, *args, **kwargs)`.
Step = tuple[Callable[..., CommandResult], tuple[Any, ...], dict[str, Any]]


@dataclass
class Unit:
    """Steps on one aggregate (`target`), after `offset` steps of earlier units on it.

    Each step adds one event to the target besides FOLLOWERS (a parameter's opening, a raise
    that a confirmation applies in the same save): the stored events tell how many are done.
    """

    target: UUID
    offset: int
    steps: list[Step]
    creates: bool = False  # the first step creates the target, under the id derived for it


#: Events a step may add to its target after its own (they count no step).
FOLLOWERS = {"ParameterScheduleOpened", "BenefitAdjusted", "EarlyWarningRaised"}


@dataclass
class CasePlan:
    month: int  # 0: the opening stock (confirmed before the year); else the month submitted
    opening: Unit
    #: Later steps by month, each a Unit on the case (or a death notification).
    later: list[tuple[int, Unit]] = field(default_factory=list)


def derived_id(seed: int, kind: str, index: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:generate:{seed}:{kind}:{index}")


def streets_for(cases: int) -> list[str]:
    count = max(4, cases // CASES_PER_STREET)
    return [
        f"苏{n // STREETS_PER_DISTRICT + 1:03d}区{n % STREETS_PER_DISTRICT + 1:02d}街道"
        for n in range(count)
    ]


def person(
    rng: random.Random, number: int, relation: str, years: tuple[int, int]
) -> dict[str, Any]:
    """A member whose ID number no other `number` shares: region and sequence from the number,
    the birthday's residue mod 64 (days since BIRTH_EPOCH, whatever the range of years) from
    its slot, the rest drawn (640,000 people at most)."""
    region, seq, slot = REGIONS[number % 10], number // 10 % 1000, number // 10_000
    assert slot < 64, "too many people for the ID-number scheme"
    first, last = date(years[0], 1, 1), date(years[1], 12, 31)
    first += timedelta(days=(slot - (first - BIRTH_EPOCH).days) % 64)
    birth = first + timedelta(days=64 * rng.randrange((last - first).days // 64))
    name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
    return {"name": name, "id_number": make_id_number(region, birth, seq), "relation": relation,
            "counted": True, "able_to_work": False}  # fmt: skip


def account(rng: random.Random) -> str:
    return "6222" + "".join(str(rng.randint(0, 9)) for _ in range(15))


def wd(day: date, n: int) -> date:
    return CAL.add_working_days(day, n)


def plan_case(seed: int, i: int, streets: list[str], person_id: PersonId) -> CasePlan:
    """Case `i`: submitted, walked through acceptance, checks, visit, assessment and notice to
    its decision; then perhaps a review and a suspension, exit, termination or death."""
    rng = random.Random(f"{seed}:case:{i}")
    cid = derived_id(seed, "case", i)
    street = streets[i % len(streets)]
    worker = Actor(f"worker-{street}", "caseworker", street)
    programme = rng.choices(["DIBAO", "TEKUN", "DIBAO_EDGE"], [8, 2, 1])[0]
    if programme == "TEKUN":
        members = [person(rng, 4 * i, "self", (1940, 1965))]
    else:
        members = [person(rng, 4 * i, "self", (1955, 1985))]
        members += [person(rng, 4 * i + k, "child", (2008, 2018))
                    for k in range(1, rng.randint(0, 2) + 1)]  # fmt: skip
    month = 0 if rng.random() < STOCK_SHARE else rng.randint(1, 12)
    if month == 0:
        submitted = date(YEAR - 1, 9, 1) + timedelta(days=rng.randint(0, 80))
        final = "active"
    else:
        submitted = date(YEAR, month, 1) + timedelta(days=rng.randint(0, 6))
        weights = {"active": 80, "denied": 10, "accepted": 2, "checked": 2, "noticed": 2}
        final = rng.choices(list(weights), list(weights.values()))[0]
    kin = rng.random() < 0.03
    steps: list[Step] = []

    def do(
        command: Callable[..., CommandResult], day: date, actor: Actor = worker, **kw: Any
    ) -> None:
        steps.append((command, (cid, actor), {"occurred_on": day.isoformat(), **kw}))

    application = {
        "programme": programme, "street": street, "community": f"{street}{i % 5 + 1}社区",
        "channel": rng.choice(["counter", "online", "proxy"]), "kin_of_staff": kin,
        "occurred_on": submitted.isoformat(), "members": members, "payee_account": account(rng),
    }  # fmt: skip
    steps.append((Ledger.submit_application, (application, worker), {}))
    accepted = wd(submitted, 1)
    do(Ledger.accept_application, accepted)
    standard = 108000 if submitted < date(YEAR, 7, 1) else 111000
    share = 140 if final == "denied" else rng.choice([0, 20, 40, 60])
    per_head = standard * (120 if programme == "DIBAO_EDGE" else share) // 100
    incomes = [{"id_number": m["id_number"], "declared_fen": per_head, "verified_fen": per_head}
               for m in members]  # fmt: skip
    checked, visited = wd(accepted, 2), wd(accepted, 3)
    do(Ledger.complete_case_economic_check, checked, incomes=incomes,
       property={"vehicles": 0, "companies": 0, "real_estate_units": 1,
                 "deposits_fen": rng.randint(0, 2_000_000)},
       public_servant_match=False, data_source="江苏省居民家庭经济状况核对平台")  # fmt: skip
    if final == "accepted":
        return CasePlan(month, Unit(cid, 0, steps, True))
    do(Ledger.record_case_home_visit, visited, investigators=[f"inv-{street}-1", f"inv-{street}-2"],
       district_level=kin, findings="居住条件与申报一致")  # fmt: skip
    if final == "checked":
        return CasePlan(month, Unit(cid, 0, steps, True))
    assessed = wd(visited, 1)
    do(Ledger.assess_household, assessed, supplements=[], irregular_income=False)
    if final == "denied":
        do(Ledger.deny_eligibility, wd(assessed, 1), APPROVER, reasons=["家庭收入高于标准"])
        return CasePlan(month, Unit(cid, 0, steps, True))
    notice_from = assessed + timedelta(days=1)
    notice_to = notice_from + timedelta(days=6)
    do(Ledger.post_public_notice, assessed, posted_from=notice_from.isoformat(),
       posted_to=notice_to.isoformat())  # fmt: skip
    if final == "noticed":
        return CasePlan(month, Unit(cid, 0, steps, True))
    do(Ledger.close_public_notice, notice_to, objections=[])
    decided = wd(notice_to, 1)
    do(Ledger.confirm_eligibility, decided, APPROVER)
    plan = CasePlan(month, Unit(cid, 0, steps, True))
    applicant = members[0]["id_number"]
    decided_month = int(month_of(decided)[5:]) if decided.year == YEAR else 0
    _later(plan, rng, cid, worker, (applicant, person_id(applicant)), decided_month, len(steps))
    return plan


def _later(
    plan: CasePlan, rng: random.Random, cid: UUID, worker: Actor, applicant: tuple[str, str],
    decided_month: int, taken: int,
) -> None:  # fmt: skip
    """After confirmation: a periodic review for some, then a change for a few."""
    first = decided_month + 1  # a stock case (decided in 2023) from January
    if first > 11:
        return
    if rng.random() < 0.3:
        month = rng.randint(first, 12)
        reviewed = {"occurred_on": f"{YEAR}-{month:02d}-03", "findings": "家庭状况无变化"}
        step: Step = (Ledger.complete_review, (cid, worker), reviewed)
        plan.later.append((month, Unit(cid, taken, [step])))
        taken += 1
        first = month + 1
    if first > 12:
        return
    month = rng.randint(first, 12)
    day = date(YEAR, month, 8)
    label = f"{YEAR}-{month:02d}"
    fate = rng.choices(["none", "suspend", "exit", "terminate", "death"], [84, 3, 3, 8, 2])[0]
    kw: dict[str, Any] = {"occurred_on": day.isoformat()}
    if fate == "suspend":
        kw |= {"from_month": label, "reason": "外出务工, 暂停核查"}
        plan.later.append(
            (month, Unit(cid, taken, [(Ledger.suspend_benefit, (cid, APPROVER), kw)]))
        )
    elif fate == "exit":
        kw |= {"from_month": label, "months": 6, "reason": "家庭成员就业, 收入超过标准"}
        plan.later.append(
            (month, Unit(cid, taken, [(Ledger.start_gradual_exit, (cid, APPROVER), kw)]))
        )
    elif fate == "terminate":
        kw |= {"reason_code": rng.choice(["income_above_standard", "moved_away", "voluntary"]),
               "reason": "经复核不再符合条件", "effective_month": add_months(label, 1)}  # fmt: skip
        plan.later.append(
            (month, Unit(cid, taken, [(Ledger.terminate_benefit, (cid, APPROVER), kw)]))
        )
    elif fate == "death":
        plan.later.append((month, death_unit(*applicant, day)))


def death_unit(id_number: str, person_id: str, died: date) -> Unit:
    """身后一件事: a death reported by the registry and verified (its id derives from the person);
    the death process of `ledger serve` settles the case once it follows the log."""
    report = {
        "name": "逝者", "id_number": id_number, "date_of_death": died.isoformat(),
        "source": "hospital", "occurred_on": (died + timedelta(days=1)).isoformat(),
    }  # fmt: skip
    key = notification_id(person_id)
    verify = {"occurred_on": (died + timedelta(days=3)).isoformat(), "evidence": "死亡医学证明"}
    return Unit(key, 0, [(Ledger.report_death, (report, CLERK), {}),
                         (Ledger.verify_death, (key, APPROVER), verify)])  # fmt: skip


def plan_temporary(seed: int, j: int, cases: int, streets: list[str]) -> tuple[int, Unit]:
    """Temporary case `j` (临时救助): an emergency paid in advance with its paperwork after, or
    an expenditure hardship checked, visited and granted; closed either way, within the
    street's authority. Its members are numbered after every assistance case's."""
    rng = random.Random(f"{seed}:temporary:{j}")
    tid = derived_id(seed, "temporary", j)
    street = streets[rng.randrange(len(streets))]
    worker = Actor(f"worker-{street}", "caseworker", street)
    month = rng.randint(1, 12)
    requested = date(YEAR, month, 1) + timedelta(days=rng.randint(0, 20))
    kind = rng.choice(["EMERGENCY", "EXPENDITURE"])
    members = [person(rng, 4 * cases + 2 * j, "self", (1930, 1960))]
    if rng.random() < 0.5:
        members.append(person(rng, 4 * cases + 2 * j + 1, "spouse", (1930, 1960)))
    for m in members:
        del m["counted"], m["able_to_work"]
    payload = {
        "type": kind, "street": street, "community": f"{street}1社区",
        "occurred_on": requested.isoformat(), "members": members,
        "incident": "突发重病住院" if kind == "EMERGENCY" else "重病医疗自负费用高",
    }  # fmt: skip
    steps: list[Step] = [(Ledger.request_help, (payload, worker), {})]

    def do(command: Callable[..., CommandResult], day: date, **kw: Any) -> None:
        steps.append((command, (tid, worker), {"occurred_on": day.isoformat(), **kw}))

    amount = rng.randrange(200, 3_000) * 100
    if kind == "EMERGENCY":
        paid = requested + timedelta(days=rng.randint(0, 1))
        do(Ledger.grant_advance_aid, paid, amount_fen=amount)
        filed = paid + timedelta(days=rng.randint(2, 9))
        do(Ledger.complete_paperwork, filed, documents=["临时救助申请书", "就医证明"])
        do(Ledger.close_temporary_case, filed, reason="先行救助手续已补齐")
    else:
        seen = requested + timedelta(days=rng.randint(1, 5))
        do(Ledger.complete_temporary_economic_check, seen, incomes=[],
           property={"vehicles": 0, "companies": 0, "real_estate_units": 1, "deposits_fen": 0},
           public_servant_match=False, data_source="江苏省家庭经济状况核对平台")  # fmt: skip
        do(Ledger.record_temporary_home_visit, seen, investigators=[f"inv-{street}-1",
           f"inv-{street}-2"], findings="家庭刚性支出情况属实")  # fmt: skip
        decided = seen + timedelta(days=rng.randint(1, 5))
        do(Ledger.approve_temporary_grant, decided, amount_fen=amount)
        do(Ledger.close_temporary_case, decided, reason="救助已办结")
    return month, Unit(tid, 0, steps, True)
