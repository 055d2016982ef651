"""A view's writes to one table, gathered within a transaction and sent together.

A rebuild writes each case's row several times in one batch (submitted, accepted, assessed,
confirmed, ...). `Rows` keeps what each row should become and sends it once, before the
commit: new rows in multi-row INSERTs, changed ones as one UPDATE each. `Counters` adds up
a batch's changes to counter rows and sends one upsert for each row. Any statement of the
transaction that names the table sends them first (Tx.defer's guard), so a read, or another
view's write, sees every write made before it, in order. With `tx.deferring` off, every
write goes at once (the runner's view-by-view path, where an error must name its event).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from projections.store import Tx

Values = dict[str, Any]


class Rows:
    """The pending writes of one table with a one-column key: key -> (kind, values)."""

    def __init__(self, table: str, key: str) -> None:
        self.table, self.key = table, key
        self.pending: dict[Any, tuple[str, Values]] = {}

    @classmethod
    def of(cls, tx: Tx, table: str, key: str) -> Rows:
        found: Rows | None = tx.memo.get(("rows", table))
        if found is None:
            found = tx.memo[("rows", table)] = cls(table, key)
            tx.defer(f"rows:{table}", found._flush, table)
        return found

    def insert(self, tx: Tx, values: Values) -> None:
        """INSERT a new row (all its values)."""
        if not tx.deferring:
            _insert(tx, self.table, [values])
            return
        self.pending[values[self.key]] = ("insert", dict(values))

    def upsert(self, tx: Tx, values: Values) -> None:
        """INSERT the row, or replace these columns of it when it is there."""
        if not tx.deferring:
            _insert(tx, self.table, [values], conflict=self.key)
            return
        was = self.pending.get(values[self.key])
        kind = "insert" if was is not None and was[0] == "insert" else "upsert"
        self.pending[values[self.key]] = (kind, {**(was[1] if was else {}), **values})

    def update(self, tx: Tx, key: Any, changes: Values) -> None:
        """UPDATE these columns of the row (nothing when there is no such row)."""
        if not tx.deferring:
            _update(tx, self.table, self.key, [(key, changes)])
            return
        was = self.pending.get(key)
        if was is None:
            self.pending[key] = ("update", dict(changes))
        else:
            was[1].update(changes)

    def _flush(self, tx: Tx) -> None:
        tx.memo.pop(("rows", self.table), None)
        groups: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        for key, (kind, values) in self.pending.items():
            groups.setdefault((kind, tuple(values)), []).append((key, values))
        self.pending = {}
        for (kind, _), rows in groups.items():
            if kind == "update":
                _update(tx, self.table, self.key, rows)
            else:
                conflict = self.key if kind == "upsert" else None
                _insert(tx, self.table, [v for _, v in rows], conflict=conflict)


class Counters:
    """Additions to counter rows: `key_columns` name the row, `sums` the columns added to."""

    def __init__(self, table: str, key_columns: Sequence[str], sums: Sequence[str]) -> None:
        self.table, self.keys, self.sums = table, tuple(key_columns), tuple(sums)
        self.pending: dict[tuple[Any, ...], list[int]] = {}

    def add(self, tx: Tx, row: Sequence[Any]) -> None:
        """Add a row of (key values..., amounts...) to the counters."""
        key, amounts = tuple(row[: len(self.keys)]), row[len(self.keys) :]
        mine = f"counters:{self.table}"
        pending: dict[tuple[Any, ...], list[int]] | None = tx.memo.get(mine)
        if pending is None:
            pending = tx.memo[mine] = {}
            tx.defer(mine, lambda t: self._flush(t, mine), self.table)
        totals = pending.setdefault(key, [0] * len(self.sums))
        for i, amount in enumerate(amounts):
            totals[i] += int(amount)
        if not tx.deferring:
            tx.flush(mine)

    def _flush(self, tx: Tx, mine: str) -> None:
        pending: dict[tuple[Any, ...], list[int]] = tx.memo.pop(mine, {})
        columns = (*self.keys, *self.sums)
        adds = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in self.sums)
        rows = [(*key, *totals) for key, totals in pending.items()]  # a zero too, as one by one
        tail = f" ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {adds}"
        _insert_rows(tx, f"{self.table} AS t", self.table, columns, rows, tail)


def _chunks(rows: list[Any], width: int) -> list[list[Any]]:
    per = max(1, 900 // max(width, 1))  # under SQLite's parameters a statement
    return [rows[i : i + per] for i in range(0, len(rows), per)]


def _insert(tx: Tx, table: str, rows: list[Values], conflict: str | None = None) -> None:
    columns = list(rows[0])
    tail = ""
    if conflict is not None:
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != conflict)
        tail = f" ON CONFLICT ({conflict}) DO " + (f"UPDATE SET {sets}" if sets else "NOTHING")
    _insert_rows(tx, table, table, columns, [[r[c] for c in columns] for r in rows], tail)


def _insert_rows(
    tx: Tx, into: str, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
    tail: str,
) -> None:  # fmt: skip
    """INSERT rows (then `tail`): on PostgreSQL one statement of a few arrays whatever the
    count (`unnest`; its text is the same each time, so psycopg converts it once and the
    server prepares it), on SQLite multi-row VALUES under its parameter limit."""
    names = ", ".join(columns)
    if tx.dialect == "postgres":
        arrays = ", ".join(f"%b::{t}[]" for t in column_types(tx, table, columns))
        tx.execute(
            f"INSERT INTO {into} ({names}) SELECT * FROM unnest({arrays}){tail}",
            [list(column) for column in zip(*rows, strict=True)],
        )
        return
    marks = f"({', '.join(['%s'] * len(columns))})"
    for chunk in _chunks(list(rows), len(columns)):
        tx.execute(
            f"INSERT INTO {into} ({names}) VALUES {', '.join([marks] * len(chunk))}{tail}",
            [v for r in chunk for v in r],
        )


def _update(tx: Tx, table: str, key: str, rows: list[tuple[Any, Values]]) -> None:
    columns = list(rows[0][1])
    if not columns:
        return
    if tx.dialect == "postgres" and len(rows) > 1:  # one statement, as _insert_rows
        types = column_types(tx, table, [key, *columns])
        arrays = ", ".join(f"%b::{t}[]" for t in types)
        sets = ", ".join(f"{c} = v.{c}" for c in columns)
        names = ", ".join(["key__", *columns])
        tx.execute(
            f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names})"
            f" WHERE t.{key} = v.key__",
            [[k for k, _ in rows], *([values[c] for _, values in rows] for c in columns)],
        )
        return
    sets = ", ".join(f"{c} = %s" for c in columns)
    tx.executemany(
        f"UPDATE {table} SET {sets} WHERE {key} = %s",
        [[*(values[c] for c in columns), k] for k, values in rows],
    )


#: (database, table) -> column -> its SQL type, read from PostgreSQL's catalogue once.
_TYPES: dict[tuple[str, str], dict[str, str]] = {}


def column_types(tx: Tx, table: str, columns: Sequence[str]) -> list[str]:
    """The PostgreSQL types of a table's columns (a shadow table has its live table's)."""
    info = tx.connection_info()
    where = (f"{info.host}:{info.port}/{info.dbname}", table)
    known = _TYPES.get(where)
    if known is None or any(c not in known for c in columns):
        rows = tx.query(
            "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute"
            " WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        known = _TYPES[where] = {r["attname"]: r["type"] for r in rows}
    missing = [c for c in columns if c not in known]
    if missing:
        raise LookupError(f"{table} has no column {missing[0]}")
    return [known[c] for c in columns]


class Lookup:
    """Rows of one table by a one-column key, read for many keys at once and remembered for
    the transaction: a view reads a batch's rows in one query (`get_many`, or `prefetch` at
    the batch's start) instead of one query an event. The view must `forget` a row it
    writes, so the next read sees the write; only its own view may write the table."""

    def __init__(self, table: str, key: str, columns: str = "*") -> None:
        self.table, self.key, self.columns = table, key, columns
        self._memo = ("lookup", table, key, columns)

    def _known(self, tx: Tx) -> dict[Any, Values | None]:
        known: dict[Any, Values | None] = tx.memo.setdefault(self._memo, {})
        return known

    def prefetch(self, tx: Tx, keys: Iterable[Any]) -> None:
        known = self._known(tx)
        missing = sorted({k for k in keys if k not in known})
        # PostgreSQL: one array, whatever the count; SQLite: under its parameter limit.
        chunks = [missing] if tx.dialect == "postgres" and missing else _chunks(missing, 1)
        for chunk in chunks:
            where, params = any_of(tx, self.table, self.key, chunk)
            rows = tx.query(f"SELECT {self.columns} FROM {self.table} WHERE {where}", params)
            found = {r[self.key]: r for r in rows}
            for k in chunk:
                known[k] = found.get(k)

    def get(self, tx: Tx, key: Any) -> Values | None:
        """The row (a copy of its own), None when there is none."""
        known = self._known(tx)
        if key not in known:
            self.prefetch(tx, [key])
        row = known[key]
        return None if row is None else dict(row)

    def get_many(self, tx: Tx, keys: Iterable[Any]) -> dict[Any, Values]:
        """The rows there are of these keys."""
        wanted = list(keys)
        self.prefetch(tx, wanted)
        known = self._known(tx)
        return {k: dict(row) for k in wanted if (row := known[k]) is not None}

    def forget(self, tx: Tx, key: Any) -> None:
        self._known(tx).pop(key, None)

    def put(self, tx: Tx, key: Any, row: Values) -> None:
        """Remember the row as the view just wrote it (a copy), so no read follows."""
        self._known(tx)[key] = dict(row)


class Owned(Lookup):
    """A table only its own view writes, by a one-column key: rows read once a transaction
    (`Lookup`) and written with the batch's others (`Rows`); each write keeps the remembered
    row as it now is, so no read follows it."""

    def insert(self, tx: Tx, row: Values) -> None:
        Rows.of(tx, self.table, self.key).insert(tx, row)
        self.put(tx, row[self.key], row)

    def update(self, tx: Tx, key: Any, changes: Values) -> None:
        Rows.of(tx, self.table, self.key).update(tx, key, changes)
        known = self._known(tx)
        was = known.get(key)
        if was is not None:
            known[key] = {**was, **changes}
        else:  # not read yet (or not there): the next read asks the table
            known.pop(key, None)


def any_of(tx: Tx, table: str, column: str, values: Sequence[Any], alias: str = "") -> Any:
    """`column` among `values`, and its parameters: on PostgreSQL one typed array (`= ANY`),
    so the statement's text is the same whatever the count (converted once by psycopg,
    prepared by the server); on SQLite `IN (?, ...)`. Returns (condition, params)."""
    name = f"{alias}.{column}" if alias else column
    if tx.dialect == "postgres":
        kind = column_types(tx, table, [column])[0]
        return f"{name} = ANY(%b::{kind}[])", [list(values)]
    return f"{name} IN ({', '.join(['%s'] * len(values))})", list(values)
