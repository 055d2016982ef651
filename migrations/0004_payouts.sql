-- Payouts (DOMAIN.md 3.3): what each confirmed case is paid, by month, and the payroll runs.
CREATE TABLE IF NOT EXISTS payable_cases (
    case_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    schedule TEXT NOT NULL,
    confirmed_on TEXT,
    payee TEXT,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS payable_cases_programme ON payable_cases (programme);

CREATE TABLE IF NOT EXISTS payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    month TEXT NOT NULL,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    payee_account TEXT,
    bank_reference TEXT,
    failure_reason TEXT,
    recovered_fen BIGINT NOT NULL DEFAULT 0,
    computed_from_position BIGINT NOT NULL,
    scheduled_on TEXT NOT NULL,
    settled_on TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS payouts_case ON payouts (case_id, month);
CREATE INDEX IF NOT EXISTS payouts_run ON payouts (run_id, status);
CREATE INDEX IF NOT EXISTS payouts_month ON payouts (month, programme);

CREATE TABLE IF NOT EXISTS payroll_runs (
    run_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    payouts INTEGER NOT NULL DEFAULT 0,
    total_fen BIGINT NOT NULL DEFAULT 0,
    settled INTEGER NOT NULL DEFAULT 0,
    settled_fen BIGINT NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    failed_fen BIGINT NOT NULL DEFAULT 0,
    skipped TEXT,
    started_by TEXT NOT NULL,
    started_on TEXT NOT NULL,
    approved_by TEXT,
    approved_on TEXT,
    reconciled_on TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL
);
