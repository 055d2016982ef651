"""Planted defects for audit rules A03-A08, so that a supervisor opening the demo finds some.

Most are records migrated from the old system (旧低保信息系统) that today's commands would
refuse: they are saved with the event-sourcing library directly (`migrated`), as the migration
saved them. One is recorded by today's commands, which allow it and make it visible: an
investigation started late across the National Day holiday of 2025. Each planted case raises
one finding of one rule; the people are synthetic (born 1987-1989, years no other loader uses).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from api.demo.names import GIVEN, SURNAMES
from domain.assistance.assessment import household_assessed, required_parameters
from domain.ledger import Ledger
from domain.payroll.run import run_id
from domain.shared.identity import make_id_number
from domain.shared.values import Actor, Json, add_months

#: Who the old system's records name once migrated.
MIGRATION = Actor("legacy-import", "admin", "钟楼区民政局")
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")


def migrated(ledger: Ledger, aggregate_id: UUID, event: str, **fields: Any) -> None:
    """Save one migrated record: the event as the old system had it, without today's checks."""
    aggregate: Aggregate = ledger.repository.get(aggregate_id)
    fields.setdefault("actor", MIGRATION.as_dict())
    aggregate.trigger_event(getattr(type(aggregate), event), **fields)
    ledger.save(aggregate)
    ledger.saved()


class RulesADefects:
    def __init__(self, ledger: Ledger, seed: int = 2023) -> None:
        self.ledger = ledger
        self.rng = random.Random(seed * 7 + 3)
        self.sequence = 900

    def load(self) -> None:
        self.short_notice()
        self.relative_of_staff_without_district_visit()
        self.confirmed_with_a_vehicle()
        self.confirmed_without_a_home_visit()
        self.counted_in_two_cases()
        self.investigation_late_across_national_day()
        self.december_paid_twice()

    # -- the cases ----------------------------------------------------------------------------

    def person(self, relation: str = "self", year: int = 1988) -> Json:
        self.sequence += 1
        born = date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return {
            "name": self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, 2)),
            "id_number": make_id_number("320404", born, self.sequence),
            "relation": relation,
            "counted": True,
        }

    def submit(
        self, street: str, community: str, on: str, members: list[Json] | None = None,
        programme: str = "DIBAO", kin_of_staff: bool = False,
    ) -> tuple[UUID, Actor]:  # fmt: skip
        worker = Actor(f"worker-{street}", "caseworker", street)
        account = "6222" + "".join(str(self.rng.randint(0, 9)) for _ in range(15))
        case = self.ledger.submit_application(
            {"programme": programme, "street": street, "community": community,
             "channel": "counter", "kin_of_staff": kin_of_staff, "occurred_on": on,
             "members": members or [self.person()], "payee_account": account},
            worker,
        ).id  # fmt: skip
        return case, worker

    def check_and_visit(self, case: UUID, worker: Actor, checked: str, visited: str | None,
                        district: bool = False, **property: int) -> None:  # fmt: skip
        led = self.ledger
        led.complete_case_economic_check(
            case, worker, occurred_on=checked, incomes=[],
            property={"vehicles": 0, "companies": 0, "real_estate_units": 1,
                      "deposits_fen": 300_000, **property},
            data_source="江苏省居民家庭经济状况核对平台",
        )  # fmt: skip
        if visited:
            street = led.get_case(case).street
            led.record_case_home_visit(
                case, worker, occurred_on=visited, district_level=district,
                investigators=[f"inv-{street}-1", f"inv-{street}-2"], findings="居住条件与申报一致",
            )  # fmt: skip

    def notice(self, case: UUID, worker: Actor, posted: str, until: str) -> None:
        self.ledger.post_public_notice(
            case, worker, occurred_on=posted, posted_from=posted, posted_to=until
        )
        self.ledger.close_public_notice(case, worker, occurred_on=until)

    def migrated_assessment(self, case: UUID, on: str) -> None:
        """The old system's assessment, computed by the gap method (today's would be refused)."""
        found = self.ledger.get_case(case)
        assert found.check is not None
        names = required_parameters(found.programme, set())
        params = self.ledger.parameters_in_force(names, date.fromisoformat(on))
        fields = household_assessed(found.programme, found.counted, found.check, params, [])
        migrated(self.ledger, case, "HouseholdAssessed", occurred_on=on, **fields)

    def migrated_confirmation(self, case: UUID, on: str, first_month: str, amount: int) -> None:
        migrated(
            self.ledger, case, "EligibilityConfirmed", occurred_on=on, approver=APPROVER.user,
            monthly_amount_fen=amount, first_paid_month=first_month, parameters={},
            next_review_due=add_months(on[:7], 12) + "-01",
        )  # fmt: skip

    # -- the defects --------------------------------------------------------------------------

    def short_notice(self) -> None:
        """A08: the old system posted a notice for 5 days (7 are required)."""
        case, worker = self.submit("南大街街道", "化龙巷社区", "2024-05-06")
        self.ledger.accept_application(case, worker, occurred_on="2024-05-07")
        self.check_and_visit(case, worker, "2024-05-09", "2024-05-10")
        self.ledger.assess_household(case, worker, occurred_on="2024-05-13")
        migrated(self.ledger, case, "PublicNoticePosted", occurred_on="2024-05-14",
                 posted_from="2024-05-14", posted_to="2024-05-18")  # fmt: skip
        self.ledger.close_public_notice(case, worker, occurred_on="2024-05-18")
        self.ledger.confirm_eligibility(case, APPROVER, occurred_on="2024-05-20")

    def relative_of_staff_without_district_visit(self) -> None:
        """A06: a village cadre's relative, visited by the street only, confirmed all the same."""
        case, worker = self.submit("邹区镇", "卜弋村", "2024-06-03", kin_of_staff=True)
        self.ledger.accept_application(case, worker, occurred_on="2024-06-04")
        self.check_and_visit(case, worker, "2024-06-05", "2024-06-06")
        self.migrated_assessment(case, "2024-06-07")
        self.notice(case, worker, "2024-06-11", "2024-06-17")
        self.migrated_confirmation(case, "2024-06-18", "2024-07", 108_000)

    def confirmed_with_a_vehicle(self) -> None:
        """A05: the check found a car, the assessment said ineligible, the old system confirmed."""
        case, worker = self.submit("五星街道", "白云社区", "2024-08-05")
        self.ledger.accept_application(case, worker, occurred_on="2024-08-06")
        self.check_and_visit(case, worker, "2024-08-07", "2024-08-08", vehicles=1)
        self.ledger.assess_household(case, worker, occurred_on="2024-08-09")
        self.notice(case, worker, "2024-08-12", "2024-08-18")
        self.migrated_confirmation(case, "2024-08-19", "2024-09", 111_000)

    def confirmed_without_a_home_visit(self) -> None:
        """A07: no home visit on file, yet assessed and confirmed in the old system."""
        case, worker = self.submit("北港街道", "玉龙社区", "2024-09-02")
        self.ledger.accept_application(case, worker, occurred_on="2024-09-03")
        self.check_and_visit(case, worker, "2024-09-04", None)
        self.migrated_assessment(case, "2024-09-06")
        self.notice(case, worker, "2024-09-09", "2024-09-15")
        self.migrated_confirmation(case, "2024-09-18", "2024-10", 111_000)

    def counted_in_two_cases(self) -> None:
        """A04: an elderly man in a DIBAO case, imported again from the old TEKUN register."""
        him = self.person(year=1987)
        dibao, worker = self.submit("永红街道", "迎春社区", "2024-10-08", [him])
        tekun, _ = self.submit("永红街道", "迎春社区", "2024-10-09", [him], programme="TEKUN")
        for case, day in ((dibao, "2024-10-09"), (tekun, "2024-10-10")):
            self.ledger.accept_application(case, worker, occurred_on=day)
            self.check_and_visit(case, worker, "2024-10-11", "2024-10-12")  # a make-up Saturday
            self.ledger.assess_household(case, worker, occurred_on="2024-10-14")
            self.notice(case, worker, "2024-10-15", "2024-10-21")
        self.ledger.confirm_eligibility(dibao, APPROVER, occurred_on="2024-10-22")
        self.migrated_confirmation(tekun, "2024-10-23", "2024-11", 144_300)

    def investigation_late_across_national_day(self) -> None:
        """A08: accepted on 30 September 2025, first visited on 14 October (due by the 11th)."""
        case, worker = self.submit("荷花池街道", "清潭社区", "2025-09-29")
        led = self.ledger
        led.accept_application(case, worker, occurred_on="2025-09-30")
        self.check_and_visit(case, worker, "2025-10-14", "2025-10-14")
        led.assess_household(case, worker, occurred_on="2025-10-15")
        self.notice(case, worker, "2025-10-16", "2025-10-22")
        led.confirm_eligibility(case, APPROVER, occurred_on="2025-10-23")

    def december_paid_twice(self) -> None:
        """A03: the old bank interface sent one December 2023 payment again, and it settled."""
        run = self.ledger.get_run(run_id(self.ledger.district, "DIBAO", "2023-12"))
        settled = sorted(k for k, (_, outcome) in run.payouts.items() if outcome == "settled")
        if not settled:
            return
        payout = UUID(settled[0])
        migrated(self.ledger, payout, "PayoutReissued", occurred_on="2023-12-27",
                 reason="旧系统接口重发", payee=None)  # fmt: skip
        migrated(self.ledger, payout, "PayoutSettled", occurred_on="2023-12-28",
                 bank_reference="BOC-LEGACY-20231228-0001")  # fmt: skip
