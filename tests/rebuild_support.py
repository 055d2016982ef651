"""What the online-rebuild tests compare: every view table's rows, and a rebuild from zero."""

from __future__ import annotations

from api.container import Container
from projections.registry import all_projections
from projections.store import Database

Dump = dict[str, list[str]]


def view_tables() -> list[str]:
    found = (t for p in all_projections() for t in (*p.tables, *p.shared_tables))
    return sorted(set(found))


def dump(db: Database) -> Dump:
    """Every row of every view table, as sorted text (row order is not part of a view)."""
    return {
        t: sorted(repr(sorted(r.items())) for r in db.query(f"SELECT * FROM {t}"))
        for t in view_tables()
    }


def from_scratch(container: Container) -> Dump:
    """The views as an in-place rebuild from position zero makes them (the runner stopped)."""
    container.runner.stop()
    container.runner.reset()
    container.runner.run_once(processes=False)
    return dump(container.db)
