"""A live server answers GraphQL throughout `ledger rebuild` (projections/rebuild.py): from
the old views until the switch commits, from the new ones after it, never from a half-built
one; its pooled connections (psycopg prepares a statement after its fifth run) go on
answering rightly from the swapped tables."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from conftest import client_for, serving
from http_helpers import graphql
from rebuild_support import dump

from api.container import Container
from api.settings import Settings
from projections.rebuild import OnlineRebuild

pytestmark = pytest.mark.e2e

QUERY = """query($id: ID!) {
  caseload(groupBy: ["programme", "status"]) { programme status cases }
  cases { totalCount }
  case(id: $id) { status timeline { version eventType } }
  payoutTotals(groupBy: ["month"]) { month payouts amountFen }
  auditFindings { totalCount }
}"""


def test_a_live_server_answers_whole_views_throughout_a_rebuild(
    demo_container: Container, settings: Settings
) -> None:
    container = demo_container
    case_id = container.db.scalar("SELECT case_id FROM case_summary ORDER BY case_id LIMIT 1")
    container.runner.run_once()  # nothing left for the processes: the answers stay put
    container.runner.start()  # as `ledger serve` runs it: the live views stay current
    answers: list[tuple[str, dict[str, Any]]] = []
    phase = ["before"]
    done = threading.Event()
    with serving(container) as base, client_for(base, settings, "supervisor", "s-1") as client:
        complete = graphql(client, QUERY, id=case_id)
        assert complete["cases"]["totalCount"] > 0 and complete["case"]["timeline"]
        for _ in range(30):  # every pooled connection has prepared its statements by now
            assert graphql(client, QUERY, id=case_id) == complete

        def ask() -> None:
            with client_for(base, settings, "supervisor", "s-2") as reader:
                while not done.is_set():
                    answers.append((phase[0], graphql(reader, QUERY, id=case_id)))

        thread = threading.Thread(target=ask)
        thread.start()
        try:
            job = OnlineRebuild(
                container.ledger, container.db, container.runner.projections,
                batch_size=200, live_runner=container.runner,
            )  # fmt: skip
            job.run(lambda stage, *_: phase.__setitem__(0, stage))
            phase[0] = "after"
            while sum(1 for p, _ in answers if p == "after") < 10:
                done.wait(0.02)
        finally:
            done.set()
            thread.join()
        for _ in range(30):  # and the server's own connections, on the new tables
            assert graphql(client, QUERY, id=case_id) == complete

    wrong = [(p, k, a[k]) for p, a in answers for k in a if a[k] != complete[k]]
    assert wrong[:3] == [], complete
    assert {"building", "after"} <= {p for p, _ in answers}
    assert dump(container.db)["case_summary"]  # the new tables are the live ones
