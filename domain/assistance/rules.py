"""The procedure checks and guards of an assistance case, apart from its events.

A plain mixin of AssistanceCase: it records nothing, it only says what is missing or refuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from domain.shared.guards import Guards
from domain.shared.values import Json
from domain.shared.vocabulary import TERMINATION_REASONS as TERMINATION_REASONS  # re-exported

if TYPE_CHECKING:
    from domain.assistance.case import AssistanceCase

INVESTIGATION_DAYS = 3  # working days after acceptance [law]
DECISION_DAYS = 10  # working days after submission [law]
CASE_DAYS = 30  # working days after submission [law]
EXTENDED_CASE_DAYS = 45
NOTICE_DAYS = 7  # calendar days of public notice [law]
DENIAL_NOTICE_DAYS = 3  # working days to notify a denial [law]
MAX_GRADUAL_EXIT_MONTHS = 6  # [law]
DEATH_REVIEW_MONTHS = 3  # a member's death forces a review within three months [law]


class CaseChecks(Guards):
    """Reads the state AssistanceCase keeps; the attributes are set by its events."""

    status: str
    kin_of_staff: bool
    visits: list[Json]
    reinvestigate_since: str | None
    accepted_on: str | None
    check: Json | None
    assessment: Json | None
    notice_closed: Json | None

    def valid_visit_problem(self) -> str | None:
        """Why the recorded visits do not satisfy the law yet, or None when they do."""
        if not self.visits:
            return "no home visit with at least two investigators is recorded"
        if self.kin_of_staff and not any(v["district_level"] for v in self.visits):
            return "a relative of staff is in the household: the district must visit itself"
        if self.reinvestigate_since:
            return "the public notice drew objections: the district must investigate again"
        return None

    def procedure_problems(self, decided_on: str) -> list[str]:
        """Every step the law requires before inclusion that is missing [law]."""
        problems = []
        if self.accepted_on is None:
            problems.append("the application is not accepted")
        if self.check is None:
            problems.append("the economic check is not completed")
        visit = self.valid_visit_problem()
        if visit:
            problems.append(visit)
        if self.assessment is None:
            problems.append("the household is not assessed")
        if self.notice_closed is None:
            problems.append("the public notice is not closed")
        elif decided_on < self.notice_closed["on"]:
            problems.append("the decision predates the close of the public notice")
        return problems


class CaseSteps:
    """Base of the command mixins (case_procedure, case_benefits): parts of AssistanceCase only."""

    @property
    def _case(self) -> AssistanceCase:
        """This mixin as the case it is part of: its state, guards and nested event classes."""
        return cast("AssistanceCase", self)
