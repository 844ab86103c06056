-- Clientele schema, version 3: idempotency records (storage.Idempotency).
-- One row per (scope, key): what a creating request produced, written in
-- the same transaction as what it describes. Text is VARBINARY, compared
-- byte by byte, like every key of version 1.
CREATE TABLE {{prefix}}idempotency_records (
    scope       VARBINARY(64) NOT NULL,
    request_key VARBINARY(255) NOT NULL,
    fingerprint VARBINARY(128) NOT NULL,
    result      VARBINARY(255) NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (scope, request_key)
) ENGINE=InnoDB
