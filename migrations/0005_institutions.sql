-- Care institutions and bed conversions (DOMAIN.md 3.4, 四床融合).
-- Portable SQL: the same file runs on SQLite and PostgreSQL (INTEGER 0/1 for flags).
-- Bed types are data, so beds live in child tables keyed by (institution, bed type).
-- No personal data: institutions are organisations; inspectors are user ids.

-- One row per institution: where it stands now.
CREATE TABLE IF NOT EXISTS institution (
    institution_id TEXT PRIMARY KEY,
    district TEXT NOT NULL,
    name TEXT NOT NULL,
    street TEXT NOT NULL,
    medical_capability INTEGER NOT NULL,
    filed_on TEXT NOT NULL,
    grade INTEGER,
    grade_awarded_on TEXT,
    grade_valid_until TEXT,
    grade_evidence TEXT,
    caregivers INTEGER,
    certified_caregivers INTEGER,
    staff_reported_on TEXT,
    fire_certificate_ref TEXT,
    fire_safety_valid_until TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS institution_street ON institution (street, grade);

-- Beds per type now, and those reserved by approved conversions not yet completed.
CREATE TABLE IF NOT EXISTS institution_beds (
    institution_id TEXT NOT NULL,
    bed_type TEXT NOT NULL,
    beds INTEGER NOT NULL,
    reserved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, bed_type)
);

-- Every change of a bed count, dated by its business date: beds as of any day are the sum.
CREATE TABLE IF NOT EXISTS institution_bed_changes (
    position BIGINT NOT NULL,
    institution_id TEXT NOT NULL,
    bed_type TEXT NOT NULL,
    delta INTEGER NOT NULL,
    effective_on TEXT NOT NULL,
    PRIMARY KEY (position, bed_type)
);
CREATE INDEX IF NOT EXISTS institution_bed_changes_on ON institution_bed_changes (effective_on);

-- Every grade awarded, so the grading rate can be asked as of any day.
CREATE TABLE IF NOT EXISTS institution_grades (
    position BIGINT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    grade INTEGER NOT NULL,
    awarded_on TEXT NOT NULL,
    valid_until TEXT NOT NULL
);

-- Every staff report, so the certified-caregiver share can be asked as of any day.
CREATE TABLE IF NOT EXISTS institution_staff (
    position BIGINT PRIMARY KEY,
    institution_id TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    caregivers INTEGER NOT NULL,
    certified_caregivers INTEGER NOT NULL
);

-- The conversion pipeline: one row per conversion.
CREATE TABLE IF NOT EXISTS bed_conversion (
    conversion_id TEXT PRIMARY KEY,
    district TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    street TEXT NOT NULL,
    from_type TEXT NOT NULL,
    to_type TEXT NOT NULL,
    number INTEGER NOT NULL,
    reason TEXT,
    status TEXT NOT NULL,
    applied_on TEXT NOT NULL,
    inspections INTEGER NOT NULL DEFAULT 0,
    inspected_on TEXT,
    inspection_passed INTEGER,
    inspectors TEXT,
    approved_on TEXT,
    decision_ref TEXT,
    rejected_on TEXT,
    rejection_reasons TEXT,
    completed_on TEXT,
    completed_year INTEGER,
    subsidised_beds INTEGER NOT NULL DEFAULT 0,
    subsidy_fen BIGINT NOT NULL DEFAULT 0,
    last_subsidy_on TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bed_conversion_status ON bed_conversion (status, completed_year);
CREATE INDEX IF NOT EXISTS bed_conversion_institution ON bed_conversion (institution_id);
