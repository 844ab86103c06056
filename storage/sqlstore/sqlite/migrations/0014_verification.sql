-- Clientele schema, version 14, SQLite: identity verification (KYC / KYB,
-- package verification). One record per subject (customer or merchant, no
-- foreign key: the subject's kind says which table); its append-only
-- history of reviews, one per version; and a market's demand for verified
-- customers.
CREATE TABLE {{prefix}}verifications (
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    reviewer     TEXT NOT NULL,
    risk_flags   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
)
-- statement
CREATE INDEX {{prefix}}verifications_status ON {{prefix}}verifications (subject_kind, status, updated_at, subject_id)
-- statement
CREATE TABLE {{prefix}}verification_reviews (
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    reviewer     TEXT NOT NULL,
    reviewed_at  INTEGER NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, version)
)
-- statement
ALTER TABLE {{prefix}}markets ADD COLUMN require_verified INTEGER NOT NULL DEFAULT 0
