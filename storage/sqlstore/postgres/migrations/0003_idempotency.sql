-- Clientele schema, version 3: idempotency records (storage.Idempotency).
-- One row per (scope, key): what a creating request produced, written in
-- the same transaction as what it describes.
CREATE TABLE {{prefix}}idempotency_records (
    scope       TEXT NOT NULL,
    request_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT {{prefix}}idempotency_records_pkey PRIMARY KEY (scope, request_key)
)
