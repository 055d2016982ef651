-- Indexes for the views' per-event lookups that had none (issue 12; bench/rebuild.py).
-- person_enrolment's key is (person_id, case_id): a confirmation, denial or termination
-- updates its case's rows by case_id alone, which scanned the whole table on every event,
-- so a rebuild's cost grew with the square of the caseload.
CREATE INDEX IF NOT EXISTS person_enrolment_case ON person_enrolment (case_id);
