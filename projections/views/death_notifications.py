"""death_notifications: which deaths were reported and verified, and which cases each touched."""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from domain.deaths.notification import DeathNotification
from projections.store import Database, Row, Tx
from projections.view import Projection, handles


class DeathNotifications(Projection):
    name = "death_notifications"
    tables = ("death_notifications", "death_consequences")
    row_table = "death_notifications"
    row_key = "notification_id"
    row_stamped = False

    @handles(DeathNotification.DeathReported)
    def reported(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO death_notifications (notification_id, person_id, name, id_number,"
            " date_of_death, source, status, reported_on, version, position)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'reported', %s, %s, %s)",
            (
                str(e.originator_id), e.person_id, self.sealed(e.person_id, e.personal["name"]),
                self.sealed(e.person_id, e.personal["id_number"]),
                e.date_of_death, e.source, e.occurred_on, e.originator_version, position,
            ),
        )  # fmt: skip

    @handles(DeathNotification.DeathReportedAgain)
    def reported_again(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="reported", date_of_death=e.date_of_death, source=e.source,
            reported_on=e.occurred_on, retracted_on=None, retraction_reason=None,
        )  # fmt: skip

    @handles(DeathNotification.DeathVerified)
    def verified(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="verified", verified_on=e.occurred_on)

    @handles(DeathNotification.DeathReportRetracted)
    def retracted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="retracted", retracted_on=e.occurred_on,
            retraction_reason=e.reason,
        )  # fmt: skip

    @handles(AssistanceCase.MemberDeathRecorded)
    def consequence(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO death_consequences (notification_id, case_id, consequence, recorded_on,"
            " position) VALUES (%s, %s, %s, %s, %s)",
            (e.notification_id, str(e.originator_id), e.consequence, e.occurred_on, position),
        )


STATUSES = ("reported", "verified", "retracted")


def search(db: Database, status: str | None, source: str | None) -> list[Row]:
    where, params = ["1=1"], []
    if status:
        where.append("status = %s")
        params.append(status)
    if source:
        where.append("source = %s")
        params.append(source)
    return db.query(
        f"SELECT * FROM death_notifications WHERE {' AND '.join(where)}"
        " ORDER BY reported_on DESC, notification_id",
        params,
    )


def consequences(db: Database, notification_ids: list[str]) -> dict[str, list[Row]]:
    if not notification_ids:
        return {}
    marks = ", ".join(["%s"] * len(notification_ids))
    rows = db.query(
        f"SELECT * FROM death_consequences WHERE notification_id IN ({marks}) ORDER BY position",
        notification_ids,
    )
    found: dict[str, list[Row]] = {}
    for row in rows:
        found.setdefault(row["notification_id"], []).append(row)
    return found
