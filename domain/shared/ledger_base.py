"""The Ledger's shared plumbing: atomic save with idempotency, conflicts, parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, Mapper, Notification, Recording

from domain.shared import access
from domain.shared.command_guard import current_command, refuse_unstorable_text
from domain.shared.errors import InvalidInput, NotFound, StaleVersion, VersionConflict
from domain.shared.group_commit import GroupCommit
from domain.shared.key_store import InMemoryKeyStore
from domain.shared.parameters import InForce, in_force
from domain.shared.personal_data import PersonalData
from domain.shared.pseudonyms import DEV_PSEUDONYMS, Pseudonyms
from domain.shared.sealing_mapper import SealingMapper
from domain.shared.values import Actor, Json, parse_date

A = TypeVar("A", bound=Aggregate)


class Options(TypedDict, total=False):
    """What every step command also takes: If-Match's version and an Idempotency-Key."""

    expected_version: int | None
    idempotency_key: str | None


@dataclass(frozen=True)
class CommandResult:
    """What every command answers: read-your-writes needs the version and the position."""

    id: UUID
    version: int
    position: int


class IdempotencyRecord(Aggregate):
    """Saved atomically with the command's events, so a retry records nothing new."""

    class IdempotencyKeyUsed(Aggregate.Created):
        actor_user: str
        key: str
        fingerprint: str
        target_id: UUID
        target_version: int

    @staticmethod
    def create_id(actor_user: str, key: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:idempotency:{actor_user}:{key}")

    @event(IdempotencyKeyUsed)
    def __init__(
        self, actor_user: str, key: str, fingerprint: str, target_id: UUID, target_version: int
    ):
        self.fingerprint = fingerprint
        self.target_id = target_id
        self.target_version = target_version


class LedgerBase(Application[UUID]):
    """The plumbing every command shares: atomic save, idempotency, conflicts, parameters."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        district: str = "320404",
        pseudonyms: Pseudonyms = DEV_PSEUDONYMS,
        personal: PersonalData | None = None,
    ) -> None:
        #: Person ids from ID numbers, with the deployment's person key (LEDGER_PERSON_KEY).
        self.pseudonyms = pseudonyms
        #: Per-person data keys: seals the `personal` blocks of every stored event.
        self.personal = personal or PersonalData(InMemoryKeyStore())
        super().__init__(env)
        #: Concurrent saves share one transaction (domain/shared/group_commit.py); None: each
        #: save its own, as the library does (bench/commands.py measures both).
        self.committer: GroupCommit | None = GroupCommit(self.recorder.insert_events)
        self.district = district
        self.position_of: Callable[[UUID, int], int] | None = None
        self.listeners: list[Callable[[], None]] = []

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=SealingMapper
        )
        assert isinstance(mapper, SealingMapper)
        mapper.personal = self.personal
        return mapper

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """As the library's, but the insert goes through the group commit."""
        committer = self.committer
        if committer is None or processing_event.tracking or processing_event.saved_kwargs:
            return super()._record(processing_event)
        events = processing_event.events
        stored = [self.mapper.to_stored_event(e) for e in events]  # sealed here, in parallel
        ids = committer.insert(stored) if stored else []
        recordings = [
            Recording(d, Notification(s.originator_id, s.originator_version, s.topic, s.state, n))
            for d, s, n in zip(events, stored, ids or [], strict=bool(ids))
        ]
        if self.repository.cache and not self.repository.fastforward:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        return recordings

    # -- plumbing ---------------------------------------------------------------------------

    def execute(
        self,
        act: Callable[[], Aggregate | tuple[Aggregate, ...]],
        *,
        actor: Actor,
        idempotency_key: str | None = None,
        fingerprint: str = "",
        street: str | None = None,
    ) -> CommandResult:
        """Run a command, save atomically (with its idempotency record) and answer the result.

        `act` returns the changed aggregate, or several: the first is the one answered about.
        The command's access rule is checked first when its target is known here (a district
        command, or a create command's `street`); otherwise `act` checks it (`authorize`) once
        it has found the target. Nothing is saved unless the rule was checked.
        """
        now = current_command()
        if now is not None and not now.checked:
            rule = access.WRITES.get(now.command)
            if street is not None or (rule is not None and rule.area == "district"):
                self.authorize(actor, street)
        record_id = None
        if idempotency_key:
            record_id = IdempotencyRecord.create_id(actor.user, idempotency_key)
            earlier = self._replay(record_id, fingerprint)
            if earlier:
                return earlier
        changed = act()
        if now is None or not now.checked:
            raise RuntimeError("a command reached the save without its access rule checked")
        objs: list[Aggregate] = list(changed) if isinstance(changed, tuple) else [changed]
        aggregate = objs[0]
        refuse_unstorable_text(objs)
        if idempotency_key:
            objs.append(
                IdempotencyRecord(
                    actor.user, idempotency_key, fingerprint, aggregate.id, aggregate.version
                )
            )
        ours = [e for obj in objs for e in obj.pending_events]  # save() collects them
        try:
            recordings = self.save(*objs)
        except IntegrityError:
            if record_id is not None:
                earlier = self._replay(record_id, fingerprint)
                if earlier:
                    return earlier
            if self._already_stored(ours):
                self.saved()
                return self._answer_stored(aggregate)
            raise VersionConflict(
                "someone else changed this record at the same time; reload it and try again"
            ) from None
        self.saved()
        position = max(
            r.notification.id for r in recordings if r.domain_event.originator_id == aggregate.id
        )
        return CommandResult(aggregate.id, aggregate.version, position)

    def load(self, key: UUID, kind: type[A], name: str, expected_version: int | None = None) -> A:
        """The aggregate of that kind, or NotFound; StaleVersion when If-Match is behind."""
        try:
            found: Aggregate = self.repository.get(key)
        except AggregateNotFoundError:
            raise NotFound(f"no {name} with id {key}", field="id") from None
        if not isinstance(found, kind):
            raise NotFound(f"no {name} with id {key}", field="id")
        if expected_version is not None and found.version != expected_version:
            raise StaleVersion(
                f"the {name} is at version {found.version}, not {expected_version}: "
                "reload it before changing it",
                field="If-Match",
            )
        return found

    def change(
        self,
        key: UUID,
        kind: type[A],
        name: str,
        act: Callable[[A], Aggregate | tuple[Aggregate, ...] | None],
        actor: Actor,
        *,
        command: str,
        payload: Json,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Load one aggregate, run a typed command on it and save atomically.

        `act` may return other aggregates it changed, saved in the same transaction;
        `command` and `payload` identify the request, so an idempotent retry is recognised,
        and the payload's `occurred_on` is checked as a date once the aggregate is found.
        """

        def run() -> Aggregate | tuple[Aggregate, ...]:
            found = self.load(key, kind, name, expected_version)
            self.authorize(actor, getattr(found, "street", None))  # after the 404, before all
            if "occurred_on" in payload:  # the business date, checked after the 404/412
                parse_date(payload["occurred_on"], "occurred_on")
            others = act(found)
            if others is None:
                return found
            return (found, *others) if isinstance(others, tuple) else (found, others)

        return self.execute(
            run,
            actor=actor,
            idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(command, str(key), payload),
        )

    def authorize(self, actor: Actor, street: str | None = None) -> None:
        """Check the running command's access rule for this actor on a target in `street`."""
        now = current_command()
        access.check_write(now.command if now else "(not a Ledger command)", actor, street)
        assert now is not None
        now.checked = True

    def saved(self) -> None:
        """Wake whoever tails the log in this process (the projection runner)."""
        for listener in self.listeners:
            listener()

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

    def _already_stored(self, ours: list[Any]) -> bool:
        """True when these very events are the stored ones, not a competitor's.

        A connection cut during the commit makes the library try again, and its retry then
        meets our own committed rows: that is a success whose answer was lost, not a conflict.
        """
        if not ours:
            return False
        for mine in ours:
            found = list(self.events.get(mine.originator_id, gt=mine.originator_version - 1,
                                         lte=mine.originator_version))  # fmt: skip
            as_stored = self.mapper.to_domain_event(self.mapper.to_stored_event(mine))
            if found != [as_stored]:
                return False
        return True

    def _answer_stored(self, aggregate: Aggregate) -> CommandResult:
        position_of = self.position_of
        position = position_of(aggregate.id, aggregate.version) if position_of else 0
        return CommandResult(aggregate.id, aggregate.version, position)

    def fingerprint(self, command: str, target: str, payload: Json) -> str:
        """What an Idempotency-Key's retry must repeat: keyed, since payloads hold ID numbers."""
        body = json.dumps([command, target, payload], sort_keys=True, default=str)
        return self.pseudonyms.request_digest(body.encode())

    # -- parameters -------------------------------------------------------------------------

    def parameters_in_force(self, names: list[str], on: date) -> dict[str, InForce]:
        return in_force(self.repository, self.district, names, on)

    def latest_position(self) -> int:
        return self.recorder.max_notification_id() or 0
