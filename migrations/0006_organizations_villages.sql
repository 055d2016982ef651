-- Social organisations (DOMAIN.md 3.5, 社会组织) and village conversions (3.6, 撤村转居).
-- Portable SQL: the same file runs on SQLite and PostgreSQL (INTEGER 0/1 for flags).
-- No personal data: organisations and villages are not people.
CREATE TABLE IF NOT EXISTS organizations (
    organization_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organization_type TEXT NOT NULL,
    district TEXT NOT NULL,
    street TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    grade TEXT,
    graded_on TEXT,
    grade_valid_until TEXT,
    grade_revoked_on TEXT,
    last_inspection_year INTEGER,
    last_inspection_result TEXT,
    liquidation_started_on TEXT,
    ended_on TEXT,
    end_reason TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organizations_street ON organizations (street, organization_type);

-- One row per annual inspection (年检), so the figures can be asked as of any date.
CREATE TABLE IF NOT EXISTS organization_inspections (
    organization_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    result TEXT NOT NULL,
    concluded_on TEXT NOT NULL,
    PRIMARY KEY (organization_id, year)
);

-- One row per grade decision (等级评估); a revocation or a later grade ends it early.
CREATE TABLE IF NOT EXISTS organization_grades (
    organization_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    grade TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    ended_on TEXT,
    end_reason TEXT,
    PRIMARY KEY (organization_id, position)
);

CREATE TABLE IF NOT EXISTS village_conversions (
    conversion_id TEXT PRIMARY KEY,
    district TEXT NOT NULL,
    street TEXT NOT NULL,
    village TEXT NOT NULL,
    tasks TEXT NOT NULL,
    step TEXT NOT NULL,
    step_number INTEGER NOT NULL,
    initiated_on TEXT NOT NULL,
    assets_fen BIGINT,
    liabilities_fen BIGINT,
    net_assets_fen BIGINT,
    assets_verified_on TEXT,
    members INTEGER,
    membership_confirmed_on TEXT,
    entity_name TEXT,
    shareholders INTEGER,
    restructured_on TEXT,
    votes_held INTEGER NOT NULL DEFAULT 0,
    vote_eligible INTEGER,
    vote_present INTEGER,
    vote_for INTEGER,
    vote_against INTEGER,
    vote_share_permille INTEGER,
    vote_threshold_permille INTEGER,
    vote_passed INTEGER,
    vote_parameters TEXT,
    voted_on TEXT,
    deregistration_ref TEXT,
    deregistered_on TEXT,
    committee_name TEXT,
    committee_established_on TEXT,
    completed_on TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
