"""The synthetic demo district (钟楼区, Changzhou): parameters and cases in every state.

Names are synthetic and ID numbers well-formed (valid check digits) but made up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.demo.care import load_institutions_2023
from api.demo.defects_findings import plant_finding_defects
from api.demo.defects_rules_a import RulesADefects
from api.demo.defects_rules_b import DEMO_TODAY, plant_defects_rules_b
from api.demo.names import GIVEN, STREETS, SURNAMES
from api.demo.organizations import load_organizations_2023, load_villages_2024
from api.demo.temporary import load_temporary_2023
from domain.ledger import CommandResult, Ledger
from domain.shared.identity import make_id_number
from domain.shared.values import Actor, add_months, month_of
from domain.shared.working_days import default_calendar

PARAMETERS = [
    ("dibao.standard", 105000, "2022-07-01", "常州市2022年最低生活保障标准 (demo value)"),
    ("dibao.standard", 108000, "2023-07-01", "常州市2023年最低生活保障标准 (demo value)"),
    ("dibao.standard", 111000, "2024-07-01", "常州市2024年最低生活保障标准 (demo value)"),
    ("tekun.standard", 140400, "2022-07-01", "特困人员基本生活标准 1.3x (demo value)"),
    ("tekun.standard", 144300, "2024-07-01", "特困人员基本生活标准 1.3x (demo value)"),
    ("dibao_edge.multiple_permille", 1500, "2022-01-01", "低保边缘 1.5 倍"),
    ("hardship.multiple_permille", 2000, "2022-01-01", "支出型困难 2 倍"),
    ("assets.deposit_months", 24, "2022-01-01", "存款限额: 24 个月标准"),
    ("assets.max_real_estate_units", 1, "2022-01-01", "住房: 1 套"),
    ("supplement.elderly", 10000, "2022-01-01", "70 岁以上老人增发"),
    ("supplement.disabled", 20000, "2022-01-01", "重度残疾人增发"),
    ("supplement.minor", 10000, "2022-01-01", "未成年人增发"),
]
#: The states the demo leaves cases in, with their weights.
FINAL_STATES = [
    ("submitted", 4), ("accepted", 4), ("checked", 3), ("noticed", 3), ("active", 30),
    ("denied", 6), ("suspended", 3), ("gradual_exit", 3), ("terminated", 8),
]  # fmt: skip

#: How the 2023 cohort ends up: mostly active, one suspended, one exiting, one terminated.
COHORT_2023 = ["active"] * 13 + ["suspended", "gradual_exit", "terminated"]

Progress = Callable[[int, int], None]


def settlement_file(payouts: dict[str, list[Any]], fail: str | None) -> str:
    """The bank's CSV for a run: every payout settled, except `fail`."""
    lines = ["payout_id,status,amount_fen,bank_reference,reason"]
    for n, (key, (amount, _)) in enumerate(sorted(payouts.items()), start=1):
        if key == fail:
            lines.append(f"{UUID(key)},failed,{amount},,账户已注销")
        else:
            lines.append(f"{UUID(key)},settled,{amount},BOC{key[:8].upper()}{n:05d},")
    return "\n".join(lines) + "\n"


class DemoDistrict:
    def __init__(self, ledger: Ledger, seed: int = 2023):
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.cal = default_calendar()
        self.sequence = 0
        #: Later active cases: (case id, the first member's ID number, decision date).
        self.active: list[tuple[UUID, str, date]] = []

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.randint(1, 2)))

    def person(self, relation: str, birth_year: int) -> dict[str, Any]:
        self.sequence += 1
        birth = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return {
            "name": self.name(),
            "id_number": make_id_number("320404", birth, self.sequence % 1000),
            "relation": relation,
            "counted": True,
            "able_to_work": 20 <= 2024 - birth_year <= 59 and self.rng.random() < 0.4,
        }

    def wd(self, d: date, n: int) -> date:
        return self.cal.add_working_days(d, n)

    def load(self, households: int = 120, progress: Progress | None = None) -> int:
        """The 2023 history (the seed figures exactly), then later cases in every state."""
        admin = Actor("demo-admin", "admin", "钟楼区民政局")
        for name, value, start, reason in PARAMETERS:
            self.ledger.set_parameter(name, value, start, reason, admin, "2022-01-01")
        total = len(COHORT_2023) + households
        done = 0
        for final in COHORT_2023:  # 16 DIBAO households newly confirmed in 2023
            self.one_case(
                final, "DIBAO", date(2023, 1, 3) + timedelta(days=self.rng.randint(0, 300))
            )
            done += 1
            if progress:
                progress(done, total)
        load_temporary_2023(self.ledger, self.rng)
        self.payroll_2023()
        load_institutions_2023(self.ledger, self.rng)
        load_organizations_2023(self.ledger, self.rng)
        load_villages_2024(self.ledger, self.rng)
        states = [s for s, w in FINAL_STATES for _ in range(w)]
        for _ in range(households):
            self.one_case(self.rng.choice(states))
            done += 1
            if progress:
                progress(done, total)
        self.deaths()
        RulesADefects(self.ledger).load()
        plant_defects_rules_b(self.ledger)
        plant_finding_defects(self)  # A01, A02
        self.record_days()
        return households

    def record_days(self) -> None:
        """The business days, last: the deadline rules judge on them what is due by then.

        The first of each month from February 2023, and the demo's last day (DEMO_TODAY);
        recorded after every planted defect, so that a deadline met within the demo (a review
        after a death) is on file before a day after it is (projections/reactions/clock.py).
        """
        month = "2023-02"
        while month <= DEMO_TODAY.isoformat()[:7]:
            self.ledger.record_day(f"{month}-01")
            month = add_months(month, 1)
        self.ledger.record_day(DEMO_TODAY.isoformat())

    def deaths(self) -> None:
        """身后一件事: two verified deaths (one retracted report first) settle their cases."""
        approver = Actor("approver-district", "approver", "钟楼区民政局")
        clerk = Actor("clerk-civil-registry", "caseworker", "钟楼区民政局")
        for n, (_, id_number, decided) in enumerate(self.active[:2]):
            died = decided + timedelta(days=90)
            report = {"name": "逝者", "id_number": id_number, "date_of_death": died.isoformat(),
                      "source": ["hospital", "crematorium"][n],
                      "occurred_on": (died + timedelta(days=1)).isoformat()}  # fmt: skip
            key = self.ledger.report_death(report, clerk).id
            if n == 0:  # a mistaken first report, retracted, then the right one
                self.ledger.retract_death_report(
                    key, approver, occurred_on=report["occurred_on"], reason="报告人信息有误"
                )
                self.ledger.report_death(report, clerk)
            self.ledger.verify_death(
                key, approver, occurred_on=(died + timedelta(days=3)).isoformat(),
                evidence="死亡医学证明/火化证明",
            )  # fmt: skip

    def payroll_2023(self) -> None:
        """Twelve monthly DIBAO runs for 2023, approved and settled from the bank's files."""
        approver = Actor("approver-district", "approver", "钟楼区民政局")
        led = self.ledger
        for month in range(1, 13):
            label = f"2023-{month:02d}"
            run = led.start_payroll_run("DIBAO", label, approver, date(2023, month, 20))
            led.approve_payroll_run(run.id, approver, f"2023-{month:02d}-21")
            pending = led.get_run(run.id).payouts
            fail = next(iter(pending)) if month == 6 and pending else None
            led.record_settlement(run.id, settlement_file(pending, fail), approver,
                                  f"2023-{month:02d}-25")  # fmt: skip
            if fail:  # one bounced payment, reissued to a new account and settled
                led.reissue_payout(
                    UUID(fail), approver, occurred_on="2023-06-26",
                    reason="账户已注销, 改发新账户", payee_account=self.account(),
                )  # fmt: skip
                reissued = {fail: led.get_run(run.id).payouts[fail]}
                led.record_settlement(run.id, settlement_file(reissued, None), approver,
                                      "2023-06-28")  # fmt: skip

    def account(self) -> str:
        return "6222" + "".join(str(self.rng.randint(0, 9)) for _ in range(15))

    def one_case(
        self, final: str, programme: str | None = None, submitted: date | None = None
    ) -> UUID:
        street = self.rng.choice(list(STREETS))
        worker = Actor(f"worker-{street}", "caseworker", street)
        approver = Actor("approver-district", "approver", "钟楼区民政局")
        cohort = programme is not None
        programme = programme or self.rng.choices(["DIBAO", "TEKUN", "DIBAO_EDGE"], [8, 2, 1])[0]
        if programme == "TEKUN":
            members = [self.person("self", self.rng.randint(1940, 1965))]
        else:
            members = [self.person("self", self.rng.randint(1950, 1985))]
            members += [self.person("child", self.rng.randint(2008, 2018))
                        for _ in range(self.rng.randint(0, 2))]  # fmt: skip
        # Later cases start in 2024, so 2023's confirmations are exactly the cohort's.
        submitted = submitted or date(2024, 1, 2) + timedelta(days=self.rng.randint(0, 960))
        if final in ("submitted", "accepted", "checked", "noticed"):
            # Within 30 working days of the demo's last day (DEMO_TODAY): not yet over-long.
            submitted = date(2026, 10, 20) + timedelta(days=self.rng.randint(0, 60) // 4)
        led = self.ledger
        cid = led.submit_application(
            {"programme": programme, "street": street,
             "community": self.rng.choice(STREETS[street]),
             "channel": self.rng.choice(["counter", "online", "proxy"]),
             "kin_of_staff": self.rng.random() < 0.05, "occurred_on": submitted.isoformat(),
             "members": members, "payee_account": self.account()}, worker,
        ).id  # fmt: skip
        if final == "submitted":
            return cid

        def do(
            run: Callable[..., CommandResult], day: date, actor: Actor = worker, **kw: Any
        ) -> None:
            run(led, cid, actor, occurred_on=day.isoformat(), **kw)

        accepted = self.wd(submitted, 1)
        do(Ledger.accept_application, accepted)
        if final == "accepted":  # the investigation begun within 3 working days [law]
            do(Ledger.complete_case_economic_check, self.wd(accepted, 2), incomes=[],
               property={}, data_source="江苏省居民家庭经济状况核对平台")  # fmt: skip
            return cid
        standard = 108000 if submitted < date(2024, 7, 1) else 111000
        shares = [0, 20, 40, 60] if cohort else [0, 20, 40, 60, 80, 95, 140]
        per_head = standard * self.rng.choice(shares) // 100
        if programme == "DIBAO_EDGE":
            per_head = standard * 120 // 100
        incomes = [{"id_number": m["id_number"], "declared_fen": per_head,
                    "verified_fen": per_head} for m in members]  # fmt: skip
        checked = self.wd(accepted, 2)
        vehicles = 1 if final == "denied" and self.rng.random() < 0.5 else 0
        do(Ledger.complete_case_economic_check, checked, incomes=incomes,
           property={"vehicles": vehicles, "companies": 0, "real_estate_units": 1,
                     "deposits_fen": self.rng.randint(0, 2_000_000)},
           public_servant_match=False, data_source="江苏省居民家庭经济状况核对平台")  # fmt: skip
        visited = self.wd(accepted, 3)
        district = led.get_case(cid).kin_of_staff
        do(Ledger.record_case_home_visit, visited,
           investigators=[f"inv-{street}-1", f"inv-{street}-2"], district_level=district,
           findings="居住条件与申报一致")  # fmt: skip
        if final == "checked":
            return cid
        assessed = self.wd(visited, 1)
        do(Ledger.assess_household, assessed, supplements=[], irregular_income=False)
        case = led.get_case(cid)
        assert case.assessment is not None
        if final == "denied" or not case.assessment["eligible"]:
            do(Ledger.deny_eligibility, self.wd(assessed, 1), approver,
               reasons=case.assessment["reasons"] or ["家庭收入高于标准"])  # fmt: skip
            return cid
        notice_from = assessed + timedelta(days=1)
        notice_to = notice_from + timedelta(days=6)
        do(Ledger.post_public_notice, assessed, posted_from=notice_from.isoformat(),
           posted_to=notice_to.isoformat())  # fmt: skip
        if final == "noticed":
            return cid
        do(Ledger.close_public_notice, notice_to, objections=[])
        decided = self.wd(notice_to, 1)
        do(Ledger.confirm_eligibility, decided, approver)
        if final == "active" and not cohort and decided < date(2026, 6, 1):
            self.active.append((cid, members[0]["id_number"], decided))
        first = add_months(month_of(decided), 1)
        later = date.fromisoformat(add_months(first, self.rng.randint(2, 8)) + "-05")
        if later > date(2026, 11, 20):
            return cid
        if final == "suspended":
            do(Ledger.suspend_benefit, later, approver, from_month=month_of(later),
               reason="外出务工, 暂停核查")  # fmt: skip
        elif final == "gradual_exit":
            do(Ledger.start_gradual_exit, later, approver, from_month=month_of(later), months=6,
               reason="家庭成员就业, 收入超过标准")  # fmt: skip
        elif final == "terminated":
            do(Ledger.terminate_benefit, later, approver,
               reason_code=self.rng.choice(["income_above_standard", "moved_away", "voluntary"]),
               reason="经复核不再符合条件", effective_month=add_months(month_of(later), 1),
            )  # fmt: skip
        return cid
