-- Temporary assistance (DOMAIN.md 3.2, 临时救助): one row per case.
-- Portable SQL: the same file runs on SQLite and PostgreSQL (INTEGER 0/1 for flags).
-- The only personal data are the applicant's name and ID number, masked by role in GraphQL.
CREATE TABLE IF NOT EXISTS temporary_case (
    case_id TEXT PRIMARY KEY,
    assistance_type TEXT NOT NULL,
    district TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    status TEXT NOT NULL,
    applicant_person_id TEXT NOT NULL,
    applicant_name TEXT,
    applicant_id_number TEXT,
    household_size INTEGER NOT NULL,
    requested_on TEXT NOT NULL,
    checked_on TEXT,
    home_visits INTEGER NOT NULL DEFAULT 0,
    amount_fen BIGINT NOT NULL DEFAULT 0,
    paid_on TEXT,
    paid_year INTEGER,
    approver_level TEXT,
    cap_fen BIGINT,
    street_limit_fen BIGINT,
    over_cap INTEGER NOT NULL DEFAULT 0,
    case_conference_ref TEXT,
    case_conference_on TEXT,
    parameters TEXT,
    paperwork_due TEXT,
    paperwork_on TEXT,
    paperwork_late INTEGER,
    decided_on TEXT,
    closed_on TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS temporary_case_paid ON temporary_case (paid_year, assistance_type, street);
CREATE INDEX IF NOT EXISTS temporary_case_applicant ON temporary_case (applicant_person_id);
