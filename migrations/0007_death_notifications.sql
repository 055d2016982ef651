-- Death notifications (身后一件事, DOMAIN.md 3.7) and the cases each one touched.
CREATE TABLE IF NOT EXISTS death_notifications (
    notification_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    name TEXT,
    id_number TEXT,
    date_of_death TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    verified_on TEXT,
    retracted_on TEXT,
    retraction_reason TEXT,
    version INTEGER NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS death_notifications_person ON death_notifications (person_id);

CREATE TABLE IF NOT EXISTS death_consequences (
    notification_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    consequence TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (notification_id, case_id)
);
