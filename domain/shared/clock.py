"""BusinessDay: how the passing of time enters the ledger, one event per calendar day.

Deadline rules (a review not done in its interval, paperwork not completed within N days)
must fire as days pass, not only when some case event arrives; and a rebuild years later
must find the same findings. So time is recorded like everything else: a `Began` event per
day (Asia/Shanghai), recorded by the ledger's own clock process, one aggregate per date so
that two processes recording the same day conflict instead of recording it twice.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.shared.errors import NotFound, VersionConflict
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.values import Actor, Json, parse_date


def day_id(date: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:business-day:{date}")


class BusinessDay(Aggregate):
    @staticmethod
    def create_id(date: str, **_: Any) -> UUID:
        return day_id(date)

    class Began(Aggregate.Created):
        date: str  # ISO date, Asia/Shanghai
        actor: Json

    def __init__(self, date: str, actor: Json):
        self.date = date


#: The ledger's clock process records the days as this actor.
CLOCK_ACTOR = Actor("business-day-clock", "system", "钟楼区民政局")


class ClockCommands(LedgerBase):
    def record_day(self, date: str, actor: Actor = CLOCK_ACTOR) -> CommandResult:
        """Record that a business day began; recording a day again changes nothing."""
        parse_date(date, "date")
        try:
            return self._day_on_file(date)
        except NotFound:
            pass
        try:
            return self.execute(lambda: BusinessDay(date, actor.as_dict()), actor=actor)
        except VersionConflict:  # another process recorded the same day just now
            return self._day_on_file(date)

    def _day_on_file(self, date: str) -> CommandResult:
        found = self.load(day_id(date), BusinessDay, "business day")
        position = self.position_of(found.id, found.version) if self.position_of else 0
        return CommandResult(found.id, found.version, position)
