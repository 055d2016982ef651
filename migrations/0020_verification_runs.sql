-- The outcome of each `ledger verify` of the log (projections/chain/verifications.py): when,
-- whether it passed, the tree size it recomputed, the checkpoints it checked, the first bad
-- position and a one-line detail naming positions and hashes only, never personal data.
-- Portable SQL (INTEGER 0/1 for ok); newest first by `at` (ISO-8601 UTC text sorts as time).
CREATE TABLE IF NOT EXISTS verification_runs (
    run_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    tree_size BIGINT NOT NULL,
    checkpoints_checked INTEGER NOT NULL,
    first_bad_position BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verification_runs_at ON verification_runs (at);
