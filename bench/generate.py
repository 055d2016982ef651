"""The province generator: a synthetic province-year written through the Ledger's commands.

    scripts/with-postgres .venv/bin/python bench/generate.py [--cases 1000] [--seed 2024]
        [--database-url URL] [--profile FILE]

Every event comes from a Ledger command method, as the API would call it: applications walked
through acceptance, checks, visit, assessment, notice and decision, reviews, suspensions,
exits, terminations and deaths, temporary assistance, and twelve monthly payroll runs per
programme (scheduled 500 payouts per transaction, settled from the bank's files). See
bench/generate_plan.py for what each case does and README "The province generator".

Deterministic: the same seed and size give the same commands in the same order, and the same
aggregate ids (cases and temporary cases get ids derived from the seed and their index, every
other aggregate's id is derived by the domain already). Resumable: each step changes one
aggregate by one event, so the stored versions say where an interrupted run stopped; a second
run with the same options continues there and ends with the same ledger.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from api.container import Container, build
from api.demo.district import PARAMETERS, settlement_file
from api.demo.temporary import TEMPORARY_PARAMETERS
from api.settings import Settings
from bench.generate_plan import (
    APPROVER,
    FOLLOWERS,
    YEAR,
    Step,
    Unit,
    plan_case,
    plan_temporary,
    streets_for,
)
from domain.assistance.case import AssistanceCase
from domain.ledger import IdempotencyRecord, Ledger
from domain.payroll.run import PayrollRun
from domain.shared.parameters import parameter_id
from domain.shared.values import Actor
from domain.temporary.case import TemporaryAssistanceCase
from projections.backends import DatabaseUrl
from projections.runner import ProjectionRunner
from projections.views.payable_cases import PayableCases

ADMIN = Actor("admin-province", "admin", "钟楼区民政局")
PROGRAMMES = ["DIBAO", "TEKUN", "DIBAO_EDGE"]
SETTLE_BATCH = 5_000  # payouts per bank file
err = Console(stderr=True)
OUT = Path("var/bench/generate.json")
CACHE = {
    "AGGREGATE_CACHE_MAXSIZE": "20000",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    "AGGREGATE_CACHE_FASTFORWARD": "n",
}
_chosen: ContextVar[UUID | None] = ContextVar("generate_chosen_id", default=None)


class GenerateError(Exception):
    """The database holds something this run cannot continue (another seed, a stray write)."""


class Interrupted(Exception):
    """Raised after `stop_after` commands (the tests' way to interrupt a run)."""


@contextmanager
def derived_case_ids() -> Iterator[None]:
    """Cases and temporary cases take the id the generator chose (`_chosen`) when it chose one,
    else a random one as usual: the only change to the write path, and only while generating."""
    classes = (AssistanceCase, TemporaryAssistanceCase)
    saved = {cls: cls.__dict__.get("create_id") for cls in classes}

    def create_id(*_: Any, **__: Any) -> UUID:
        from uuid import uuid4

        return _chosen.get() or uuid4()

    for cls in classes:
        cls.create_id = staticmethod(create_id)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for cls, original in saved.items():
            if original is None:
                del cls.create_id
            else:
                cls.create_id = original  # type: ignore[method-assign]


class EventRate(ProgressColumn):
    """Events written and events per second (the task's `events` field over its time)."""

    def render(self, task: Task) -> Text:
        events, elapsed = task.fields.get("events", 0), task.elapsed or 0.0
        rate = events / elapsed if elapsed > 0 else 0.0
        return Text(f"{events:>9,} events {rate:>7,.0f}/s", style="progress.data.speed")


@dataclass
class Stats:
    events: int = 0
    commands: int = 0
    seconds: float = 0.0


class Generator:
    def __init__(
        self,
        container: Container,
        cases: int,
        seed: int,
        shard: int = 0,
        shards: int = 1,
        barrier: Path | None = None,
    ):
        self.ledger: Ledger = container.ledger
        self.cases, self.seed = cases, seed
        #: Shard `shard` of `shards` runs the cases and temporary cases whose index is
        #: `shard` modulo `shards`; shard 0 alone runs the parameters, the days and the payroll
        #: runs, each month's after every shard has finished that month's units (`barrier`: a
        #: directory of marker files the shards share).
        if not 0 <= shard < shards:
            raise GenerateError(f"shard {shard} of {shards}: a shard is 0 to {shards - 1}")
        if shards > 1 and barrier is None:
            raise GenerateError("several shards need a barrier directory")
        self.shard, self.shards, self.barrier = shard, shards, barrier
        self.streets = streets_for(cases)
        self.person_id = self.ledger.pseudonyms.person_id
        #: The payable_cases view alone, caught up before each payroll run (the other views
        #: and the reactions are `ledger serve`'s: they follow the log once it is written).
        self.views = ProjectionRunner(self.ledger, container.db, [PayableCases()])
        self.fresh = False  # once a unit is found not begun, nothing after it is either
        self.stats = Stats()
        #: The tests' interruption: stop (raise Interrupted) before the command of this number.
        self.stop_after: int | None = None
        self.trace: list[str] = []  # the names of the commands run, in order
        self.total = 0  # units in the year, known once it is planned

    # -- the year, in order ---------------------------------------------------------------

    def year(self) -> Iterator[Unit | tuple[str, int]]:
        """Parameters; the opening stock; then each month's new cases, changes, temporary
        cases and payroll runs (this shard's part of them; see `__init__`)."""
        lead = self.shard == 0
        for name, group in groupby(PARAMETERS if lead else [], key=lambda p: p[0]):
            steps: list[Step] = [
                (Ledger.set_parameter, (name, value, start, reason, ADMIN, "2022-01-01"), {})
                for _, value, start, reason in group
            ]
            yield Unit(parameter_id(self.ledger.district, name), 0, steps)
        for name, value, reason in TEMPORARY_PARAMETERS if lead else []:
            step: Step = (
                Ledger.set_parameter,
                (name, value, "2023-01-01", reason, ADMIN, "2022-12-20"),
                {},
            )
            yield Unit(parameter_id(self.ledger.district, name), 0, [step])
        new: dict[int, list[int]] = {m: [] for m in range(13)}
        later: dict[int, list[Unit]] = {m: [] for m in range(13)}
        for i in range(self.shard, self.cases, self.shards):
            plan = plan_case(self.seed, i, self.streets, self.person_id)
            new[plan.month].append(i)
            for month, unit in plan.later:
                later[month].append(unit)
        temporary: dict[int, list[Unit]] = {m: [] for m in range(13)}
        for j in range(self.shard, max(2, self.cases // 40), self.shards):
            month, unit = plan_temporary(self.seed, j, self.cases, self.streets)
            temporary[month].append(unit)
        params = len({name for name, *_ in PARAMETERS}) + len(TEMPORARY_PARAMETERS)
        self.total = sum(map(len, new.values())) + sum(map(len, later.values()))
        self.total += sum(map(len, temporary.values()))
        if lead:
            self.total += params + 12 * (1 + len(PROGRAMMES))
        for month in range(13):
            if month and lead:
                yield ("day", month)
            for i in new[month]:  # planned again: cheaper than holding every plan
                yield plan_case(self.seed, i, self.streets, self.person_id).opening
            yield from later[month]
            yield from temporary[month]
            if month:
                if self.shards > 1:
                    yield ("units-done", month)
                if lead:
                    for programme in PROGRAMMES:
                        yield ("payroll:" + programme, month)
                if self.shards > 1:
                    yield ("payroll-done", month)

    # -- running ---------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Stats:
        start, head = time.perf_counter(), self.ledger.latest_position()
        self._check_marker(head)
        task = progress.add_task("province-year", total=None, events=0) if progress else None

        with derived_case_ids():
            for n, unit in enumerate(self.year(), start=1):
                if isinstance(unit, Unit):
                    self.apply(unit)
                elif unit[0] == "day":
                    self.record_day(unit[1])
                elif unit[0] == "units-done":
                    self.arrive(unit[1])
                elif unit[0] == "payroll-done":
                    self.payroll_done(unit[1])
                else:
                    self.payroll(unit[0].split(":")[1], unit[1])
                if progress and task is not None and (n % 50 == 0 or n == self.total):
                    events = self.ledger.latest_position() - head
                    progress.update(task, completed=n, total=self.total, events=events)
        self.stats.events = self.ledger.latest_position() - head
        self.stats.seconds = time.perf_counter() - start
        return self.stats

    def tick(self, command: str) -> None:
        if self.stop_after is not None and self.stats.commands >= self.stop_after:
            raise Interrupted(command)
        self.stats.commands += 1
        self.trace.append(command)

    # -- shards: each month's payroll runs after every shard's units of that month ---------

    def _mark(self, name: str) -> Path:
        assert self.barrier is not None
        return self.barrier / name

    def _wait_for(self, names: list[str]) -> None:
        while not all(self._mark(n).exists() for n in names):
            time.sleep(0.2)

    def arrive(self, month: int) -> None:
        """This shard has run its units up to the end of `month`; shard 0 waits for all."""
        self._mark(f"{month:02d}-units-{self.shard}").touch()
        if self.shard == 0:
            self._wait_for([f"{month:02d}-units-{k}" for k in range(self.shards)])

    def payroll_done(self, month: int) -> None:
        """Shard 0 has run `month`'s payroll: the others may go on to the next month."""
        if self.shard == 0:
            self._mark(f"{month:02d}-payroll").touch()
        else:
            self._wait_for([f"{month:02d}-payroll"])

    def _check_marker(self, head: int) -> None:
        """The first command carries an idempotency key naming the seed and size, so a second
        run knows the ledger is its own (and refuses another seed's or the demo's)."""
        key = f"generate:seed={self.seed}:cases={self.cases}"
        self.marker = key
        record = IdempotencyRecord.create_id(ADMIN.user, key)
        if self.shard:  # shard 0 writes the marker; the others wait for it
            while record not in self.ledger.repository:
                time.sleep(0.2)
            head = 0
        self.marked = record in self.ledger.repository
        if head and not self.marked:
            raise GenerateError(
                f"the database already holds {head} events not written by this generator with "
                f"--seed {self.seed} --cases {self.cases}; use an empty database"
            )

    def steps_done(self, target: UUID) -> tuple[int, int]:
        """How many steps the target has taken (its events less FOLLOWERS), and its version."""
        stored = self.ledger.recorder.select_events(target)
        steps = sum(1 for e in stored if e.topic.rsplit(".", 1)[-1] not in FOLLOWERS)
        return steps, stored[-1].originator_version if stored else 0

    def apply(self, unit: Unit) -> None:
        """Run the unit's steps not yet stored (all of them once the run is past where an
        earlier one stopped), checking that each adds exactly one event to its target."""
        taken, version = (unit.offset, 0) if self.fresh else self.steps_done(unit.target)
        done = taken - unit.offset
        if done < 0:
            raise GenerateError(f"{unit.target} has taken {taken} steps, not {unit.offset}")
        if done < len(unit.steps):
            self.fresh = True  # where an earlier run stopped: nothing after this has begun
        for k, (command, args, kwargs) in enumerate(unit.steps[done:], start=done):
            self.tick(command.__name__)
            if not self.marked:  # the run's first command carries the marker
                kwargs, self.marked = {**kwargs, "idempotency_key": self.marker}, True
            token = _chosen.set(unit.target if unit.creates and k == 0 else None)
            try:
                result = command(self.ledger, *args, **kwargs)
            finally:
                _chosen.reset(token)
            if result.id != unit.target or (version and result.version <= version):
                raise GenerateError(f"{command.__name__} did not change {unit.target}")
            version = result.version

    def record_day(self, month: int) -> None:
        self.tick("record_day")
        self.ledger.record_day(f"{YEAR}-{month:02d}-01")  # a day on file changes nothing

    def payroll(self, programme: str, month: int) -> None:
        """Schedule, approve and settle one run (each step only if the run has not taken it)."""
        label, led = f"{YEAR}-{month:02d}", self.ledger
        key = PayrollRun.create_id(led.district, programme, label)
        run = led.get_run(key) if key in led.repository else None
        if run is None or run.status == "started":
            self.views.run_once(processes=False)  # payable_cases caught up with the ledger
            self.tick("start_payroll_run")
            led.start_payroll_run(programme, label, APPROVER, date(YEAR, month, 20))
            run = led.get_run(key)
        if not run.payouts:
            return
        if run.status == "scheduled":
            self.tick("approve_payroll_run")
            led.approve_payroll_run(key, APPROVER, f"{label}-21")
        pending = sorted(k for k, (_, status) in run.payouts.items() if status == "pending")
        for first in range(0, len(pending), SETTLE_BATCH):
            chunk = {k: run.payouts[k] for k in pending[first : first + SETTLE_BATCH]}
            self.tick("record_settlement")
            led.record_settlement(key, settlement_file(chunk, None), APPROVER, f"{label}-25")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="assistance cases (default 1000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--database-url", default=None, help="default: the settings' (LEDGER_DATABASE_URL)"
    )
    parser.add_argument(
        "--shards", type=int, default=1,
        help="processes writing at once (default 1): this one and N-1 children, each its "
             "share of the cases; the payroll runs wait for every shard's month",
    )  # fmt: skip
    parser.add_argument("--shard", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--barrier", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile to this file")
    args = parser.parse_args()
    if args.shards < 1:
        parser.error("--shards is at least 1")
    # The library's aggregate cache, without copies and without re-reading the store: each
    # aggregate is written by one shard only, and any failure ends the run (a second run
    # reloads everything), so a cached aggregate is always the stored one. It gives the same
    # events (checked on 200 cases: the same log) about a third faster: a command no longer
    # replays its aggregate.
    for name, value in CACHE.items():
        os.environ.setdefault(name, value)
    _small_pool()
    settings = Settings(database_url=args.database_url) if args.database_url else Settings()
    barrier = args.barrier
    if args.shards > 1 and barrier is None:
        where = re.sub(r"[^A-Za-z0-9_.-]+", "_", settings.database_url.split("@")[-1])
        barrier = Path("var/generate") / f"{where}-seed{args.seed}-cases{args.cases}"
        barrier.mkdir(parents=True, exist_ok=True)
    children = _start_shards(args, barrier) if args.shard == 0 and args.shards > 1 else []
    container = build(settings)
    try:
        generator = Generator(container, args.cases, args.seed, args.shard, args.shards, barrier)
    except GenerateError as e:
        err.print(f"[red]{e}[/]")
        return 1
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               EventRate(), TimeElapsedColumn(), TimeRemainingColumn())  # fmt: skip
    profile = cProfile.Profile() if args.profile else None
    try:
        with Progress(*columns, console=err, disable=args.shard > 0) as bar:
            if profile:
                profile.enable()
            stats = generator.run(bar)
    except GenerateError as e:
        err.print(f"[red]{e}[/]")
        return 1
    except KeyboardInterrupt:
        err.print("interrupted: the same command again continues where this run stopped")
        return 130
    finally:
        if profile and args.profile:
            profile.disable()
            profile.dump_stats(args.profile)
        container.close()
        for child in children:
            if child.poll() is None and sys.exc_info()[0] is not None:
                child.terminate()
    failed = [k for k, child in enumerate(children, start=1) if child.wait() != 0]
    if failed:
        err.print(f"[red]shard(s) {failed} failed: see {barrier}/shard-K.log[/]")
        return 1
    rate = stats.events / stats.seconds if stats.seconds else 0.0
    if args.shard == 0:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        head = {"cases": args.cases, "seed": args.seed, "shards": args.shards}
        OUT.write_text(json.dumps(head | asdict(stats) | {"events_per_s": rate}, indent=2) + "\n")
        print(f"{args.cases} cases: {stats.events} events from {stats.commands} commands"
              f"{f' (shard 0 of {args.shards})' if args.shards > 1 else ''} in "
              f"{stats.seconds:.1f} s ({rate:,.0f} events/s)")  # fmt: skip
    return 0


def _small_pool() -> None:
    """A shard writes from one thread: two of the library's connections, not its default 8
    (three shards would hold 27 of PostgreSQL's 100 and crowd everything else out)."""
    import api.container

    full = api.container.ledger_env

    def small(settings: Settings, url: DatabaseUrl) -> dict[str, str]:
        env = full(settings, url)
        if url.dialect == "postgres":
            env |= {"POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2"}
        return env

    api.container.ledger_env = small


def _start_shards(args: argparse.Namespace, barrier: Path) -> list[subprocess.Popen[bytes]]:
    """Shards 1..N-1 as child processes (their output in the barrier directory)."""
    children = []
    for k in range(1, args.shards):
        command = [
            sys.executable, __file__, "--cases", str(args.cases), "--seed", str(args.seed),
            "--shards", str(args.shards), "--shard", str(k), "--barrier", str(barrier),
        ]  # fmt: skip
        if args.database_url:
            command += ["--database-url", args.database_url]
        log_file = (barrier / f"shard-{k}.log").open("wb")
        children.append(subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT))
    return children


if __name__ == "__main__":
    sys.exit(main())
