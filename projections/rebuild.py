"""Rebuilds views without downtime: beside the live ones, then swapped in by one transaction.

Queries keep answering from the live tables, and the live runner keeps them current, until
the switch commits; a query never sees a half-built view. The rebuild's runner has no
processes: no reaction (death cascade, findings, erasures, ...) acts on a replayed event, and
after the switch the live processes continue from their own tracking against complete views.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import Application

from projections import tracking
from projections.runner import ProjectionRunner
from projections.shadow import shadow_for
from projections.store import Database
from projections.view import Projection

__all__ = ["OnlineRebuild", "RebuildFailed", "chosen"]

Progress = Callable[[str, int, int], None]
#: Catch-up passes before the switch at most: under writes faster than the rebuild, the
#: switch's own last catch-up (which holds the live runner) takes the rest.
MAX_PASSES = 20


class RebuildFailed(Exception):
    """A view could not handle an event while it was rebuilt: the live views are untouched."""

    def __init__(self, failed: dict[str, str]):
        super().__init__("; ".join(failed.values()))
        self.failed = failed


def _tables(projection: Projection) -> tuple[str, ...]:
    return (*projection.tables, *projection.shared_tables)


def chosen(projections: Sequence[Projection], names: Sequence[str] | None) -> list[Projection]:
    """The named views (all by default), and every view that writes a table one of them writes:
    a table is swapped whole, so all its writers are rebuilt together."""
    picked = [p for p in projections if names is None or p.name in names]
    while True:
        tables = {t for p in picked for t in _tables(p)}
        more = [p for p in projections if p not in picked and tables & set(_tables(p))]
        if not more:
            return picked
        picked += more


class OnlineRebuild:
    def __init__(
        self,
        app: Application[Any],
        live: Database,
        projections: Sequence[Projection],
        names: Sequence[str] | None = None,
        batch_size: int = 500,
        live_runner: ProjectionRunner | None = None,
    ):
        self.app = app
        self.live = live
        # Instances of their own: nothing of the live runner's is shared.
        self.projections = [type(p)() for p in chosen(projections, names)]
        self.names = [p.name for p in self.projections]
        self.tables = list(dict.fromkeys(t for p in self.projections for t in _tables(p)))
        self.batch_size = batch_size
        self.live_runner = live_runner

    def run(self, progress: Progress | None = None) -> dict[str, int]:
        """Build beside, catch up, switch; the positions the rebuilt views switched at."""
        shadow = shadow_for(self.live)
        try:
            shadow.prepare(self.tables)
            runner = ProjectionRunner(self.app, shadow.db, self.projections, self.batch_size)
            say = progress or (lambda *_: None)
            for _ in range(MAX_PASSES):
                self._catch_up(runner, lambda _, done, head: say("building", done, head))
                head = self.app.recorder.max_notification_id() or 0
                if head - min(runner.positions().values()) <= self.batch_size:
                    break
            say("switching", *[self.app.recorder.max_notification_id() or 0] * 2)
            shadow.switch(self.names, self.tables, lambda: self._catch_up(runner, None))
        except BaseException:
            shadow.discard()
            raise
        finally:
            shadow.close()
        if self.live_runner is not None:  # a view stopped before is whole again
            for name in self.names:
                self.live_runner.failed.pop(name, None)
                self.live_runner.retrying.pop(name, None)
        return tracking.positions(self.live, self.names)

    @staticmethod
    def _catch_up(runner: ProjectionRunner, progress: Progress | None) -> None:
        runner.run_once(progress, processes=False)  # views only: no reaction, no sealer
        if runner.failed:
            raise RebuildFailed(dict(runner.failed))
