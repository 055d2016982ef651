"""Sealer benchmark: leaves per second, against merely reading the same notifications.

Run (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/seal.py [--events 200000] [--backend both]

It fills a fresh database (SQLite in a temporary directory, PostgreSQL through the admin URL
in LEDGER_TEST_POSTGRES_URL) with synthetic stored events of a realistic size (~600 bytes of
state each, inserted straight into the event table: the sealer never decodes them), then
times, in the same run: reading every notification in batches of 1,000 as the sealer does,
and sealing them all (hash, leaves, nodes and tracking in one transaction per batch), and
signing one checkpoint over the whole tree, then producing (from the stored nodes) and
checking 1,000 inclusion proofs at random. The aim is 10,000 leaves/s or more.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database

from api.container import Container, build
from api.settings import Settings
from projections.chain import nodes, proofs
from projections.chain.signer import Signer
from projections.chain.tree import verify_inclusion

ADMIN_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
out = Console()


def fill(container: Container, events: int) -> None:
    """Synthetic events, 10 versions per aggregate, bulk-inserted in chunks."""
    db = container.db
    state = os.urandom(600)
    topic = "domain.assistance.case:AssistanceCase.Submitted"
    chunk = 10_000
    for start in range(0, events, chunk):
        rows = []
        for i in range(start, min(start + chunk, events)):
            aggregate = uuid.UUID(int=i // 10 + 1)
            key = aggregate if db.dialect == "postgres" else aggregate.hex
            rows.append((key, i % 10 + 1, topic, state))
        table = "ledger_events" if db.dialect == "postgres" else "stored_events"
        with db.transaction() as tx:
            tx.executemany(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
                " VALUES (%s, %s, %s, %s)",
                rows,
            )


def measure(url: str, events: int) -> dict[str, float]:
    key = SecretStr(Signer.generate("caseledger.local/320404").text())  # no key file left behind
    container = build(Settings(database_url=url, load_demo_when_empty=False, signing_key=key))
    try:
        fill(container, events)
        recorder = container.ledger.recorder
        began = time.perf_counter()
        position, read = 0, 0
        while batch := recorder.select_notifications(
            start=position, limit=1000, inclusive_of_start=False
        ):
            position, read = batch[-1].id, read + len(batch)
        reading = time.perf_counter() - began
        began = time.perf_counter()
        while container.sealer.seal_batch() == container.sealer.batch_size:
            pass
        sealing = time.perf_counter() - began
        began = time.perf_counter()
        signed = container.checkpointer.cut()
        signing = time.perf_counter() - began
        assert signed is not None and signed.tree_size == events == read
        picks = [random.randrange(events) for _ in range(1000)]
        began = time.perf_counter()
        paths = [proofs.audit_path(container.db, i, events) for i in picks]
        proving = (time.perf_counter() - began) / len(picks)
        leaves = nodes.read_nodes(container.db, [(0, i) for i in picks])
        began = time.perf_counter()
        for i, path in zip(picks, paths, strict=True):
            assert verify_inclusion(i, events, leaves[(0, i)], path, signed.root_hash)
        checking = (time.perf_counter() - began) / len(picks)
        return {
            "read/s": read / reading, "sealed/s": events / sealing, "sign ms": signing * 1e3,
            "prove ms": proving * 1e3, "check ms": checking * 1e3,
        }  # fmt: skip
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    table = Table("backend", "events", "read only /s", "sealed /s", "sealed / read", "sign ms",
                  "prove ms", "check ms")  # fmt: skip

    def row(name: str, r: dict[str, float]) -> None:
        table.add_row(name, f"{args.events:,}", f"{r['read/s']:,.0f}", f"{r['sealed/s']:,.0f}",
                      f"{r['sealed/s'] / r['read/s']:.2f}", f"{r['sign ms']:.1f}",
                      f"{r['prove ms']:.2f}", f"{r['check ms']:.3f}")  # fmt: skip

    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            row("sqlite", measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.events))
    if args.backend in ("postgres", "both"):
        with fresh_database(ADMIN_URL, "caseledger_bench_seal") as url:
            row("postgres", measure(url, args.events))
    out.print(table)


if __name__ == "__main__":
    main()
