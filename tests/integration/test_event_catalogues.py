"""The aggregates declare each event they ever stored as a nested class with all its fields.

tests/data/ledger-a663afe.jsonl.gz holds one stored event of every type a663afe wrote. Each of
them must resolve to a class written in its aggregate's body (not one `@event("Name")` made from
a method), still nested under the same name, declaring every field the stored event carries.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, DecoratedFuncCaller
from eventsourcing.utils import resolve_topic

from api.container import Container
from domain.assistance.case import AssistanceCase
from domain.care.bed_conversion import BedConversion
from domain.care.institution import CareInstitution
from domain.deaths.notification import DeathNotification
from domain.ledger import Ledger
from domain.organizations.organization import SocialOrganization
from domain.payroll.payout import Payout
from domain.payroll.run import PayrollRun
from domain.shared.ledger_base import IdempotencyRecord
from domain.shared.parameters import ParameterSchedule
from domain.temporary.case import TemporaryAssistanceCase
from domain.villages.conversion import VillageConversion
from tests.integration.test_stored_topics import stored_events

#: The aggregates whose events have gained no field since a663afe: declared exactly as stored.
UNCHANGED: list[type[Aggregate]] = [
    SocialOrganization, BedConversion, Payout, PayrollRun, ParameterSchedule, IdempotencyRecord,
]  # fmt: skip
#: DeathReportedAgain gained `person_id` (whose key seals its `personal` block).
CATALOGUES: list[type[Aggregate]] = [
    AssistanceCase, TemporaryAssistanceCase, CareInstitution, VillageConversion, DeathNotification,
    *UNCHANGED,
]  # fmt: skip
#: Fields every event has that are not in its stored state (they are the stored row's columns).
ROW_FIELDS = {"originator_id", "originator_version"}


def _stored_types() -> dict[type, dict[str, set[str]]]:
    """For each aggregate class: its stored event names and the fields each one carried."""
    found: dict[type, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for stored in stored_events():
        module, _, qualname = stored.topic.partition(":")
        aggregate, _, name = qualname.rpartition(".")
        found[resolve_topic(f"{module}:{aggregate}")][name] |= set(json.loads(stored.state))
    return found


def test_every_stored_event_is_a_declared_nested_class_with_its_fields() -> None:
    stored = _stored_types()
    for aggregate in CATALOGUES:
        declared = {
            name for name, value in vars(aggregate).items()
            if isinstance(value, type) and issubclass(value, aggregate.Event)
        }  # fmt: skip
        assert set(stored[aggregate]) <= declared, aggregate  # newer events are not in the export
        for name, fields in stored[aggregate].items():
            cls = getattr(aggregate, name)
            assert cls.__qualname__ == f"{aggregate.__name__}.{name}"
            assert not issubclass(cls, DecoratedFuncCaller), f"{name} is made from a method"
            assert fields <= {f.name for f in dataclasses.fields(cls)}, name


def test_a_field_added_later_defaults_on_the_class_when_an_older_event_lacks_it() -> None:
    older = object.__new__(AssistanceCase.ApplicationAccepted)
    object.__setattr__(older, "__dict__", {"investigation_due": "2024-01-05"})

    assert older.provisional == ()


def test_the_unchanged_aggregates_declare_exactly_the_fields_they_stored() -> None:
    stored = _stored_types()
    for aggregate in UNCHANGED:
        assert stored[aggregate], aggregate  # the export covers it
        for name, fields in stored[aggregate].items():
            declared = {f.name for f in dataclasses.fields(getattr(aggregate, name))}
            assert declared == fields | ROW_FIELDS, name  # new events are stored as before


def _replayed(ledger: Ledger, key: str) -> Aggregate:
    found: Aggregate = ledger.repository.get(UUID(key))
    return found


def test_events_stored_by_a663afe_rebuild_each_aggregate_through_its_event_classes(
    container: Container,
) -> None:
    ledger = container.ledger
    ledger.recorder.insert_events(stored_events())

    run = _replayed(ledger, "288b132e-3bfa-5544-bb02-5e4d86c559f5")
    assert isinstance(run, PayrollRun) and run.status == "reconciled"
    assert len(run.settlements) == 2 and len(run.payouts) == 10
    assert {outcome for _, outcome in run.payouts.values()} == {"settled"}  # reopened, settled
    reissued = _replayed(ledger, "9cc79748-5df2-5ca9-b29b-eb1243c652e1")
    assert isinstance(reissued, Payout)
    assert (reissued.status, reissued.amount_fen, reissued.recovered_fen) == ("settled", 166800, 0)

    organisations = {
        key: _replayed(ledger, key)
        for key in (
            "31bb87f7-555f-461b-bdf8-24d1f20ac300", "ae7f60bf-7f29-4b77-849f-0ec2d9510676",
            "ce678c33-1a8e-4da0-8fac-1bb484d009ae", "d2cdc92a-fc3d-4435-9116-b8915a9044c4",
            "fbc1b3c5-bd8f-4576-bf9e-65999d95c25e",
        )
    }  # fmt: skip
    seen = [
        (o.status, o.grade, o.grade_valid_until, o.last_step_on, len(o.inspections))
        for o in organisations.values() if isinstance(o, SocialOrganization)
    ]  # fmt: skip
    assert seen == [
        ("registered", None, None, "2023-10-28", 11),  # graded 3A, then the grade revoked
        ("registered", "3A", "2027-11-21", "2023-03-22", 11),
        ("liquidating", None, None, "2023-10-30", 11),
        ("deregistered", None, None, "2023-10-13", 11),
        ("revoked", None, None, "2023-10-13", 9),
    ]

    converted = _replayed(ledger, "61588c6b-8367-4da1-be79-1f5771063c85")
    assert isinstance(converted, BedConversion)
    assert (converted.status, converted.subsidised, converted.last_step_on) == (
        "completed", 40, "2024-06-13",
    )  # fmt: skip
    assert converted.inspectors == {"inspector-五星街道-1", "inspector-五星街道-2"}
    rejected = _replayed(ledger, "cdfd123d-aeec-4022-8c0e-795954050a9c")
    assert isinstance(rejected, BedConversion) and rejected.status == "rejected"

    death = _replayed(ledger, "55ab124f-048b-5ad9-91e8-f94e568f945e")
    assert isinstance(death, DeathNotification)  # reported, retracted, reported again, verified
    assert (death.status, death.verified_on, death.date_of_death) == (
        "verified", "2026-03-28", "2026-03-25",
    )  # fmt: skip

    standard = _replayed(ledger, "17206bc4-f921-5a8d-b905-0ecce94b218a")
    assert isinstance(standard, ParameterSchedule)
    assert standard.in_force(date(2024, 8, 1)).reference == "dibao.standard@v4"
    assert standard.in_force(date(2023, 8, 1)).value == 108000
    record = _replayed(ledger, "38cb8721-b650-5d82-be8f-1116f2baa126")
    assert isinstance(record, IdempotencyRecord) and record.target_version == 1
