"""A07 inclusion without procedure: a case confirmed although a step the law requires is missing.

The steps are the application's acceptance, the economic check, a valid home visit (at least
two different investigators) and a closed public notice of the current assessment (a new
assessment needs a new notice, as on the write side). Recording the missing steps afterwards
(补办) resolves the finding; a decision before the notice's close is A08's.
"""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from domain.shared.procedure import MIN_INVESTIGATORS
from projections.audit.case_facts import CaseFacts, case_of, distinct_investigators
from projections.audit.rule import AuditRule
from projections.store import Tx
from projections.view import handles

FACTS = CaseFacts("audit_a07_cases")

#: step -> how a summary names it when missing.
STEPS = {
    "accepted": "the application's acceptance",
    "check": "the economic check",
    "visit": f"a home visit by at least {MIN_INVESTIGATORS} different investigators",
    "notice": "a closed public notice",
}


class InclusionWithoutProcedure(AuditRule):
    name = "audit_a07"
    tables = ("audit_a07_cases",)
    rule = "A07"
    severity = "high"
    title = "inclusion without procedure"
    title_zh = "未履行程序纳入"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        FACTS.put(tx, case_of(e), e.street, {"steps": {}})

    def _step(self, tx: Tx, e: Any, position: int, step: str) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        facts["steps"].setdefault(step, position)
        FACTS.put(tx, case_of(e), street, facts)
        if facts.get("confirmed"):
            self._judge(tx, e, position, street, facts)

    @handles(AssistanceCase.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._step(tx, e, position, "accepted")

    @handles(AssistanceCase.EconomicCheckCompleted)
    def checked(self, tx: Tx, e: Any, position: int) -> None:
        self._step(tx, e, position, "check")

    @handles(AssistanceCase.HomeVisitConducted)
    def visited(self, tx: Tx, e: Any, position: int) -> None:
        if len(distinct_investigators(e.investigators)) >= MIN_INVESTIGATORS:
            self._step(tx, e, position, "visit")

    @handles(AssistanceCase.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        """A new assessment needs a new notice: a notice closed before it no longer counts."""
        found = FACTS.get(tx, case_of(e))
        if found is not None and not found[1].get("confirmed"):
            street, facts = found
            facts["steps"].pop("notice", None)
            FACTS.put(tx, case_of(e), street, facts)

    @handles(AssistanceCase.PublicNoticeClosed)
    def notice_closed(self, tx: Tx, e: Any, position: int) -> None:
        self._step(tx, e, position, "notice")

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        facts["confirmed"] = position
        facts["missing"] = None
        FACTS.put(tx, case_of(e), street, facts)
        self._judge(tx, e, position, street, facts)

    def _judge(self, tx: Tx, e: Any, position: int, street: str | None, facts: Any) -> None:
        missing = [step for step in STEPS if step not in facts["steps"]]
        key = case_of(e)
        if missing and missing != facts.get("missing"):
            self.found(
                tx, position, key=key, street=street, case_id=key,
                evidence=[facts["confirmed"]],
                summary="confirmed without " + ", ".join(STEPS[s] for s in missing),
                occurred_on=e.occurred_on,
            )  # fmt: skip
        elif not missing:
            self.cured(tx, position, key=key)
        facts["missing"] = missing
        FACTS.put(tx, key, street, facts)
