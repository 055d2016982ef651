"""Rebuilding views beside the live ones (projections/rebuild.py) on SQLite and PostgreSQL:
queries never see a half-built view, no event is lost or applied twice across the switch, the
live runner carries on over it, and no reaction acts on a replayed event."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest
from builders import WORKER, application, new_id_number, walk_to_active
from rebuild_support import dump, from_scratch, view_tables
from typer.testing import CliRunner

from api.cli import cli
from api.container import Container
from api.settings import Settings
from domain.ledger import Ledger
from projections import tracking
from projections.rebuild import OnlineRebuild, RebuildFailed, chosen
from projections.registry import all_projections
from projections.shadow import NEXT, OLD, RebuildRunning, shadow_for
from projections.views.case_summary import CaseSummary

QUESTIONS = {
    "cases": "SELECT COUNT(*) AS n FROM case_summary",
    "caseload": "SELECT programme, status, COUNT(*) AS n FROM case_summary"
    " GROUP BY programme, status ORDER BY programme, status",
    "payouts": "SELECT COUNT(*) AS n, SUM(amount_fen) AS fen FROM payouts",
    "matches": "SELECT rule, COUNT(*) AS n FROM audit_matches GROUP BY rule ORDER BY rule",
}


class Interrupted(BaseException):
    """Stands for Ctrl-C or a kill in the middle of the build."""


def rebuild(container: Container, names: list[str] | None = None, **options: Any) -> OnlineRebuild:
    return OnlineRebuild(
        container.ledger, container.db, container.runner.projections, names, **options
    )


def leftovers(container: Container) -> list[str]:
    """What a rebuild leaves beside the live views (nothing, once it is done)."""
    db = container.db
    if db.dialect == "postgres":
        rows = db.query("SELECT nspname FROM pg_namespace WHERE nspname IN (%s, %s)", [NEXT, OLD])
        return [r["nspname"] for r in rows]
    from pathlib import Path

    path = Path(f"{db.url.path}.next")
    return [str(path)] if path.exists() else []


def submit(ledger: Ledger) -> UUID:
    return ledger.submit_application(application(), WORKER).id


def test_views_answer_whole_throughout_a_rebuild_and_equal_a_rebuild_from_zero(
    demo_container: Container,
) -> None:
    container, db = demo_container, demo_container.db
    case_id = db.scalar("SELECT case_id FROM case_summary ORDER BY case_id LIMIT 1")
    questions = {**QUESTIONS, "case": f"SELECT * FROM case_summary WHERE case_id = '{case_id}'"}
    complete = {name: db.query(sql) for name, sql in questions.items()}
    whole = dump(db)
    # A view gone wrong (as after a fixed bug): the rebuild must put it right.
    with db.transaction() as tx:
        tx.execute("DELETE FROM case_timeline WHERE case_id = %s", [str(case_id)])

    answers: list[tuple[str, str, Any]] = []
    phase = ["before"]
    done = threading.Event()

    def ask() -> None:  # the live server's connections, prepared statements and all
        while not done.is_set():
            for name, sql in questions.items():
                answers.append((phase[0], name, db.query(sql)))

    reader = threading.Thread(target=ask)
    reader.start()
    try:
        job = rebuild(container, batch_size=200)
        job.run(lambda stage, *_: phase.__setitem__(0, stage))
        phase[0] = "after"
        while sum(1 for p, _, _ in answers if p == "after") < 3 * len(questions):
            done.wait(0.01)
    finally:
        done.set()
        reader.join()

    wrong = [(p, name) for p, name, answer in answers if answer != complete[name]]
    assert wrong == []  # never a count from a half-built view, before, during or after
    phases = {p for p, _, _ in answers}
    assert {"building", "after"} <= phases
    assert dump(db) == whole  # the broken view is whole again
    assert leftovers(container) == []
    assert dump(db) == from_scratch(container)


def test_events_recorded_during_a_rebuild_reach_the_new_views_once_and_the_live_runner_goes_on(
    demo_container: Container,
) -> None:
    container, ledger = demo_container, demo_container.ledger
    runner = container.runner
    runner.start()  # the live runner keeps the old tables current meanwhile
    submitted: list[UUID] = []
    building = threading.Event()
    done = threading.Event()

    def write() -> None:
        building.wait(60)
        while not done.is_set() and len(submitted) < 40:
            submitted.append(submit(ledger))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        rebuild(container, batch_size=100, live_runner=runner).run(lambda stage, *_: building.set())
    finally:
        done.set()
        writer.join()
    during = len(submitted)
    assert during > 0
    submitted += [submit(ledger) for _ in range(3)]  # after the switch: the live runner's
    names = [p.name for p in all_projections()]
    head = ledger.latest_position()
    assert tracking.wait_for_position(container.db, names, head, 30, runner.progressed)
    assert runner.failed == {}
    marks = ", ".join(["%s"] * len(submitted))
    rows = container.db.query(
        f"SELECT case_id FROM case_summary WHERE case_id IN ({marks})",
        [str(c) for c in submitted],
    )
    assert sorted(r["case_id"] for r in rows) == sorted(str(c) for c in submitted)  # once each
    live = dump(container.db)
    assert live == from_scratch(container)


def active_case(ledger: Ledger, id_number: str) -> UUID:
    member = {"name": "测试乙", "id_number": id_number, "relation": "self", "counted": True}
    body = application(programme="TEKUN", members=[member], payee_account="622202000000000001")
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def finding_events(ledger: Ledger) -> int:
    notes = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return sum(1 for n in notes if ":AuditFinding." in n.topic)


def test_no_reaction_acts_during_a_rebuild_and_none_acts_twice_after_it(
    demo_container: Container,
) -> None:
    from builders import APPROVER

    container, ledger = demo_container, demo_container.ledger
    person = new_id_number()
    case_id = active_case(ledger, person)
    container.runner.run_once()  # every view and process up to date: no work waiting
    findings = finding_events(ledger)
    assert findings > 0  # the demo's planted defects
    written: list[int] = []

    def progress(stage: str, *_: int) -> None:
        if stage == "building" and not written:  # a death verified while views are rebuilt
            death = ledger.report_death(
                {"name": "测试乙", "id_number": person, "date_of_death": "2024-05-10",
                 "source": "hospital", "occurred_on": "2024-05-11"}, WORKER,
            ).id  # fmt: skip
            ledger.verify_death(death, APPROVER, occurred_on="2024-07-03", evidence="证明")
            written.append(ledger.latest_position())

    rebuild(container, batch_size=200).run(progress)
    assert written and ledger.latest_position() == written[0]  # no process issued anything

    container.runner.run_once()  # the live processes, from their own positions
    acted = ledger.latest_position()
    assert acted > written[0]  # the death cascade settled the case now, once
    status = container.db.scalar(
        "SELECT status FROM case_summary WHERE case_id = %s", [str(case_id)]
    )
    assert status == "terminated"
    container.runner.run_once()
    assert ledger.latest_position() == acted
    assert finding_events(ledger) == findings  # the rebuilt matches raised nothing again


def test_an_interrupted_rebuild_leaves_the_live_views_alone_and_the_next_one_works(
    demo_container: Container,
) -> None:
    container, db = demo_container, demo_container.db
    before = dump(db)
    positions = tracking.positions(db, [p.name for p in all_projections()])
    calls = [0]

    def interrupt(stage: str, *_: int) -> None:
        calls[0] += 1
        if calls[0] == 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        rebuild(container, batch_size=100).run(interrupt)
    assert dump(db) == before
    assert tracking.positions(db, list(positions)) == positions
    assert leftovers(container) == []

    # A rebuild killed outright leaves its half-built twins behind: the next one replaces them.
    killed = shadow_for(db)
    killed.prepare(view_tables())
    killed.close()
    assert leftovers(container) != []
    with db.transaction() as tx:
        tx.execute("DELETE FROM payouts WHERE payout_id IN (SELECT payout_id FROM payouts LIMIT 3)")
    rebuild(container).run()
    assert dump(db) == before
    assert leftovers(container) == []


class Broken(CaseSummary):
    def apply(self, tx: Any, event: Any, position: int) -> None:
        if position > 2000:
            raise ValueError("cannot read this event")
        super().apply(tx, event, position)


def test_a_view_that_fails_while_rebuilt_switches_nothing(demo_container: Container) -> None:
    container, db = demo_container, demo_container.db
    before = dump(db)
    views = [Broken(), *all_projections()[1:]]
    job = OnlineRebuild(container.ledger, db, views, ["case_summary"], batch_size=500)
    with pytest.raises(RebuildFailed) as failed:
        job.run()
    assert "case_summary" in failed.value.failed
    assert dump(db) == before
    assert leftovers(container) == []


def test_a_rule_is_rebuilt_with_every_view_that_shares_its_table() -> None:
    views = all_projections()
    rules = {p.name for p in chosen(views, ["audit_a01"])}
    assert {"audit_a01", "audit_a14"} <= rules  # every rule writes audit_matches
    assert "case_summary" not in rules
    assert [p.name for p in chosen(views, ["case_summary"])] == ["case_summary"]


def test_a_second_rebuild_at_the_same_time_is_refused(container: Container) -> None:
    first = shadow_for(container.db)  # a rebuild under way
    try:
        with pytest.raises(RebuildRunning):
            rebuild(container).run()
    finally:
        first.close()
    rebuild(container).run()  # once it is over, the next one runs


def run_cli(settings: Settings, *args: str) -> Any:
    env = {
        "LEDGER_DATABASE_URL": settings.database_url, "LEDGER_RUN_PROJECTIONS": "false",
        "LEDGER_SIGNING_KEY_FILE": str(settings.signing_key_file),
        "LEDGER_CLOCK": "false",
    }  # fmt: skip
    return CliRunner().invoke(cli, list(args), env=env)


def test_ledger_rebuild_rebuilds_all_views_or_one_beside_the_live_ones(
    demo_container: Container, settings: Settings
) -> None:
    db = demo_container.db
    before = dump(db)
    with db.transaction() as tx:
        tx.execute("DELETE FROM case_summary")
        tx.execute("DELETE FROM payouts")
    one = run_cli(settings, "rebuild", "--projection", "case_summary")
    assert one.exit_code == 0, one.output
    assert "switched 1 views" in one.output
    after_one = dump(db)
    assert after_one["case_summary"] == before["case_summary"]
    assert after_one["payouts"] == []  # not chosen: left as it was
    every = run_cli(settings, "rebuild", "--batch-size", "300")
    assert every.exit_code == 0, every.output
    assert dump(db) == before
    unknown = run_cli(settings, "rebuild", "--projection", "nothing")
    assert unknown.exit_code == 2 and "unknown projection" in unknown.output
