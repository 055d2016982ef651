"""The Ledger application: one event store, one global notification log, one method per command."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from domain.assessment import (
    EXCLUSIVE_PROGRAMMES,
    CheckFindings,
    assess,
    required_parameters,
    review_interval_months,
)
from domain.assistance_case import AssistanceCase
from domain.errors import DomainError, InvalidInput, NotFound, StaleVersion, VersionConflict
from domain.household import check_application
from domain.parameters import SPECS, InForce, ParameterSchedule, parameter_id
from domain.values import Actor, parse_date

Json = dict[str, Any]


@dataclass(frozen=True)
class CommandResult:
    """What every command answers: read-your-writes needs the version and the position."""

    id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class Enrolment:
    person_id: str
    case_id: UUID
    programme: str


class EnrolmentRegistry(Protocol):
    """Who is counted in which active case; a read model, caught up to `up_to` when given."""

    def active_enrolments(self, person_ids: list[str], up_to: int | None) -> list[Enrolment]: ...


class IdempotencyRecord(Aggregate):
    """Saved atomically with the command's events, so a retry records nothing new."""

    @staticmethod
    def create_id(actor_user: str, key: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:idempotency:{actor_user}:{key}")

    @event("IdempotencyKeyUsed")
    def __init__(
        self, actor_user: str, key: str, fingerprint: str, target_id: UUID, target_version: int
    ):
        self.fingerprint = fingerprint
        self.target_id = target_id
        self.target_version = target_version


class Ledger(Application[UUID]):
    """Holds every aggregate so there is one notification log in commit order."""

    name = "Ledger"

    def __init__(self, env: dict[str, str] | None = None, district: str = "320404") -> None:
        super().__init__(env)
        self.district = district
        self.enrolments: EnrolmentRegistry | None = None
        self.position_of: Callable[[UUID, int], int] | None = None
        self.listeners: list[Callable[[], None]] = []

    # -- plumbing ---------------------------------------------------------------------------

    def execute(
        self,
        act: Callable[[], Aggregate],
        *,
        actor: Actor,
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> CommandResult:
        """Run a command, save atomically (with its idempotency record) and answer the result."""
        record_id = None
        if idempotency_key:
            record_id = IdempotencyRecord.create_id(actor.user, idempotency_key)
            earlier = self._replay(record_id, fingerprint)
            if earlier:
                return earlier
        aggregate = act()
        objs: list[Aggregate] = [aggregate]
        if idempotency_key:
            objs.append(
                IdempotencyRecord(
                    actor.user, idempotency_key, fingerprint, aggregate.id, aggregate.version
                )
            )
        try:
            recordings = self.save(*objs)
        except IntegrityError:
            if record_id is not None:
                earlier = self._replay(record_id, fingerprint)
                if earlier:
                    return earlier
            raise VersionConflict(
                "someone else changed this record at the same time; reload it and try again"
            ) from None
        for listener in self.listeners:
            listener()
        position = max(
            r.notification.id for r in recordings if r.domain_event.originator_id == aggregate.id
        )
        return CommandResult(aggregate.id, aggregate.version, position)

    def _replay(self, record_id: UUID, fingerprint: str) -> CommandResult | None:
        try:
            record: Aggregate = self.repository.get(record_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, IdempotencyRecord)
        if record.fingerprint != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was already used for a different request",
                field="Idempotency-Key",
                code="idempotency_key_reused",
            )
        position = (
            self.position_of(record.target_id, record.target_version) if self.position_of else 0
        )
        return CommandResult(record.target_id, record.target_version, position)

    @staticmethod
    def fingerprint(command: str, target: str, payload: Json) -> str:
        body = json.dumps([command, target, payload], sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()

    def get_case(self, case_id: UUID, expected_version: int | None = None) -> AssistanceCase:
        try:
            case: Aggregate = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise NotFound(f"no case with id {case_id}", field="id") from None
        if not isinstance(case, AssistanceCase):
            raise NotFound(f"no case with id {case_id}", field="id")
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"the case is at version {case.version}, not {expected_version}: "
                "reload it before changing it",
                field="If-Match",
            )
        return case

    # -- parameters -------------------------------------------------------------------------

    def set_parameter(
        self, name: str, value: int, effective_from: str, reason: str, actor: Actor,
        occurred_on: str, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        if name not in SPECS:
            raise InvalidInput(
                f"unknown parameter {name!r}; known: {', '.join(sorted(SPECS))}", field="name"
            )

        def act() -> Aggregate:
            try:
                schedule: Aggregate = self.repository.get(parameter_id(self.district, name))
            except AggregateNotFoundError:
                schedule = ParameterSchedule(self.district, name, actor.as_dict(), occurred_on)
            assert isinstance(schedule, ParameterSchedule)
            schedule.set_value(value, effective_from, reason, actor.as_dict(), occurred_on)
            return schedule

        payload = {"name": name, "value": value, "from": effective_from, "reason": reason}
        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("set_parameter", name, payload),
        )  # fmt: skip

    def parameters_in_force(self, names: list[str], on: date) -> dict[str, InForce]:
        found = {}
        for name in names:
            try:
                schedule: Aggregate = self.repository.get(parameter_id(self.district, name))
            except AggregateNotFoundError:
                raise DomainError(
                    f"the parameter {name} has never been set; set it under /api/v1/parameters",
                    field=name,
                    code="parameter_missing",
                ) from None
            assert isinstance(schedule, ParameterSchedule)
            found[name] = schedule.in_force(on)
        return found

    # -- assistance cases -------------------------------------------------------------------

    def submit_application(
        self, application: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        def act() -> Aggregate:
            members = check_application(application)
            if application["programme"] in EXCLUSIVE_PROGRAMMES:
                self._check_enrolment(
                    members, application["programme"], None, up_to=self.latest_position()
                )
            return AssistanceCase(
                programme=application["programme"],
                district=self.district,
                street=application["street"],
                community=application["community"],
                members=members,
                channel=application["channel"],
                kin_of_staff=application["kin_of_staff"],
                actor=actor.as_dict(),
                occurred_on=application["occurred_on"],
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("submit", "", application),
        )  # fmt: skip

    def change_case(
        self,
        case_id: UUID,
        command: str,
        payload: Json,
        actor: Actor,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Run one of the case's command methods by name (the API's sub-resources)."""
        handler = getattr(self, f"_case_{command}", None)

        def act() -> Aggregate:
            case = self.get_case(case_id, expected_version)
            parse_date(payload["occurred_on"], "occurred_on")
            if handler is not None:
                handler(case, actor, payload)
            else:
                getattr(case, command)(actor=actor.as_dict(), **payload)
            return case

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(command, str(case_id), payload),
        )  # fmt: skip

    def _case_record_assessment(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        if case.check is None:
            case.record_assessment(actor.as_dict(), payload["occurred_on"])  # raises the rule
        assert case.check is not None
        supplements = payload.get("supplements", [])
        for i, s in enumerate(supplements):
            if s["person_id"] not in case.counted:
                raise InvalidInput(
                    "a supplement names a person not counted", field=f"supplements.{i}"
                )
        kinds = {s["kind"] for s in supplements}
        on = parse_date(payload["occurred_on"], "occurred_on")
        params = self.parameters_in_force(required_parameters(case.programme, kinds), on)
        prop = case.check["property"]
        findings = CheckFindings(
            verified_income_fen=case.check["incomes"],
            vehicles=prop.get("vehicles", 0),
            companies=prop.get("companies", 0),
            real_estate_units=prop.get("real_estate_units", 0),
            deposits_fen=prop.get("deposits_fen", 0),
            public_servant_match=case.check["public_servant_match"],
        )
        result = assess(
            case.programme, case.counted, findings, params, supplements,
            payload.get("rigid_spending_fen", 0),
        )  # fmt: skip
        case.record_assessment(
            actor.as_dict(),
            payload["occurred_on"],
            method="gap",
            income_per_head_fen=result.income_per_head_fen,
            threshold_fen=result.threshold_fen,
            standard_fen=result.standard.value,
            parameters=result.parameters,
            eligible=result.eligible,
            ineligibility_reasons=result.reasons,
            amounts=result.amounts,
            total_fen=result.total_fen,
            irregular_income=bool(payload.get("irregular_income", False)),
        )

    def _case_confirm(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        if case.programme in EXCLUSIVE_PROGRAMMES and case.status == "accepted":
            members = [{"person_id": p, "counted": True} for p in case.counted]
            self._check_enrolment(members, case.programme, case.id, up_to=self.latest_position())
        irregular = bool(case.assessment and case.assessment["irregular_income"])
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        case.confirm(actor.as_dict(), payload["occurred_on"], interval)

    def _case_complete_review(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        irregular = bool(payload.get("irregular_income", False))
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        case.complete_review(actor.as_dict(), payload["occurred_on"], payload["findings"], interval)

    def _check_enrolment(
        self, members: list[Json], programme: str, case_id: UUID | None, up_to: int | None
    ) -> None:
        if self.enrolments is None:
            return
        counted = [m["person_id"] for m in members if m["counted"]]
        for enrolment in self.enrolments.active_enrolments(counted, up_to):
            if enrolment.case_id == case_id or enrolment.programme not in EXCLUSIVE_PROGRAMMES:
                continue
            raise DomainError(
                f"person {enrolment.person_id} is already counted in the active "
                f"{enrolment.programme} case {enrolment.case_id}; a person may be in one "
                "active DIBAO or TEKUN case at a time",
                field="members",
                code="double_enrolment",
            )

    def latest_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- auditors ---------------------------------------------------------------------------

    def case_events(self, case_id: UUID) -> list[Any]:
        self.get_case(case_id)
        return list(self.events.get(case_id))

    def case_as_of(
        self, case_id: UUID, version: int | None = None, at: datetime | None = None
    ) -> AssistanceCase:
        """Replay the case up to a version or a recorded time: what the ledger knew then."""
        if at is not None:
            upto = [e for e in self.case_events(case_id) if e.timestamp <= at]
            if not upto:
                raise NotFound(f"the case did not exist yet at {at.isoformat()}", field="at")
            version = upto[-1].originator_version
        case: Aggregate = self.repository.get(case_id, version=version)
        assert isinstance(case, AssistanceCase)
        return case
