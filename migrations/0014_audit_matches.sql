-- What the audit rules (projections/audit, DOMAIN.md section 4) currently find: one row per
-- rule and defect. A rule writes only its own rows (a rebuild of one rule clears only them);
-- the findings themselves, with their lifecycle, are AuditFinding events raised from these.
CREATE TABLE IF NOT EXISTS audit_matches (
    finding_id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    match_key TEXT NOT NULL,
    severity TEXT NOT NULL,
    street TEXT,
    case_id TEXT,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,
    matched INTEGER NOT NULL,
    raised_position BIGINT NOT NULL,
    raised_on TEXT,
    resolved_position BIGINT,
    UNIQUE (rule, match_key)
);
CREATE INDEX IF NOT EXISTS audit_matches_rule ON audit_matches (rule, matched);
