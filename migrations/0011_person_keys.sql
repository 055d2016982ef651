-- Per-person data keys (issue 8): each wrapped by the master key; destroyed on erasure.
CREATE TABLE IF NOT EXISTS person_keys (
    key_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    wrapped_key TEXT,
    wrapped_with TEXT NOT NULL,
    created_at TEXT NOT NULL,
    destroyed_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS person_keys_one_live
    ON person_keys (person_id) WHERE destroyed_at IS NULL;
CREATE INDEX IF NOT EXISTS person_keys_by_person ON person_keys (person_id);
-- Which person key (LEDGER_PERSON_KEY) made this database's person ids, as a fingerprint.
CREATE TABLE IF NOT EXISTS key_fingerprints (
    name TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
