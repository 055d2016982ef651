-- The personal-data access record (PIPL Art. 55-56): one row per subject and request that was
-- shown personal data in full, written before the answer is sent (api/access_record.py).
-- `seq` orders the rows (newest first when read); `fields` is a JSON list of kinds.
CREATE TABLE IF NOT EXISTS personal_data_access (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    person_id TEXT,
    case_id TEXT,
    fields TEXT NOT NULL,
    purpose TEXT NOT NULL,
    request_id TEXT,
    via TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS personal_data_access_user ON personal_data_access (user_id, seq);
CREATE INDEX IF NOT EXISTS personal_data_access_person ON personal_data_access (person_id, seq);
CREATE INDEX IF NOT EXISTS personal_data_access_case ON personal_data_access (case_id, seq);
CREATE INDEX IF NOT EXISTS personal_data_access_time ON personal_data_access (recorded_at);
