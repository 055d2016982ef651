"""AuditFinding: one defect an audit rule found, with its lifecycle; nothing is ever deleted.

The audit process raises it from a rule's match and resolves it when the rule stops matching;
people acknowledge it, then rectify it, or the auditor dismisses it as raised by mistake.
Its id derives from the rule and the match key, so a rebuild of the rules finds the same ids.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.values import FREE_TEXT_MAX, Json

SEVERITIES = ("high", "medium", "low")
#: The statuses a finding may be in; `resolved`: its rule no longer matches.
STATUSES = ("raised", "acknowledged", "rectified", "dismissed", "resolved")
#: Which statuses each person's step starts from (rectified and dismissed are final).
STEPS = {
    "acknowledge": ("raised",),
    "rectify": ("acknowledged",),
    "dismiss": ("raised", "acknowledged"),
}
OPEN = ("raised", "acknowledged")


def finding_id(rule: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:audit:{rule}:{key}")


class WrongStep(DomainError):
    """A step out of the finding's order (409), e.g. rectifying one not acknowledged."""

    default_code = "finding_wrong_status"


class AuditFinding(Aggregate):
    """raised -> acknowledged -> rectified | dismissed; raised -> dismissed; open -> resolved."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class Raised(Aggregate.Created):
        rule: str
        match_key: str
        severity: str
        street: str | None
        case_id: str | None
        summary: str
        evidence: list[int]
        raised_position: int
        actor: Json
        occurred_on: str

    class Resolved(Event):
        resolved_position: int

        def apply(self, finding: AuditFinding) -> None:
            finding.status = "resolved"

    class Reraised(Event):
        summary: str
        evidence: list[int]
        raised_position: int

        def apply(self, finding: AuditFinding) -> None:
            finding.status = "raised"

    class Acknowledged(Event):
        reason: str

        def apply(self, finding: AuditFinding) -> None:
            finding.status = "acknowledged"

    class Rectified(Event):
        reason: str

        def apply(self, finding: AuditFinding) -> None:
            finding.status = "rectified"

    class Dismissed(Event):
        reason: str

        def apply(self, finding: AuditFinding) -> None:
            finding.status = "dismissed"

    @staticmethod
    def create_id(rule: str, match_key: str, **_: Any) -> UUID:
        return finding_id(rule, match_key)

    @event(Raised)
    def __init__(
        self, rule: str, match_key: str, severity: str, street: str | None, case_id: str | None,
        summary: str, evidence: list[int], raised_position: int, actor: Json, occurred_on: str,
    ):  # fmt: skip
        if severity not in SEVERITIES:
            raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}", field="severity")
        self.rule = rule
        self.street = street
        self.status = "raised"

    def resolve(self, resolved_position: int, actor: Json, occurred_on: str) -> bool:
        """The rule stopped matching: an open finding is resolved; any other is left alone."""
        if self.status not in OPEN:
            return False
        self.trigger_event(
            self.Resolved, resolved_position=resolved_position, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip
        return True

    def reraise(
        self, summary: str, evidence: list[int], raised_position: int, actor: Json,
        occurred_on: str,
    ) -> bool:  # fmt: skip
        """The rule matches again after it was resolved; a closed finding stays closed."""
        if self.status != "resolved":
            return False
        self.trigger_event(
            self.Reraised, summary=summary, evidence=evidence, raised_position=raised_position,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip
        return True

    def step(self, name: str, reason: str, actor: Json, occurred_on: str) -> None:
        """A person's disposition (acknowledge, rectify, dismiss), with the reason."""
        allowed = STEPS[name]
        if self.status not in allowed:
            raise WrongStep(
                f"cannot {name} a finding that is {self.status} (it must be "
                f"{' or '.join(allowed)})",
                field="status",
            )
        if not reason or not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        if len(reason) > FREE_TEXT_MAX:
            raise InvalidInput(f"the reason is longer than {FREE_TEXT_MAX} characters",
                               field="reason")  # fmt: skip
        kind = {"acknowledge": self.Acknowledged, "rectify": self.Rectified,
                "dismiss": self.Dismissed}[name]  # fmt: skip
        self.trigger_event(kind, reason=reason, actor=actor, occurred_on=occurred_on)
