-- Clientele schema, version 17, SQLite: communication consent (package
-- consent). consent_heads holds one row per customer with consent records:
-- the lock of its history and the last Seq. consent_records is the
-- append-only history; the token hash of a double opt-in (empty for none)
-- is the SHA-256 of its secret, never the secret.
CREATE TABLE {{prefix}}consent_heads (
    customer_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    CONSTRAINT {{prefix}}consent_heads_pkey PRIMARY KEY (customer_id)
)
-- statement
CREATE TABLE {{prefix}}consent_records (
    id              TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    status          TEXT NOT NULL,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    source          TEXT NOT NULL,
    wording_version TEXT NOT NULL,
    ip              TEXT NOT NULL,
    user_agent      TEXT NOT NULL,
    note            TEXT NOT NULL,
    token_hash      BLOB NOT NULL,
    expires_at      INTEGER NOT NULL,
    confirms        TEXT NOT NULL,
    CONSTRAINT {{prefix}}consent_records_pkey PRIMARY KEY (id)
)
-- statement
CREATE UNIQUE INDEX {{prefix}}consent_records_seq ON {{prefix}}consent_records (customer_id, seq)
-- statement
CREATE INDEX {{prefix}}consent_records_pair ON {{prefix}}consent_records (customer_id, channel, purpose, at, seq)
-- statement
CREATE INDEX {{prefix}}consent_records_token ON {{prefix}}consent_records (token_hash)
