-- Whose key a verification used (projections/chain/verifications.py): `ledger`, the ledger's
-- own public key (a self-check: whoever rewrote the log could sign with it too), or `held`, a
-- key the auditor passed with --public-key; runs recorded before this file say `unrecorded`.
-- The key's fingerprint (SHA-256 of its text, 16 hex digits) and the auditor's held
-- checkpoints checked against the log.
ALTER TABLE verification_runs ADD COLUMN key_source TEXT NOT NULL DEFAULT 'unrecorded';
ALTER TABLE verification_runs ADD COLUMN key_fingerprint TEXT;
ALTER TABLE verification_runs ADD COLUMN held_checkpoints INTEGER NOT NULL DEFAULT 0;
