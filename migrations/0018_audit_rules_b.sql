-- The state audit rules A09-A14 (projections/audit/a09_* .. a14_*) keep to decide: pending
-- deadlines, what a payout should have been, who received payouts on which account. Each rule
-- owns its tables (a rebuild of one rule clears only them). Portable SQL: both backends.

-- A09: each case's processing deadline (30 or 45 working days from submission).
CREATE TABLE IF NOT EXISTS audit_a09_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    case_due TEXT NOT NULL,
    provisional INTEGER NOT NULL,
    extended INTEGER NOT NULL,
    decided INTEGER NOT NULL,
    fired INTEGER NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a09_pending ON audit_a09_cases (decided, fired, case_due);
CREATE TABLE IF NOT EXISTS audit_a09_calendar (
    year INTEGER PRIMARY KEY,
    off TEXT NOT NULL,
    work TEXT NOT NULL
);

-- A10: each active case's next periodic review due.
CREATE TABLE IF NOT EXISTS audit_a10_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    active INTEGER NOT NULL,
    review_due TEXT,
    fired INTEGER NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a10_pending ON audit_a10_cases (active, fired, review_due);

-- A11: each case's gradual exit, and whether the case is still running.
CREATE TABLE IF NOT EXISTS audit_a11_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    until_month TEXT,
    ends_on TEXT,
    active INTEGER NOT NULL,
    fired INTEGER NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a11_pending ON audit_a11_cases (active, fired, ends_on);

-- A12: what each case's amount is computed from, the standards' dated values, the payouts.
CREATE TABLE IF NOT EXISTS audit_a12_cases (
    case_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    assessment TEXT,
    first_month TEXT,
    adjustments TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a12_parameters (
    schedule_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a12_standards (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS audit_a12_payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    month TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    paid INTEGER NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a12_payouts_case ON audit_a12_payouts (case_id, month);

-- A13: advance aid awaiting its paperwork, grants per household, the window parameter.
CREATE TABLE IF NOT EXISTS audit_a13_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    household TEXT NOT NULL,
    paperwork_due TEXT,
    fired INTEGER NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a13_pending ON audit_a13_cases (fired, paperwork_due);
CREATE TABLE IF NOT EXISTS audit_a13_grants (
    case_id TEXT PRIMARY KEY,
    household TEXT NOT NULL,
    granted_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a13_grants_on ON audit_a13_grants (granted_on);
CREATE TABLE IF NOT EXISTS audit_a13_windows (
    version INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL,
    days INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a13_schedules (
    schedule_id TEXT PRIMARY KEY
);

-- A14: which case received a payout on which account; the account only as a keyed digest.
CREATE TABLE IF NOT EXISTS audit_a14_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT NOT NULL,
    members TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a14_accounts (
    account_digest TEXT NOT NULL,
    case_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (account_digest, case_id)
);
CREATE TABLE IF NOT EXISTS audit_a14_payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL
);
