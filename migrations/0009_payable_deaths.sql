-- Verified deaths as the payable_cases view knows them, so a payroll run refuses the months
-- after a death even when the case never recorded it (a death verified before confirmation).
CREATE TABLE IF NOT EXISTS payable_deaths (
    notification_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    death_month TEXT,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS payable_deaths_person ON payable_deaths (person_id);

-- The schedule now also keeps the payee and the gradual exit's end, and the view learns
-- deaths: rebuild it from the ledger (the runner replays it from position 0 on start).
-- confirmed_position: a standard change recomputes only cases confirmed before it was set.
ALTER TABLE payable_cases ADD COLUMN confirmed_position BIGINT;
DELETE FROM payable_cases;
DELETE FROM projection_tracking WHERE name = 'payable_cases';
