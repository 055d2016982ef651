"""village_conversions: which step has each village conversion (撤村转居) reached?

One row per conversion: the step reached, the survey totals, and the latest abolition vote
with its result and the parameter version it was judged by.
"""

from __future__ import annotations

import json
from typing import Any

from domain.villages.conversion import VillageConversion
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at

#: The steps in order; the two surveys may come in either order, so each counts one step.
STEPS = (
    "initiated", "assets_verified", "membership_confirmed", "restructured", "vote_passed",
    "deregistered", "residents_committee_established", "completed",
)  # fmt: skip


class VillageConversions(Projection):
    name = "village_conversions"
    tables = ("village_conversions",)

    @handles(VillageConversion.ConversionInitiated)
    def initiated(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO village_conversions (conversion_id, district, street, village, tasks,"
            " step, step_number, initiated_on, version, position, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, 'initiated', 1, %s, %s, %s, %s)",
            (
                str(e.originator_id), e.district, e.street, e.village,
                json.dumps(e.tasks, ensure_ascii=False), e.occurred_on, e.originator_version,
                position, recorded_at(e),
            ),
        )  # fmt: skip

    def _update(self, tx: Tx, e: Any, position: int, **changes: Any) -> None:
        changes.update(version=e.originator_version, position=position, updated_at=recorded_at(e))
        sets = ", ".join(f"{k} = %s" for k in changes)
        tx.execute(
            f"UPDATE village_conversions SET {sets} WHERE conversion_id = %s",
            [*changes.values(), str(e.originator_id)],
        )

    def _step(self, tx: Tx, e: Any, position: int, step: str, **changes: Any) -> None:
        self._update(tx, e, position, step=step, step_number=STEPS.index(step) + 1, **changes)

    def _survey(self, tx: Tx, e: Any, position: int, step: str, **changes: Any) -> None:
        done = tx.scalar(
            "SELECT step_number FROM village_conversions WHERE conversion_id = %s",
            (str(e.originator_id),),
        )
        self._update(tx, e, position, step=step, step_number=int(done) + 1, **changes)

    @handles(VillageConversion.AssetsVerified)
    def assets(self, tx: Tx, e: Any, position: int) -> None:
        self._survey(
            tx, e, position, "assets_verified", assets_fen=e.assets_fen,
            liabilities_fen=e.liabilities_fen, net_assets_fen=e.net_assets_fen,
            assets_verified_on=e.occurred_on,
        )  # fmt: skip

    @handles(VillageConversion.MembershipConfirmed)
    def membership(self, tx: Tx, e: Any, position: int) -> None:
        self._survey(
            tx, e, position, "membership_confirmed", members=e.members,
            membership_confirmed_on=e.occurred_on,
        )  # fmt: skip

    @handles(VillageConversion.CollectiveRestructured)
    def restructured(self, tx: Tx, e: Any, position: int) -> None:
        self._step(
            tx, e, position, "restructured", entity_name=e.entity_name,
            shareholders=e.shareholders, restructured_on=e.occurred_on,
        )  # fmt: skip

    @handles(VillageConversion.AbolitionVoted)
    def voted(self, tx: Tx, e: Any, position: int) -> None:
        held = tx.scalar(
            "SELECT votes_held FROM village_conversions WHERE conversion_id = %s",
            (str(e.originator_id),),
        )
        vote = {
            "votes_held": int(held or 0) + 1, "vote_eligible": e.eligible,
            "vote_present": e.present, "vote_for": e.votes_for, "vote_against": e.votes_against,
            "vote_share_permille": e.share_permille,
            "vote_threshold_permille": e.threshold_permille, "vote_passed": int(e.passed),
            "vote_parameters": json.dumps(e.parameters, sort_keys=True), "voted_on": e.occurred_on,
        }  # fmt: skip
        if e.passed:
            self._step(tx, e, position, "vote_passed", **vote)
        else:  # the conversion stays restructured, and may vote again
            self._update(tx, e, position, step="vote_failed", **vote)

    @handles(VillageConversion.VillageDeregistered)
    def deregistered(self, tx: Tx, e: Any, position: int) -> None:
        self._step(
            tx, e, position, "deregistered", deregistration_ref=e.decision_ref,
            deregistered_on=e.occurred_on,
        )  # fmt: skip

    @handles(VillageConversion.ResidentsCommitteeEstablished)
    def committee(self, tx: Tx, e: Any, position: int) -> None:
        self._step(
            tx, e, position, "residents_committee_established", committee_name=e.committee_name,
            committee_established_on=e.occurred_on,
        )  # fmt: skip

    @handles(VillageConversion.ConversionCompleted)
    def completed(self, tx: Tx, e: Any, position: int) -> None:
        self._step(tx, e, position, "completed", completed_on=e.occurred_on)


# -- queries ------------------------------------------------------------------------------

FILTERS = ("street", "village", "step")


def get(db: Database, conversion_id: str) -> Row | None:
    rows = db.query("SELECT * FROM village_conversions WHERE conversion_id = %s", (conversion_id,))
    return rows[0] if rows else None


def village_conversions(
    db: Database, filters: dict[str, Any], after: str | None = None, limit: int = 50
) -> tuple[list[Row], int]:
    """Conversions matching the filter, keyset-paged on the conversion id; and the total."""
    found = matching(db, filters)
    return found.page(after, limit), found.count()


def matching(db: Database, filters: dict[str, Any]) -> Keyset:
    """Conversions matching the filter, to page on the conversion id and count when asked."""
    where, params = ["1=1"], []
    for column in FILTERS:
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(filters[column])
    return Keyset(db, "village_conversions", "conversion_id", " AND ".join(where), tuple(params))
