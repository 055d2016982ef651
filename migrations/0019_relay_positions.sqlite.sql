-- The NATS JetStream relay's position (api/streams/relay_nats.py), one row per stream: the
-- last ledger position it published and the stream sequence JetStream gave it, written after
-- the broker acknowledged them. On start the stream's last message is the truth when it is
-- ahead of this row (a crash between the acknowledgement and this write).
CREATE TABLE IF NOT EXISTS relay_positions (
    stream TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    stream_sequence BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
