-- Read side: the tracking position of each projection and the first three views.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE IF NOT EXISTS projection_tracking (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    events_applied BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    error TEXT,
    error_position BIGINT
);

CREATE TABLE IF NOT EXISTS case_summary (
    case_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    district TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    kin_of_staff INTEGER NOT NULL,
    household_size INTEGER NOT NULL,
    counted_members INTEGER NOT NULL,
    applicant_name TEXT,
    applicant_id_number TEXT,
    submitted_on TEXT NOT NULL,
    accepted_on TEXT,
    investigation_started_on TEXT,
    investigation_due TEXT,
    decision_due TEXT,
    case_due TEXT,
    extended INTEGER NOT NULL DEFAULT 0,
    notice_from TEXT,
    notice_to TEXT,
    notice_closed_on TEXT,
    decided_on TEXT,
    income_per_head_fen BIGINT,
    monthly_amount_fen BIGINT NOT NULL DEFAULT 0,
    parameters TEXT,
    first_paid_month TEXT,
    next_review_due TEXT,
    suspended_from TEXT,
    gradual_exit_until TEXT,
    terminated_month TEXT,
    termination_reason TEXT,
    open_warnings INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_summary_street ON case_summary (street, status);
CREATE INDEX IF NOT EXISTS case_summary_programme ON case_summary (programme, status);

CREATE TABLE IF NOT EXISTS case_timeline (
    position BIGINT PRIMARY KEY,
    case_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    backdated INTEGER NOT NULL,
    actor_user TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_unit TEXT,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_timeline_case ON case_timeline (case_id, version);

CREATE TABLE IF NOT EXISTS person_enrolment (
    person_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    programme TEXT NOT NULL,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    PRIMARY KEY (person_id, case_id)
);
CREATE INDEX IF NOT EXISTS person_enrolment_active ON person_enrolment (person_id, status);
