"""Online rebuild (`ledger rebuild`) against the in-place rebuild it replaced, on the same log.

Both rebuild every view from position zero without the processes: in place (the old path:
`runner.reset()` empties the live tables, then a catch-up) and beside the live tables
(projections/rebuild.py: twins, catch-up, one switch). Also times the switch, the only moment
the live runner (and on SQLite any writer) waits. Scratch mode loads the demo district into a
fresh PostgreSQL database (or SQLite file, `--sqlite`); `--database-url URL` uses an existing
populated database instead: it is not read-only, the views are rebuilt (and come out equal).

    scripts/with-postgres .venv/bin/python bench/online_rebuild.py [--sqlite] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.container import Container, build
from api.demo.district import DemoDistrict
from api.settings import Settings
from projections.rebuild import OnlineRebuild

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
out = Console()


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.database_url:
        yield args.database_url
    elif args.sqlite:
        with tempfile.TemporaryDirectory(prefix="bench-online-rebuild-") as folder:
            yield f"sqlite:///{folder}/ledger.sqlite3"
    else:
        admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
        with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_online") as url:
            yield url


def online_round(container: Container) -> tuple[float, float]:
    """Seconds for the whole online rebuild, and for its switch."""
    marks: dict[str, float] = {}
    job = OnlineRebuild(container.ledger, container.db, container.runner.projections)
    started = time.perf_counter()
    job.run(lambda stage, *_: marks.setdefault(stage, time.perf_counter()))
    ended = time.perf_counter()
    return ended - started, ended - marks["switching"]


def measure(url: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    # An existing database keeps its own keys (LEDGER_SIGNING_KEY and friends, as the server).
    keys = {} if args.database_url else {"signing_key_file": folder / "signing-key"}
    settings = Settings(
        database_url=url, run_projections=False, load_demo_when_empty=False, clock=False, **keys
    )
    container = build(settings)
    try:
        if container.ledger.latest_position() == 0:
            with progress_bar() as bar:
                task = bar.add_task("loading the demo", total=args.households)
                container.runner.start()
                DemoDistrict(container.ledger).load(
                    args.households, lambda d, t: bar.update(task, completed=d, total=t)
                )
                container.runner.stop()
            container.runner.run_once()
        head = container.ledger.latest_position()
        in_place, online, switch = [], [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            container.runner.reset()
            container.runner.run_once(processes=False)
            in_place.append(time.perf_counter() - started)
            total, switching = online_round(container)
            online.append(total)
            switch.append(switching)
        dialect = container.db.dialect
    finally:
        container.close()
    return {
        "dialect": dialect, "events": head, "rounds": args.rounds,
        "in_place_s": in_place, "online_s": online, "switch_s": switch,
        "in_place_events_per_s": head / statistics.median(in_place),
        "online_events_per_s": head / statistics.median(online),
        "ratio": statistics.median(online) / statistics.median(in_place),
    }  # fmt: skip


def print_result(r: dict[str, Any]) -> None:
    table = Table(title=f"rebuild of every view, {r['events']:,} events ({r['dialect']})")
    for name in ("figure", "online", "in place (baseline)", "ratio"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    on, base = statistics.median(r["online_s"]), statistics.median(r["in_place_s"])
    table.add_row("seconds (median)", f"{on:.2f}", f"{base:.2f}", f"{on / base:.2f}")
    table.add_row(
        "events/s", f"{r['online_events_per_s']:,.0f}", f"{r['in_place_events_per_s']:,.0f}",
        f"{r['online_events_per_s'] / r['in_place_events_per_s']:.2f}",
    )  # fmt: skip
    sw = statistics.median(r["switch_s"])
    table.add_row("switch, s (last catch-up, swap, drop)", f"{sw:.3f}", "-", "-")
    out.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="a scratch SQLite file instead")
    parser.add_argument("--database-url", help="an existing populated database (rebuilt)")
    parser.add_argument("--households", type=int, default=20, help="demo households")
    parser.add_argument("--rounds", type=int, default=2, help="rebuilds of each kind")
    parser.add_argument("--json", type=Path, default=Path("var/bench/online_rebuild.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as keys, database(args) as url:
        result = measure(url, args, Path(keys))
    print_result(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
