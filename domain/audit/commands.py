"""The audit-finding commands of the Ledger: the audit process raises and resolves, people act."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.audit.finding import AuditFinding, finding_id
from domain.shared.errors import NotFound, VersionConflict
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.values import Actor, parse_date

#: The process that turns the rules' matches into findings records them as this actor.
AUDIT_ACTOR = Actor("audit-process", "system", "钟楼区民政局")


class FindingCommands(LedgerBase):
    def get_finding(self, key: UUID, expected_version: int | None = None) -> AuditFinding:
        return self.load(key, AuditFinding, "audit finding", expected_version)

    def raise_finding(
        self, rule: str, key: str, *, severity: str, street: str | None, case_id: str | None,
        summary: str, evidence: list[int], raised_position: int, occurred_on: str,
    ) -> CommandResult:  # fmt: skip
        """Raise the finding of a rule's match, or raise it again after it was resolved.

        Idempotent: a finding already open (or closed by a person) records nothing new, so
        the process may run again after a crash.
        """
        self.authorize(AUDIT_ACTOR)
        parse_date(occurred_on, "occurred_on")
        who, proof = AUDIT_ACTOR.as_dict(), sorted(set(evidence))

        def act() -> Aggregate | None:
            try:
                found = self.get_finding(finding_id(rule, key))
            except NotFound:
                return AuditFinding(rule, key, severity, street, case_id, summary, proof,
                                    raised_position, who, occurred_on)  # fmt: skip
            changed = found.reraise(summary, proof, raised_position, who, occurred_on)
            return found if changed else None

        return self._settle(finding_id(rule, key), act)

    def resolve_finding(
        self, key: UUID, *, resolved_position: int, occurred_on: str
    ) -> CommandResult:
        """The rule no longer matches: resolve the open finding by that event (idempotent)."""
        self.authorize(AUDIT_ACTOR)
        parse_date(occurred_on, "occurred_on")

        def act() -> Aggregate | None:
            found = self.get_finding(key)
            changed = found.resolve(resolved_position, AUDIT_ACTOR.as_dict(), occurred_on)
            return found if changed else None

        return self._settle(key, act)

    def _settle(self, key: UUID, act: Callable[[], Aggregate | None]) -> CommandResult:
        """Save what `act` changed; nothing to do or a competitor's save: answer what is on file."""
        for _ in range(2):  # another process may have raised the same finding just now
            changed = act()
            if changed is None:
                break
            try:
                return self.execute(functools.partial(_same, changed), actor=AUDIT_ACTOR)
            except VersionConflict:
                continue
        found = self.get_finding(key)
        return self._answer_stored(found)

    def acknowledge_finding(
        self, key: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Acknowledge a raised finding: the street has seen it and is dealing with it."""
        return self._step(key, "acknowledge", actor, occurred_on, reason, options)

    def rectify_finding(
        self, key: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Record an acknowledged finding as rectified, saying how."""
        return self._step(key, "rectify", actor, occurred_on, reason, options)

    def dismiss_finding(
        self, key: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Dismiss a finding the auditor judges raised by mistake; it stays on file."""
        return self._step(key, "dismiss", actor, occurred_on, reason, options)

    def _step(
        self, key: UUID, name: str, actor: Actor, occurred_on: str, reason: str, options: Options
    ) -> CommandResult:
        return self.change(
            key, AuditFinding, "audit finding",
            lambda found: found.step(name, reason, actor.as_dict(), occurred_on), actor,
            command=name, payload={"occurred_on": occurred_on, "reason": reason}, **options,
        )  # fmt: skip


def _same(aggregate: Aggregate) -> Aggregate:
    return aggregate
