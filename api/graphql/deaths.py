"""GraphQL `deathNotifications`: each death, and the cases it touched with what happened."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.context import Info
from api.graphql.permissions import masked
from api.permissions import Personal, Subject
from projections.views import death_notifications


@strawberry.type
class DeathConsequence:
    case_id: strawberry.ID
    consequence: str
    recorded_on: str


@strawberry.type
class DeathNotificationView:
    id: strawberry.ID
    person_id: str
    name: str | None = masked(Personal.NAME)
    id_number: str | None = masked(Personal.ID_NUMBER)
    date_of_death: str
    source: str
    status: str
    reported_on: str
    verified_on: str | None
    retracted_on: str | None
    retraction_reason: str | None
    cases: list[DeathConsequence]

    def personal_subject(self) -> Subject:
        return Subject(person_id=self.person_id)


@strawberry.input
class DeathNotificationFilter:
    status: str | None = None
    source: str | None = None


async def death_notifications_resolver(
    info: Info, filter: DeathNotificationFilter | None = None
) -> list[DeathNotificationView]:
    db = info.context.container.read_db
    rows = await asyncio.to_thread(
        death_notifications.search,
        db,
        filter.status if filter else None,
        filter.source if filter else None,
    )
    touched = await asyncio.to_thread(
        death_notifications.consequences, db, [r["notification_id"] for r in rows]
    )
    return [
        DeathNotificationView(
            id=strawberry.ID(r["notification_id"]),
            person_id=r["person_id"],
            name=r["name"],
            id_number=r["id_number"],
            date_of_death=r["date_of_death"],
            source=r["source"],
            status=r["status"],
            reported_on=r["reported_on"],
            verified_on=r["verified_on"],
            retracted_on=r["retracted_on"],
            retraction_reason=r["retraction_reason"],
            cases=[
                DeathConsequence(
                    case_id=strawberry.ID(c["case_id"]),
                    consequence=c["consequence"],
                    recorded_on=c["recorded_on"],
                )
                for c in touched.get(r["notification_id"], [])
            ],
        )
        for r in rows
    ]
