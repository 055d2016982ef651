-- The audit findings (issue 9): the audit_findings view, from AuditFinding events, and the
-- state of rules A01 (paid after death) and A02 (paid after termination or in a suspended
-- month). Each rule writes only its own tables; a rebuild of one rule clears only them.
CREATE TABLE IF NOT EXISTS audit_findings (
    finding_id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    match_key TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    street TEXT,
    case_id TEXT,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,
    raised_position BIGINT NOT NULL,
    raised_on TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    resolved_position BIGINT,
    resolved_on TEXT,
    resolved_at TEXT,
    dispositions TEXT NOT NULL,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_findings_rule ON audit_findings (rule, status);
CREATE INDEX IF NOT EXISTS audit_findings_street ON audit_findings (street, status);
CREATE INDEX IF NOT EXISTS audit_findings_order ON audit_findings (raised_position, finding_id);

-- Payouts as the payout rules see them: live while scheduled or settled and not recovered.
CREATE TABLE IF NOT EXISTS audit_a01_payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    month TEXT NOT NULL,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    payee TEXT,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a01_payouts_case ON audit_a01_payouts (case_id);
CREATE INDEX IF NOT EXISTS audit_a01_payouts_payee ON audit_a01_payouts (payee);
CREATE TABLE IF NOT EXISTS audit_a01_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    programme TEXT NOT NULL,
    counted TEXT NOT NULL,
    last_review_on TEXT
);
CREATE TABLE IF NOT EXISTS audit_a01_members (
    person_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (person_id, case_id)
);
CREATE TABLE IF NOT EXISTS audit_a01_reports (
    notification_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a01_deaths (
    person_id TEXT PRIMARY KEY,
    death_month TEXT NOT NULL,
    position BIGINT NOT NULL
);
-- The review a member's death forces within 3 months: pending, overdue, done or moot.
CREATE TABLE IF NOT EXISTS audit_a01_reviews (
    case_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    review_due TEXT NOT NULL,
    status TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX IF NOT EXISTS audit_a01_reviews_due ON audit_a01_reviews (status, review_due);

CREATE TABLE IF NOT EXISTS audit_a02_payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    month TEXT NOT NULL,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    payee TEXT,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a02_payouts_case ON audit_a02_payouts (case_id);
-- A case's termination and its suspensions ([from, until) months, until NULL while open).
CREATE TABLE IF NOT EXISTS audit_a02_cases (
    case_id TEXT PRIMARY KEY,
    terminated_from TEXT,
    terminated_position BIGINT,
    suspensions TEXT NOT NULL
);
