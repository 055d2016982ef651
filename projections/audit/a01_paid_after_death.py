"""A01 paid after death: a payout for a month after the death month of the only counted
member (every counted member) or of the payee; or no review within 3 months of a death.

Deaths come from the verified DeathNotification, so a payout is caught even when the case
never recorded the death (a late report: the months already paid become findings). The review
a member's death forces is a deadline: it is checked on each BusinessDay.Began, so a day that
passes without the review raises the finding, and a review (even late) cures it.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.deaths.notification import DeathNotification
from domain.payroll.payout import Payout
from domain.shared.clock import BusinessDay
from projections.audit.payout_rule import PayoutRule
from projections.buffer import Lookup, Rows
from projections.store import Row, Tx
from projections.view import handles

#: The rule's rows read by payout (only this rule writes them; each write forgets its row).
COUNTED = Lookup("audit_a01_cases", "case_id", "case_id, counted")
DEATHS = Lookup("audit_a01_deaths", "person_id")


class PaidAfterDeath(PayoutRule):
    name = "audit_a01"
    rule = "A01"
    severity = "high"
    title = "paid after death"
    title_zh = "死亡后仍发放"
    payouts = "audit_a01_payouts"
    tables = ("audit_a01_payouts", "audit_a01_cases", "audit_a01_members", "audit_a01_reports",
              "audit_a01_deaths", "audit_a01_reviews")  # fmt: skip

    def defect(self, tx: Tx, payout: Row) -> tuple[str, list[int]] | None:
        month, what = payout["month"], f"{payout['programme']} payout for {payout['month']}"
        case = COUNTED.get(tx, payout["case_id"])
        counted = json.loads(case["counted"] if case else "[]")
        deaths = self._deaths(tx, counted)
        if counted and all(p in deaths and deaths[p][0] < month for p in counted):
            last = max(deaths[p][0] for p in counted)
            alone = "the only counted member" if len(counted) == 1 else "every counted member"
            return f"{what} paid after the death of {alone} in {last}", [
                deaths[p][1] for p in counted
            ]
        deaths = self._deaths(tx, [payout["payee"]] if payout["payee"] else [])
        if payout["payee"] in deaths and deaths[payout["payee"]][0] < month:
            died, at = deaths[payout["payee"]]
            return f"{what} paid after the death of the payee in {died}", [at]
        return None

    @staticmethod
    def _deaths(tx: Tx, persons: list[str]) -> dict[str, tuple[str, int]]:
        rows = DEATHS.get_many(tx, persons)
        return {p: (r["death_month"], r["position"]) for p, r in rows.items()}

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A payroll batch's cases and their people's deaths in two reads, not two a payout."""
        cases = COUNTED.get_many(tx, self.payout_cases(tx, todo))
        people = {p for case in cases.values() for p in json.loads(case["counted"])}
        payees = (
            (e.payee or {}).get("person_id")
            for _, e in todo
            if isinstance(e, Payout.PayoutScheduled)
        )
        paid_to = {r["payee"] for r in self.changed_payouts(tx, todo).values()}
        DEATHS.prefetch(tx, people | {p for p in (*payees, *paid_to) if p})

    # -- cases and deaths ---------------------------------------------------------------------

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        counted = [m["person_id"] for m in e.members if m["counted"]]
        Rows.of(tx, "audit_a01_cases", "case_id").insert(tx, {  # with the batch's others
            "case_id": str(e.originator_id), "street": e.street, "programme": e.programme,
            "counted": json.dumps(counted),
        })  # fmt: skip
        COUNTED.forget(tx, str(e.originator_id))
        tx.executemany(
            "INSERT INTO audit_a01_members (person_id, case_id) VALUES (%s, %s)",
            [(p, str(e.originator_id)) for p in counted],
        )

    @handles(DeathNotification.DeathReported)
    def reported(self, tx: Tx, e: Any, position: int) -> None:
        """A report again is of the same person (the notification's id derives from it)."""
        tx.execute(
            "INSERT INTO audit_a01_reports (notification_id, person_id) VALUES (%s, %s)"
            " ON CONFLICT (notification_id) DO NOTHING",
            [str(e.originator_id), e.person_id],
        )

    @handles(DeathNotification.DeathVerified)
    def verified(self, tx: Tx, e: Any, position: int) -> None:
        person = tx.scalar(
            "SELECT person_id FROM audit_a01_reports WHERE notification_id = %s",
            [str(e.originator_id)],
        )
        if person is None:  # no report on file for it: nothing to hold a payout against
            return
        tx.execute(
            "INSERT INTO audit_a01_deaths (person_id, death_month, position) VALUES (%s, %s, %s)"
            " ON CONFLICT (person_id) DO NOTHING",
            [person, e.date_of_death[:7], position],
        )
        DEATHS.forget(tx, person)
        cases = {r["case_id"] for r in tx.query(
            "SELECT case_id FROM audit_a01_members WHERE person_id = %s", [person]
        )}  # fmt: skip
        for case_id in sorted(cases):
            self.evaluate_case(tx, case_id, position, e.occurred_on)
        for payout in tx.query("SELECT * FROM audit_a01_payouts WHERE payee = %s", [person]):
            if payout["case_id"] not in cases:
                self.evaluate(tx, payout, position, e.occurred_on)

    # -- the review a death forces --------------------------------------------------------------

    @handles(AssistanceCase.MemberDeathRecorded)
    def death_recorded(self, tx: Tx, e: Any, position: int) -> None:
        """The review falls due; one already done since the death (recorded first) counts."""
        reviewed = tx.scalar(
            "SELECT last_review_on FROM audit_a01_cases WHERE case_id = %s", [str(e.originator_id)]
        )
        status = "done" if reviewed and reviewed >= e.date_of_death else "pending"
        tx.execute(
            "INSERT INTO audit_a01_reviews (case_id, person_id, notification_id, review_due,"
            " status, position) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (case_id, person_id) DO NOTHING",
            [str(e.originator_id), e.person_id, e.notification_id, e.review_due, status,
             position],
        )  # fmt: skip

    @handles(AssistanceCase.PeriodicReviewCompleted)
    def reviewed(self, tx: Tx, e: Any, position: int) -> None:
        case_id = str(e.originator_id)
        tx.execute("UPDATE audit_a01_cases SET last_review_on = %s WHERE case_id = %s",
                   [e.occurred_on, case_id])  # fmt: skip
        for row in tx.query(
            "SELECT * FROM audit_a01_reviews WHERE case_id = %s AND status IN"
            " ('pending', 'overdue')", [case_id],
        ):  # fmt: skip
            if row["status"] == "overdue":
                self.cured(tx, position, key=review_key(case_id, row["notification_id"]))
        tx.execute(
            "UPDATE audit_a01_reviews SET status = 'done' WHERE case_id = %s AND status IN"
            " ('pending', 'overdue')", [case_id],
        )  # fmt: skip

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        """A case that ends needs no review; one already overdue stays found."""
        case_id = str(e.originator_id)
        tx.execute(
            "UPDATE audit_a01_reviews SET status = 'moot' WHERE case_id = %s"
            " AND status = 'pending'", [case_id],
        )  # fmt: skip

    @handles(BusinessDay.Began)
    def day_began(self, tx: Tx, e: Any, position: int) -> None:
        """Every pending review due before this day is overdue (a long pause catches up)."""
        overdue = tx.query(
            "SELECT r.*, c.street FROM audit_a01_reviews r JOIN audit_a01_cases c"
            " ON c.case_id = r.case_id WHERE r.status = 'pending' AND r.review_due < %s"
            " ORDER BY r.review_due, r.case_id",
            [e.date],
        )
        for row in overdue:
            self.found(
                tx, position, key=review_key(row["case_id"], row["notification_id"]),
                street=row["street"], case_id=row["case_id"], evidence=[row["position"]],
                summary=f"no household review by {row['review_due']}, due within 3 months of "
                "a member's death", occurred_on=e.date,
            )  # fmt: skip
            tx.execute(
                "UPDATE audit_a01_reviews SET status = 'overdue' WHERE case_id = %s"
                " AND person_id = %s", [row["case_id"], row["person_id"]],
            )  # fmt: skip


def review_key(case_id: str, notification_id: str) -> str:
    """Named by the death notification, not the person: keys hold no personal data."""
    return f"review:{case_id}:{notification_id}"
