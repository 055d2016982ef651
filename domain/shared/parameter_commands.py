"""The district's parameters (standards, thresholds): set one from a date, with its reason."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.shared.errors import InvalidInput
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.parameters import SPECS, ParameterSchedule, find_schedule
from domain.shared.values import Actor


class ParameterCommands(LedgerBase):
    def set_parameter(
        self, name: str, value: int, effective_from: str, reason: str, actor: Actor,
        occurred_on: str, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        def act() -> Aggregate:
            if name not in SPECS:
                raise InvalidInput(
                    f"unknown parameter {name!r}; known: {', '.join(sorted(SPECS))}", field="name"
                )
            schedule = find_schedule(self.repository, self.district, name)
            if schedule is None:
                schedule = ParameterSchedule(self.district, name, actor.as_dict(), occurred_on)
            schedule.set_value(value, effective_from, reason, actor.as_dict(), occurred_on)
            return schedule

        payload = {"name": name, "value": value, "from": effective_from, "reason": reason}
        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("set_parameter", name, payload),
        )  # fmt: skip
