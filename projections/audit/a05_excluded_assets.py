"""A05 excluded assets: a case confirmed although its economic check found what excludes it.

A vehicle, a registered company, a public-servant member, more homes than allowed or deposits
over the limit (the standard x the allowed months x the counted members). The limits are the
district's dated parameters in force on the day of the confirmation, as this rule has seen them
set. A later economic check that finds none of it, or the case's termination, resolves it.
"""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from domain.shared.parameters import ParameterSchedule
from projections.audit.case_facts import CaseFacts, Facts, case_of
from projections.audit.rule import AuditRule
from projections.store import Tx
from projections.view import handles

FACTS = CaseFacts("audit_a05_cases")
LIMITS = ("dibao.standard", "assets.deposit_months", "assets.max_real_estate_units")


def in_force(tx: Tx, name: str, on: str) -> int | None:
    """The value of a parameter on a date: the latest start on or before it, the last set."""
    known: dict[tuple[str, str], int | None] = tx.memo.setdefault("audit_a05_parameters", {})
    if (name, on) not in known:
        known[(name, on)] = _in_force(tx, name, on)
    return known[(name, on)]


def _in_force(tx: Tx, name: str, on: str) -> int | None:
    rows = tx.query(
        "SELECT value FROM audit_a05_parameters WHERE name = %s AND effective_from <= %s"
        " ORDER BY effective_from DESC, version DESC LIMIT 1",
        [name, on],
    )
    return int(rows[0]["value"]) if rows else None


def asset_reasons(tx: Tx, facts: Facts, on: str) -> list[str]:
    """What the check found that excludes the household, without any amount of its own."""
    check = facts["check"]
    prop = check["property"]
    reasons = []
    if prop.get("vehicles", 0):
        reasons.append("a vehicle")
    if prop.get("companies", 0):
        reasons.append("a registered company")
    if check["public_servant_match"]:
        reasons.append("a public-servant member")
    homes = in_force(tx, "assets.max_real_estate_units", on)
    if homes is not None and prop.get("real_estate_units", 0) > homes:
        reasons.append(f"more homes than the limit of {homes}")
    standard = in_force(tx, "dibao.standard", on)
    months = in_force(tx, "assets.deposit_months", on)
    if standard is not None and months is not None:
        limit = standard * months * facts["counted"]
        if prop.get("deposits_fen", 0) > limit:
            reasons.append(f"deposits over the limit of {limit / 100:.2f} yuan")
    return reasons


class ExcludedAssets(AuditRule):
    name = "audit_a05"
    tables = ("audit_a05_cases", "audit_a05_schedules", "audit_a05_parameters")
    rule = "A05"
    severity = "high"
    title = "excluded assets"
    title_zh = "财产不符仍纳入"

    # -- the limits -------------------------------------------------------------------------

    @handles(ParameterSchedule.ParameterScheduleOpened)
    def schedule_opened(self, tx: Tx, e: Any, position: int) -> None:
        if e.name in LIMITS:
            tx.execute(
                "INSERT INTO audit_a05_schedules (schedule_id, name) VALUES (%s, %s)",
                [str(e.originator_id), e.name],
            )

    @handles(ParameterSchedule.ParameterSet)
    def parameter_set(self, tx: Tx, e: Any, position: int) -> None:
        name = tx.scalar(
            "SELECT name FROM audit_a05_schedules WHERE schedule_id = %s", [str(e.originator_id)]
        )
        if name is not None:
            tx.execute(
                "INSERT INTO audit_a05_parameters (name, effective_from, version, value)"
                " VALUES (%s, %s, %s, %s)",
                [name, e.effective_from, e.originator_version, e.value],
            )
            tx.memo.pop("audit_a05_parameters", None)

    # -- the cases --------------------------------------------------------------------------

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        counted = sum(1 for m in e.members if m["counted"])
        FACTS.put(tx, case_of(e), e.street, {"counted": counted, "check": None})

    @handles(AssistanceCase.EconomicCheckCompleted)
    def checked(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        facts["check"] = {
            "property": e.property, "public_servant_match": bool(e.public_servant_match),
            "position": position,
        }  # fmt: skip
        FACTS.put(tx, case_of(e), street, facts)
        if facts.get("confirmed") and not facts.get("terminated"):
            self._judge(tx, e, position, street, facts)

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is None:
            return
        street, facts = found
        facts["confirmed"] = {"position": position, "on": e.occurred_on}
        FACTS.put(tx, case_of(e), street, facts)
        self._judge(tx, e, position, street, facts)

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        found = FACTS.get(tx, case_of(e))
        if found is not None:
            FACTS.put(tx, case_of(e), found[0], {**found[1], "terminated": True})
        self.cured(tx, position, key=case_of(e))  # a no-op unless found

    def _judge(self, tx: Tx, e: Any, position: int, street: str | None, facts: Facts) -> None:
        key = case_of(e)
        reasons = asset_reasons(tx, facts, facts["confirmed"]["on"]) if facts["check"] else []
        if reasons:
            self.found(
                tx, position, key=key, street=street, case_id=key,
                evidence=[facts["check"]["position"], facts["confirmed"]["position"]],
                summary="confirmed although the economic check found " + ", ".join(reasons),
                occurred_on=e.occurred_on,
            )  # fmt: skip
        else:
            self.cured(tx, position, key=key)
