"""The composition root: one Ledger, one view database, one runner per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from api.auth import verifier
from api.settings import Settings
from api.signing import signer
from domain.ledger import Ledger
from domain.shared.personal_data import PersonalData
from domain.shared.pseudonyms import Pseudonyms
from migrations.runner import migrate
from projections.backends import DatabaseUrl
from projections.chain.checkpoints import Checkpointer, CheckpointRefused, check_key
from projections.chain.memory import SignerMemory
from projections.chain.sealer import Sealer
from projections.feed.hub import Hub
from projections.feed.reader import LogReader
from projections.person_keys import KeysRefused, SqlKeyStore, check_keys
from projections.reactions.audit_findings import FindingsProcess
from projections.reactions.clock import BusinessDayClock
from projections.reactions.death_cascade import DeathCascade
from projections.reactions.erasures import Erasures
from projections.reactions.standard_changes import StandardChanges
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.store import Database
from projections.views.payable_cases import PayableCasesView


@dataclass
class Container:
    settings: Settings
    db: Database
    ledger: Ledger
    runner: ProjectionRunner
    #: The verifiable log: its sealer (a runner process) and the checkpoint signer after it.
    sealer: Sealer
    checkpointer: Checkpointer
    #: The integrator streams' one follower of the head (projections/feed/hub.py).
    hub: Hub
    #: Where GraphQL reads the views (and waits for X-Min-Position): the primary's `db`
    #: unless a replica is configured (LEDGER_READ_DATABASE_URL). Writes (the access
    #: record, commands, the runner) and the event streams use `db` and the ledger.
    read_db: Database = None  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.read_db is None:
            self.read_db = self.db

    def close(self) -> None:
        self.hub.stop()
        self.runner.stop()
        self.ledger.close()
        if self.read_db is not self.db:
            self.read_db.close()
        self.db.close()


def ledger_env(settings: Settings, url: DatabaseUrl) -> dict[str, str]:
    env = url.library_env()
    if settings.cipher_key is not None:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = settings.cipher_key.get_secret_value()
    return env


def build(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> Container:
    """Migrate first (the library runs with CREATE_TABLE=n), then start the application."""
    verifier(settings)  # a token key file that cannot be read stops the start, not a request
    checkpoint_signer = signer(settings)  # likewise a signing key that cannot sign this log
    url = DatabaseUrl.parse(settings.database_url)
    db = Database(url)
    migrate(db, progress)
    pseudonyms = Pseudonyms(settings.person_key.get_secret_value())
    personal = PersonalData(SqlKeyStore(db), settings.master_key())
    ledger = Ledger(
        ledger_env(settings, url), district=settings.district, pseudonyms=pseudonyms,
        personal=personal,
    )  # fmt: skip
    try:
        check_keys(db, pseudonyms, personal, has_events=ledger.latest_position() > 0)
        memory = SignerMemory(settings.signer_memory_file(checkpoint_signer.verifier.id.hex()))
        if settings.environment == "development" and ledger.latest_position() == 0:
            memory.forget()  # a new, empty development ledger: not a log that lost its past
        check_key(db, checkpoint_signer, memory)  # another key, or lost checkpoints: refused
    except (KeysRefused, CheckpointRefused):
        ledger.close()
        db.close()
        raise
    runner = ProjectionRunner(ledger, db, all_projections(), poll_interval=settings.poll_interval)
    ledger.payables = PayableCasesView(db, progressed=runner.progressed)
    ledger.position_of = _position_lookup(db)
    runner.processes.append(DeathCascade(ledger, db))
    runner.processes.append(StandardChanges(ledger, db))
    runner.processes.append(Erasures(ledger, db))
    if settings.clock:  # before the findings: a new day's deadlines are found in one cycle
        runner.processes.append(BusinessDayClock(ledger, db))
    runner.processes.append(FindingsProcess(ledger, db))
    sealer = Sealer(ledger, db)
    checkpointer = Checkpointer(
        db, checkpoint_signer, settings.origin, every=settings.checkpoint_every,
        seconds=settings.checkpoint_seconds, memory=memory,
    )  # fmt: skip
    sealer.then.append(checkpointer)
    runner.independent.append(sealer)  # its own thread: it follows no view
    ledger.listeners.append(runner.wake)
    hub = Hub(
        LogReader(ledger), window=settings.stream_window, poll_interval=settings.poll_interval,
        listener=runner.listener,
    )  # fmt: skip
    ledger.listeners.append(hub.wake)
    return Container(
        settings, db, ledger, runner, sealer, checkpointer, hub, read_db=_read_db(settings, db)
    )


def _read_db(settings: Settings, db: Database) -> Database:
    """The replica's own pool when LEDGER_READ_DATABASE_URL is set (never migrated: a hot
    standby takes the primary's schema by replication, and refuses writes), else `db`. Its
    pool connects in the background: a replica down at start is reported by /readyz."""
    if settings.read_database_url is None:
        return db
    return Database(DatabaseUrl.parse(settings.read_database_url))


def _position_lookup(db: Database) -> Callable[[UUID, int], int]:
    """Ledger position of one stored event (for replayed idempotent answers)."""

    def lookup(originator_id: UUID, version: int) -> int:
        if db.dialect == "postgres":
            sql = (
                "SELECT notification_id FROM ledger_events"
                " WHERE originator_id = %s AND originator_version = %s"
            )
            return int(db.scalar(sql, (originator_id, version)) or 0)
        sql = "SELECT rowid FROM stored_events WHERE originator_id = %s AND originator_version = %s"
        return int(db.scalar(sql, (originator_id.hex, version)) or 0)

    return lookup
