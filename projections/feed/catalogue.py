"""The event types integrators see: each stored event class by its name, area and topics.

A type's name is the class's qualified name (`AssistanceCase.EligibilityConfirmed`): plain
class names repeat across aggregates (`EconomicCheckCompleted`, `Opened`), qualified ones do
not. Its area is the domain package it lives in (`assistance`, `payroll`, `shared`, ...), and
its topics are the ones it is stored under now and before its module moved (domain/topics.py),
so a filter by type matches events stored under either spelling.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from functools import lru_cache

from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import resolve_topic

import domain
from domain.topics import topics_of


@dataclass(frozen=True)
class EventType:
    name: str
    area: str
    topics: tuple[str, ...]


class UnknownEventType(ValueError):
    """A type name that names no stored event class."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, EventType]:
    """Every event class of every aggregate in `domain`, by type name (sorted)."""
    found: dict[str, EventType] = {}
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(info.name)
        for aggregate in vars(module).values():
            if (
                inspect.isclass(aggregate)
                and issubclass(aggregate, Aggregate)
                and aggregate.__module__ == module.__name__
            ):
                for cls in _events_of(aggregate):
                    name = cls.__qualname__
                    found[name] = EventType(name, _area(module.__name__), tuple(topics_of(cls)))
    return dict(sorted(found.items()))


def _events_of(aggregate: type) -> list[type]:
    """The aggregate's own event classes, without its base `Event` and the library's default
    `Created` when the aggregate names its own created event."""
    own = [
        cls
        for cls in vars(aggregate).values()
        if inspect.isclass(cls) and issubclass(cls, DomainEvent) and cls.__name__ != "Event"
    ]
    named_created = any(
        issubclass(cls, Aggregate.Created) and cls.__name__ != "Created" for cls in own
    )
    return [cls for cls in own if not (named_created and cls.__name__ == "Created")]


def _area(module: str) -> str:
    """`domain.assistance.case` -> `assistance`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else "shared"


@lru_cache(maxsize=4096)
def type_of_topic(topic: str) -> EventType:
    """The type of a stored topic (an old module path resolves to the class's new home)."""
    cls = resolve_topic(topic)
    known = catalogue().get(cls.__qualname__)
    if known is None:
        raise UnknownEventType(f"stored topic {topic} is not an event type of the ledger")
    return known


def resolve(names: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """Type names checked against the catalogue; `Aggregate.*` names all of its types."""
    types = catalogue()
    chosen: set[str] = set()
    for name in names:
        if name.endswith(".*"):
            prefix = name[:-1]
            matched = {t for t in types if t.startswith(prefix)}
            if not matched:
                raise UnknownEventType(f"no event type starts with {prefix}")
            chosen |= matched
        elif name in types:
            chosen.add(name)
        else:
            raise UnknownEventType(f"{name} is not an event type of the ledger")
    return frozenset(chosen)
