"""The bare library's path of bench/commands.py: the same two saves as the HTTP path, on
the `AssistanceCase` aggregate and `Ledger.save()` only, in-process threads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from command_load import (
    BUSINESS_DAY,
    OFFSET,
    STREET,
    Outcome,
    application,
    run_threads,
)

from api.container import build
from api.settings import Settings
from domain.assistance.case import AssistanceCase
from domain.shared.household import check_application
from domain.shared.values import Actor

# -- the bare library -----------------------------------------------------------------------


def bare_library(
    url: str, warm: list[int], levels: dict[int, list[int]]
) -> dict[tuple[int, bool], Outcome]:
    """The same two commands on `Ledger.save()` alone, at each concurrency (threads), with
    the library's one transaction a save (False) and with the Ledger's group commit (True)."""
    container = build(Settings(database_url=url, run_projections=False))
    ledger = container.ledger
    actor = Actor("bench-worker", "caseworker", STREET).as_dict()

    def prepare(indexes: list[int]) -> list[dict[str, Any]]:
        # What the ledger would record: members as checked (person ids, personal data apart).
        found = []
        for i in indexes:
            app = application(i)
            found.append({**app, "members": check_application(app, ledger.pseudonyms)})
        return found

    def worker(share: list[dict[str, Any]], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok, took = 0, []
        for app in share:
            try:
                t0 = time.perf_counter()
                case = AssistanceCase(
                    programme=app["programme"], district=ledger.district, street=app["street"],
                    community=app["community"], members=app["members"], channel=app["channel"],
                    kin_of_staff=app["kin_of_staff"], actor=actor,
                    occurred_on=app["occurred_on"],
                )  # fmt: skip
                ledger.save(case)
                t1 = time.perf_counter()
                ok += 1
                case.accept(actor=actor, occurred_on=BUSINESS_DAY)
                ledger.save(case)
                took += [t1 - t0, time.perf_counter() - t1]
                ok += 1
            except Exception as e:
                outcome.fail(f"{type(e).__name__}: {e}")
            tick()
        with outcome.lock:
            outcome.latencies += took
        return ok

    try:
        if warm:
            run_threads("bare library: warm-up", prepare(warm), 4, worker)
        committer = ledger.committer
        assert committer is not None
        found: dict[tuple[int, bool], Outcome] = {}
        for clients, indexes in levels.items():
            # The library's own save (one transaction each), then with the group commit.
            ledger.committer = None
            found[clients, False] = run_threads(
                f"bare, one tx a save ×{clients}", prepare([i + OFFSET for i in indexes]),
                clients, worker,
            )  # fmt: skip
            ledger.committer = committer
            saves, commits = committer.saves, committer.commits
            found[clients, True] = run_threads(
                f"bare, group commit ×{clients}", prepare(indexes), clients, worker
            )
            made = committer.commits - commits
            found[clients, True].batch = (committer.saves - saves) / made if made else 0.0
        return found
    finally:
        container.close()
