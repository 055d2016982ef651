"""A06 favouritism risk: a confirmation the anti-favouritism rules should have stopped.

Two defects, each its own finding: a case confirmed without the district's own home visit
although a member is a relative of staff (`kin_of_staff`) or the public notice drew objections
(a complaint: then the district visit must come after the objections); and a case approved by
one of its own investigators (user ids compared trimmed, as on the write side). A district
visit recorded afterwards resolves the first; nothing undoes the second.
"""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from domain.shared.procedure import normal_user
from projections.audit.case_facts import CaseFacts, Facts, case_of, distinct_investigators
from projections.audit.rule import AuditRule
from projections.store import Tx
from projections.view import handles

FACTS = CaseFacts("audit_a06_cases")


def visit_problem(facts: Facts) -> str | None:
    """Why the district's own visit is missing, or None when none is needed or it was made."""
    visits = facts["district_visits"]  # [occurred_on, ...]
    since = facts.get("objections_on")
    if since is not None and not any(on >= since for on in visits):
        return "the public notice drew objections and the district did not visit again"
    if facts["kin_of_staff"] and not visits:
        return "a member is a relative of staff and the district did not visit itself"
    return None


class FavouritismRisk(AuditRule):
    name = "audit_a06"
    tables = ("audit_a06_cases",)
    rule = "A06"
    severity = "medium"
    title = "favouritism risk"
    title_zh = "优亲厚友风险"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        facts = {
            "kin_of_staff": bool(e.kin_of_staff), "district_visits": [], "investigators": {},
            "objections_on": None, "evidence": [],
        }  # fmt: skip
        FACTS.put(tx, case_of(e), e.street, facts)

    @handles(AssistanceCase.HomeVisitConducted)
    def visited(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        if e.district_level:
            facts["district_visits"].append(e.occurred_on)
        for user in distinct_investigators(e.investigators):
            facts["investigators"].setdefault(user, position)
        FACTS.put(tx, case_of(e), street, facts)
        if facts.get("confirmed"):
            self._judge(tx, e, position, street, facts)

    @handles(AssistanceCase.PublicNoticeClosed)
    def notice_closed(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None or not e.objections:
            return
        street, facts = found
        facts["objections_on"] = e.occurred_on
        facts["evidence"].append(position)
        FACTS.put(tx, case_of(e), street, facts)

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        facts["confirmed"] = position
        facts["approver"] = normal_user(e.approver)
        FACTS.put(tx, case_of(e), street, facts)
        self._judge(tx, e, position, street, facts)

    def _judge(self, tx: Tx, e: Any, position: int, street: str | None, facts: Facts) -> None:
        case = case_of(e)
        visit_key, approver_key = f"{case}:district-visit", f"{case}:approver-investigated"
        problem = visit_problem(facts)
        if problem is not None and not self.is_found(tx, visit_key):
            self.found(
                tx, position, key=visit_key, street=street, case_id=case,
                evidence=[facts["confirmed"], *facts["evidence"]],
                summary=f"confirmed although {problem}", occurred_on=e.occurred_on,
            )  # fmt: skip
        elif problem is None:
            self.cured(tx, position, key=visit_key)
        visit = facts["investigators"].get(facts.get("approver"))
        if visit is not None and not self.is_found(tx, approver_key):
            self.found(
                tx, position, key=approver_key, street=street, case_id=case,
                evidence=[facts["confirmed"], visit],
                summary="the approver of the confirmation also investigated the case",
                occurred_on=e.occurred_on,
            )  # fmt: skip
