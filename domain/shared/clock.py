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

from domain.shared.values import Json


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
