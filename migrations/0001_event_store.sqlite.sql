-- The eventsourcing library's SQLite table (one file per application, no prefix).
CREATE TABLE IF NOT EXISTS stored_events (
    originator_id TEXT,
    originator_version INTEGER,
    topic TEXT,
    state BLOB,
    PRIMARY KEY (originator_id, originator_version)
);
