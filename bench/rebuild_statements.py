"""What a rebuild's statements cost (bench/rebuild.py): each statement's count and time, the
plans of the slowest, the tables scanned whole, and the tables that print them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

from api.container import Container
from projections import store

out = Console()
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


# -- statements ------------------------------------------------------------------------------


def key_of(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\((?:%s, )+%s\)", "(%s, ...)", sql)


@contextmanager
def timed_statements() -> Iterator[dict[str, dict[str, Any]]]:
    """Time every view statement (Tx.execute/executemany) while the block runs."""
    seen: dict[str, dict[str, Any]] = {}
    execute, executemany = store.Tx.execute, store.Tx.executemany

    def note(sql: str, params: Sequence[Any], seconds: float, rows: int) -> None:
        entry = seen.setdefault(key_of(sql), {"sql": sql, "params": params, "calls": 0, "rows": 0,
                                             "seconds": 0.0})  # fmt: skip
        entry["calls"] += 1
        entry["rows"] += rows
        entry["seconds"] += seconds

    def timed_execute(self: store.Tx, sql: str, params: Sequence[Any] = ()) -> None:
        start = time.perf_counter()
        execute(self, sql, params)
        note(sql, tuple(params), time.perf_counter() - start, 1)

    def timed_executemany(self: store.Tx, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        start = time.perf_counter()
        executemany(self, sql, rows)
        if rows:
            note(sql, tuple(rows[0]), time.perf_counter() - start, len(rows))

    query = store.Tx.query

    def timed_query(self: store.Tx, sql: str, params: Sequence[Any] = ()) -> list[store.Row]:
        if not self._pipelined:  # it goes through execute, timed there
            return query(self, sql, params)
        start = time.perf_counter()  # in the pipeline: until its answer is back
        rows = query(self, sql, params)
        note(sql, tuple(params), time.perf_counter() - start, 1)
        return rows

    store.Tx.execute = timed_execute  # type: ignore[method-assign]
    store.Tx.executemany = timed_executemany  # type: ignore[method-assign]
    store.Tx.query = timed_query  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        store.Tx.execute, store.Tx.executemany = execute, executemany  # type: ignore[method-assign]
        store.Tx.query = query  # type: ignore[method-assign]


def explain(container: Container, statements: dict[str, dict[str, Any]]) -> None:
    """EXPLAIN each statement with its first parameters (in a transaction rolled back)."""
    for entry in statements.values():
        sql = entry["sql"].strip()
        # The reset's DELETE of a whole table scans it by design: not a lookup.
        whole = re.match(r"(?is)^delete from \w+$", sql)
        if whole or not re.match(r"(?is)^(select|update|delete|insert)\b", sql):
            entry["plan"], entry["seq_scans"] = "", []
            continue
        try:
            rows = container.db.query(f"EXPLAIN {sql}", entry["params"])
            plan = "\n".join(r["QUERY PLAN"] for r in rows)
        except Exception as e:  # a statement EXPLAIN cannot take: say so, go on
            plan = f"(no plan: {type(e).__name__})"
        entry["plan"], entry["seq_scans"] = plan, sorted(set(SEQ_SCAN.findall(plan)))


def table_scans(container: Container) -> list[dict[str, Any]]:
    time.sleep(2)  # PostgreSQL 15 flushes each backend's table statistics within a second
    return container.db.query(
        "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, n_live_tup"
        " FROM pg_stat_user_tables WHERE seq_scan > 0 AND seq_tup_read > 0"
        " ORDER BY seq_tup_read DESC"
    )


# -- reporting -------------------------------------------------------------------------------


def print_rates(found: dict[str, dict[str, float]], title: str) -> None:
    table = Table(title=title)
    for name in ("span", "events", "seconds", "events/s"):
        table.add_column(name, justify="left" if name == "span" else "right")
    for name, r in found.items():
        table.add_row(name, f"{r['events']:,.0f}", f"{r['seconds']:.2f}", f"{r['rate']:,.0f}")
    out.print(table)


def print_statements(statements: dict[str, dict[str, Any]], top: int) -> None:
    table = Table(title=f"view statements during one rebuild (top {top} by total time)", width=160)
    for name in ("statement", "calls", "rows", "total s", "mean ms", "seq scan on"):
        table.add_column(name, justify="left" if name in ("statement", "seq scan on") else "right")
    ranked = sorted(statements.values(), key=lambda e: -e["seconds"])[:top]
    for e in ranked:
        table.add_row(
            key_of(e["sql"])[:110], f"{e['calls']:,}", f"{e['rows']:,}", f"{e['seconds']:.2f}",
            f"{1000 * e['seconds'] / e['calls']:.3f}", ", ".join(e.get("seq_scans", [])),
        )  # fmt: skip
    out.print(table)


def print_scans(scans: list[dict[str, Any]]) -> None:
    table = Table(title="sequential scans during that rebuild (pg_stat_user_tables)")
    for name in ("table", "seq scans", "rows read by them", "index scans", "rows now"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for s in scans:
        table.add_row(s["relname"], f"{s['seq_scan']:,}", f"{s['seq_tup_read']:,}",
                      f"{s['idx_scan']:,}", f"{s['n_live_tup']:,}")  # fmt: skip
    out.print(table)
