-- Due dates counted Monday to Friday for want of a holiday notice (JSON list of column names),
-- the denial notice date, and the holiday notices the case_summary view has seen (it recomputes
-- provisional dates with them). Portable SQL: the same file runs on SQLite and PostgreSQL.
ALTER TABLE case_summary ADD COLUMN provisional TEXT NOT NULL DEFAULT '[]';
ALTER TABLE case_summary ADD COLUMN denial_notice_due TEXT;

CREATE TABLE IF NOT EXISTS case_summary_calendar (
    year INTEGER PRIMARY KEY,
    off TEXT NOT NULL,
    work TEXT NOT NULL,
    reference TEXT NOT NULL,
    position BIGINT NOT NULL
);
