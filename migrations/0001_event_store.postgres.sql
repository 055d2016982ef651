-- The eventsourcing library's PostgreSQL tables for the Ledger application (CREATE_TABLE=n),
-- exactly as the library would create them; the library itself never creates tables here.
DO $$ BEGIN
    CREATE TYPE stored_event_uuid AS (
        originator_id uuid, originator_version bigint, topic text, state bytea);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS ledger_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);

CREATE UNIQUE INDEX IF NOT EXISTS ledger_events_notification_id_idx
    ON ledger_events (notification_id ASC);
