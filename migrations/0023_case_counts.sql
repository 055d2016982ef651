-- case_counts (issue 12): the caseload and the yearly confirmations kept as counters by the
-- projection, so `caseload` and `supervisionKpis` read a few rows instead of scanning
-- case_summary on every request. `case_counts_cases` holds what each case contributes now,
-- so an event moves its case from one counter row to another.
CREATE TABLE IF NOT EXISTS case_counts_cases (
    case_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    status TEXT NOT NULL,
    people INTEGER NOT NULL,
    monthly_fen BIGINT NOT NULL DEFAULT 0,
    decided_on TEXT,
    first_paid_month TEXT,
    terminated_month TEXT
);

-- caseload: cases, their counted people and the monthly amount of the active ones.
CREATE TABLE IF NOT EXISTS case_counts (
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    status TEXT NOT NULL,
    cases BIGINT NOT NULL,
    people BIGINT NOT NULL,
    monthly_fen BIGINT NOT NULL,
    PRIMARY KEY (programme, street, community, status)
);

-- Confirmed cases (a first paid month) by the year of the decision and the year of the
-- termination (0: not terminated): confirmed in a year, and in payment at a year's end.
CREATE TABLE IF NOT EXISTS case_counts_confirmed (
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    decided_year INTEGER NOT NULL,
    terminated_year INTEGER NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (programme, street, decided_year, terminated_year)
);

-- The cases page is keyset-paged on case_id under a filter: with the filter's columns and
-- then case_id in one index, a page (the first or a deep one) is read in order from the
-- index, instead of sorting every matching case for each page.
DROP INDEX IF EXISTS case_summary_programme;
DROP INDEX IF EXISTS case_summary_street;
CREATE INDEX IF NOT EXISTS case_summary_programme_page ON case_summary (programme, status, case_id);
CREATE INDEX IF NOT EXISTS case_summary_street_page ON case_summary (street, status, case_id);
