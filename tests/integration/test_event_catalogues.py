"""The aggregates declare each event they ever stored as a nested class with all its fields.

tests/data/ledger-a663afe.jsonl.gz holds one stored event of every type a663afe wrote. Each of
them must resolve to a class written in its aggregate's body (not one `@event("Name")` made from
a method), still nested under the same name, declaring every field the stored event carries.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict

from eventsourcing.domain import Aggregate, DecoratedFuncCaller
from eventsourcing.utils import resolve_topic

from domain.assistance.case import AssistanceCase
from domain.care.institution import CareInstitution
from domain.temporary.case import TemporaryAssistanceCase
from domain.villages.conversion import VillageConversion
from tests.integration.test_stored_topics import stored_events

CATALOGUES: list[type[Aggregate]] = [
    AssistanceCase, TemporaryAssistanceCase, CareInstitution, VillageConversion,
]  # fmt: skip


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
