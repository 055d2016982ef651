"""The key table on SQLite and PostgreSQL (migration 0011), and the check of which keys made it.

Every write commits at once, on its own transaction, so a person's key exists before the
event that uses it is saved: a crash in between leaves at most an unused key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from domain.shared.key_store import StoredKey
from domain.shared.personal_data import PersonalData
from domain.shared.pseudonyms import Pseudonyms
from projections.store import Database, Row

_COLUMNS = "key_id, person_id, wrapped_key, wrapped_with"


class KeysRefused(Exception):
    """The database was made with other keys: refuse to start rather than mix them."""


def _key(row: Row | None) -> StoredKey | None:
    if row is None:
        return None
    return StoredKey(row["key_id"], row["person_id"], row["wrapped_key"], row["wrapped_with"])


class SqlKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def live_key(self, person_id: str) -> StoredKey | None:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM person_keys WHERE person_id = %s AND destroyed_at IS NULL",
            (person_id,),
        )
        return _key(rows[0] if rows else None)

    def get(self, key_id: str) -> StoredKey | None:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM person_keys WHERE key_id = %s", (key_id,))
        return _key(rows[0] if rows else None)

    def get_many(self, key_ids: Iterable[str]) -> list[StoredKey]:
        ids, found = list(key_ids), []
        for i in range(0, len(ids), 500):  # SQLite allows some hundreds of parameters
            chunk = ids[i : i + 500]
            rows = self.db.query(
                f"SELECT {_COLUMNS} FROM person_keys"
                f" WHERE key_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            found += [k for k in (_key(r) for r in rows) if k is not None]
        return found

    def add(self, key: StoredKey, created_at: str) -> StoredKey:
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO person_keys (key_id, person_id, wrapped_key, wrapped_with, created_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (key.key_id, key.person_id, key.wrapped, key.wrapped_with, created_at),
            )
        found = self.live_key(key.person_id)
        assert found is not None, "a live key was just committed"
        return found

    def destroy(
        self, person_id: str, destroyed_at: str, key_ids: list[str] | None = None
    ) -> list[str]:
        if self.db.dialect == "sqlite":
            self.db.query("PRAGMA secure_delete = ON")  # overwrite the freed bytes too
        with self.db.transaction() as tx:
            rows = tx.query(
                "SELECT key_id FROM person_keys WHERE person_id = %s AND wrapped_key IS NOT NULL",
                (person_id,),
            )
            ids = [r["key_id"] for r in rows if key_ids is None or r["key_id"] in key_ids]
            for key_id in ids:
                tx.execute(
                    "UPDATE person_keys SET wrapped_key = NULL, destroyed_at = %s"
                    " WHERE key_id = %s",
                    (destroyed_at, key_id),
                )
        if self.db.dialect == "sqlite":
            # Old page images of the key rows stay in the WAL until a checkpoint: run one now
            # (best effort: a reader may hold it back until the next automatic checkpoint).
            self.db.query("PRAGMA wal_checkpoint(TRUNCATE)")
        return ids

    def live_keys(self) -> list[StoredKey]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM person_keys WHERE wrapped_key IS NOT NULL ORDER BY key_id"
        )
        return [k for k in (_key(r) for r in rows) if k is not None]

    def rewrap(self, key: StoredKey) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE person_keys SET wrapped_key = %s, wrapped_with = %s"
                " WHERE key_id = %s AND wrapped_key IS NOT NULL",
                (key.wrapped, key.wrapped_with, key.key_id),
            )


def check_keys(
    db: Database, pseudonyms: Pseudonyms, personal: PersonalData, has_events: bool
) -> None:
    """Refuse at start a database whose person ids or data keys were made with other keys."""
    check_fingerprint(db, "person key", pseudonyms.fingerprint(), has_events)
    others = db.scalar(
        "SELECT COUNT(*) FROM person_keys WHERE wrapped_key IS NOT NULL AND wrapped_with <> %s",
        (personal.master_fingerprint,),
    )
    if others:
        raise KeysRefused(
            f"{others} person data keys here were wrapped with another master key: set the "
            "LEDGER_CIPHER_KEY this database was made with"
        )


def check_fingerprint(db: Database, name: str, fingerprint: str, has_events: bool) -> None:
    """Record the key's fingerprint in a new database; refuse one made with another key."""
    stored = db.scalar("SELECT fingerprint FROM key_fingerprints WHERE name = %s", (name,))
    if stored is None and not has_events:
        with db.transaction() as tx:
            tx.execute(
                "INSERT INTO key_fingerprints (name, fingerprint, recorded_at)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (name, fingerprint, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        stored = db.scalar("SELECT fingerprint FROM key_fingerprints WHERE name = %s", (name,))
    hint = _hint(db)
    if stored is None:
        raise KeysRefused(
            f"this database was made before keyed person ids ({name} unrecorded): {hint}"
        )
    if stored != fingerprint:
        raise KeysRefused(f"this database was made with another {name}: {hint}")


def _hint(db: Database) -> str:
    variable = "LEDGER_PERSON_KEY"
    if db.dialect == "sqlite":
        return f"delete {db.url.path} (and its -wal) or set the {variable} it was made with"
    return f"use a new database or set the {variable} it was made with"
