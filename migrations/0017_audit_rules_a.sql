-- The state audit rules A03-A08 (projections/audit/a03_* .. a08_*) keep beside audit_matches.
-- Each rule owns its tables: a rebuild of one rule empties only them and its matches.

-- A03: every payout's settlements, and the counted members of the exclusive cases it pays.
CREATE TABLE IF NOT EXISTS audit_a03_payouts (
    payout_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    month TEXT NOT NULL,
    street TEXT,
    amount_fen BIGINT NOT NULL,
    paid_times INTEGER NOT NULL,
    recovered_fen BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    last_on TEXT
);
CREATE INDEX IF NOT EXISTS audit_a03_payouts_case ON audit_a03_payouts (case_id, month);
CREATE TABLE IF NOT EXISTS audit_a03_members (
    case_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX IF NOT EXISTS audit_a03_members_person ON audit_a03_members (person_id);

-- A04: a counted member's place in an exclusive (DIBAO, TEKUN) case, once confirmed.
CREATE TABLE IF NOT EXISTS audit_a04_places (
    case_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    programme TEXT NOT NULL,
    street TEXT,
    first_month TEXT,
    until_month TEXT,
    confirmed_position BIGINT,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX IF NOT EXISTS audit_a04_places_person ON audit_a04_places (person_id);

-- A05: the parameters the asset limits come from, as each rule saw them.
CREATE TABLE IF NOT EXISTS audit_a05_schedules (
    schedule_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a05_parameters (
    name TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    version INTEGER NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name, effective_from, version)
);

-- A05, A06, A07: what each rule needs of a case, as JSON (facts only a rule reads).
CREATE TABLE IF NOT EXISTS audit_a05_cases (
    case_id TEXT PRIMARY KEY, street TEXT, facts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a06_cases (
    case_id TEXT PRIMARY KEY, street TEXT, facts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a07_cases (
    case_id TEXT PRIMARY KEY, street TEXT, facts TEXT NOT NULL
);

-- A08: the investigation deadline (queried on every business day) beside the case's facts,
-- the holiday notices recorded in the ledger, and the last business day seen.
CREATE TABLE IF NOT EXISTS audit_a08_cases (
    case_id TEXT PRIMARY KEY,
    street TEXT,
    accepted_on TEXT,
    investigation_due TEXT,
    due_provisional INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    facts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_a08_cases_due ON audit_a08_cases (waiting, investigation_due);
CREATE TABLE IF NOT EXISTS audit_a08_calendar (
    year INTEGER PRIMARY KEY, off TEXT NOT NULL, work TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_a08_clock (
    id INTEGER PRIMARY KEY, last_day TEXT NOT NULL, position BIGINT NOT NULL
);
