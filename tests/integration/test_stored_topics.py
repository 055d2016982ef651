"""Events stored by the ledger before its modules moved (commit a663afe) still load and project.

tests/data/ledger-a663afe.jsonl.gz holds every event of one aggregate per stored event type,
exported from a ledger that a663afe's own code wrote (the demo district plus the case commands
the demo does not use), with their topics as stored: `domain.assistance_case:...` and so on.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from api.container import Container
from domain.topics import MOVED_MODULES
from projections import tracking
from projections.views import case_summary

EXPORT = Path(__file__).parent.parent / "data" / "ledger-a663afe.jsonl.gz"


def stored_events() -> list[StoredEvent]:
    with gzip.open(EXPORT, "rt") as f:
        rows = [json.loads(line) for line in f]
    return [
        StoredEvent(
            originator_id=UUID(r["originator_id"]),
            originator_version=r["originator_version"],
            topic=r["topic"],
            state=base64.b64decode(r["state"]),
        )
        for r in rows
    ]


def test_the_export_uses_only_the_old_module_paths() -> None:
    modules = {e.topic.partition(":")[0] for e in stored_events()}
    assert modules <= set(MOVED_MODULES), modules - set(MOVED_MODULES)
    assert len({e.topic for e in stored_events()}) >= 70  # every event type the ledger had


def test_every_old_topic_resolves_to_a_class_in_its_new_module(container: Container) -> None:
    for event in stored_events():
        old_module, _, qualname = event.topic.partition(":")
        cls = resolve_topic(event.topic)
        assert cls.__module__ == MOVED_MODULES[old_module]
        assert cls.__qualname__ == qualname


def test_aggregates_stored_before_the_move_replay_and_project(container: Container) -> None:
    events = stored_events()
    container.ledger.recorder.insert_events(events)
    versions = Counter(e.originator_id for e in events)
    for originator_id, count in versions.items():
        aggregate = container.ledger.repository.get(originator_id)
        assert aggregate.version == count

    container.runner.run_once()

    assert container.runner.failed == {}
    positions = container.runner.positions()
    head = container.ledger.latest_position()
    assert all(p == head for p in positions.values()), positions
    cases = {UUID(i) for i in (r["case_id"] for r in _case_rows(container))}
    stored_cases = {
        e.originator_id for e in events if e.topic.endswith("AssistanceCase.ApplicationSubmitted")
    }
    assert stored_cases and stored_cases <= cases


def _case_rows(container: Container) -> list[dict[str, str]]:
    return container.db.query(f"SELECT case_id FROM {case_summary.CaseSummary.tables[0]}")


def test_standard_changes_and_confirmations_stored_before_the_move_are_still_applied(
    container: Container,
) -> None:
    events = stored_events()
    raise_2024 = next(
        e for e in events
        if e.topic == "domain.parameters:ParameterSchedule.ParameterSet"
        and b'"effective_from":"2024-07-01"' in e.state
    )  # fmt: skip
    ledger = container.ledger
    # Everything but the 2024 raise, then the raise after the cases' confirmations.
    ledger.recorder.insert_events([e for e in events if e is not raise_2024])
    container.runner.run_once()
    ledger.recorder.insert_events([raise_2024])
    container.runner.run_once()

    assert container.runner.failed == {}
    assert tracking.rows(container.db)["standard_changes"].events_applied >= 2
    confirmed = {
        e.originator_id for e in events if e.topic.endswith("AssistanceCase.EligibilityConfirmed")
    }
    raised = {
        (str(case_id)[:8], e.parameters["dibao.standard"], e.effective_month)
        for case_id in confirmed
        for e in ledger.events.get(case_id)
        if type(e).__name__ == "BenefitAdjusted" and getattr(e, "parameters", None)
    }
    # 2023-07 (v3, recorded in advance): found through the old confirmations; 2024-07
    # (v4, recorded after them): through the old standard change itself.
    assert raised == {
        ("893b6644", "dibao.standard@v3", "2023-07"),
        ("3641d0f4", "dibao.standard@v3", "2023-07"),
        ("893b6644", "dibao.standard@v4", "2024-07"),
        ("3641d0f4", "dibao.standard@v4", "2024-07"),
        ("bd6e9e43", "dibao.standard@v4", "2024-07"),
        ("5e1083e8", "dibao.standard@v4", "2024-07"),
    }
