"""A04 double enrolment: one person counted in two DIBAO or TEKUN cases for the same months.

DIBAO and TEKUN exclude each other and themselves: a person holds one place at a time. The
write side's Enrolment refuses new double places; this rule finds what got through before it
(older data, races before the fix, imported records). A case holds its counted members from
its first paid month until its termination's effective month (or the month after a member's
recorded death). A termination or death that leaves no month counted twice resolves it; one
that only ends the overlap later does not, since those months were counted twice.
"""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment import is_exclusive
from domain.shared.values import add_months
from projections.audit.case_facts import case_of
from projections.audit.rule import AuditRule
from projections.store import Row, Tx
from projections.view import handles


def overlap(a: Row, b: Row) -> bool:
    """Whether two places [first_month, until_month) share a month (no end: open)."""
    return (b["until_month"] is None or a["first_month"] < b["until_month"]) and (
        a["until_month"] is None or b["first_month"] < a["until_month"]
    )


def _place(row: Row, prefix: str) -> Row:
    place = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
    place["position"] = place.pop("confirmed_position")
    return place


def pair_key(a: str, b: str) -> str:
    return ":".join(sorted((a, b)))


class DoubleEnrolment(AuditRule):
    name = "audit_a04"
    tables = ("audit_a04_places",)
    rule = "A04"
    severity = "high"
    title = "double enrolment"
    title_zh = "重复享受"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        if not is_exclusive(e.programme):
            return
        tx.executemany(
            "INSERT INTO audit_a04_places (case_id, person_id, programme, street)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (case_id, person_id) DO NOTHING",
            [
                (case_of(e), m["person_id"], e.programme, e.street)
                for m in e.members
                if m["counted"]
            ],
        )

    def _others(self, tx: Tx, case_id: str) -> list[tuple[Row, Row]]:
        """(this case's place, another confirmed case's place) for every shared person."""
        columns = ("case_id", "programme", "street", "first_month", "until_month")
        chosen = ", ".join(
            f"{t}.{c} AS {t}_{c}" for t in "pq" for c in (*columns, "confirmed_position")
        )
        rows = tx.query(
            f"SELECT {chosen} FROM audit_a04_places p JOIN audit_a04_places q"
            " ON q.person_id = p.person_id AND q.case_id <> p.case_id"
            " WHERE p.case_id = %s AND p.first_month IS NOT NULL AND q.first_month IS NOT NULL"
            " ORDER BY q.case_id, p.person_id",
            [case_id],
        )
        return [(_place(r, "p_"), _place(r, "q_")) for r in rows]

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "UPDATE audit_a04_places SET first_month = %s, confirmed_position = %s"
            " WHERE case_id = %s",
            [e.first_paid_month, position, case_of(e)],
        )
        self._judge(tx, case_of(e), position, e.occurred_on)

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "UPDATE audit_a04_places SET until_month = %s WHERE case_id = %s"
            " AND (until_month IS NULL OR until_month > %s)",
            [e.effective_month, case_of(e), e.effective_month],
        )
        self._judge(tx, case_of(e), position, e.occurred_on)

    @handles(AssistanceCase.MemberDeathRecorded)
    def member_died(self, tx: Tx, e: Any, position: int) -> None:
        until = add_months(e.death_month, 1)
        tx.execute(
            "UPDATE audit_a04_places SET until_month = %s WHERE case_id = %s AND person_id = %s"
            " AND (until_month IS NULL OR until_month > %s)",
            [until, case_of(e), e.person_id, until],
        )
        self._judge(tx, case_of(e), position, e.occurred_on)

    def _judge(self, tx: Tx, case_id: str, position: int, on: str) -> None:
        """Raise each pair of cases that counts someone twice; resolve pairs that no longer do."""
        pairs: dict[str, list[tuple[Row, Row]]] = {}
        for mine, other in self._others(tx, case_id):
            pairs.setdefault(other["case_id"], []).append((mine, other))
        for other_case, shared in pairs.items():
            key = pair_key(case_id, other_case)
            twice = [(a, b) for a, b in shared if overlap(a, b)]
            if twice and not self.is_found(tx, key):
                a, b = twice[0]
                self.found(
                    tx, position, key=key, street=a["street"], case_id=case_id,
                    evidence=[p for p in (a["position"], b["position"]) if p is not None],
                    summary=f"{len(twice)} counted member(s) of this {a['programme']} case "
                    f"(from {a['first_month']}) are also counted in {b['programme']} case "
                    f"{other_case} (from {b['first_month']}) for the same months",
                    occurred_on=on,
                )  # fmt: skip
            elif not twice:
                self.cured(tx, position, key=key)
