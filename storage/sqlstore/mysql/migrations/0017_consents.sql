-- Clientele schema, version 17, MySQL 8 / MariaDB 10.11 / TiDB:
-- communication consent (package consent). consent_heads holds one row per
-- customer with consent records: the lock of its history and the last
-- Seq. consent_records is the append-only history; the token hash of a
-- double opt-in (empty for none) is the SHA-256 of its secret, never the
-- secret.
CREATE TABLE {{prefix}}consent_heads (
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (customer_id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}consent_records (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id     CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq             BIGINT NOT NULL,
    channel         VARBINARY(16) NOT NULL,
    purpose         VARBINARY(16) NOT NULL,
    status          VARBINARY(16) NOT NULL,
    at              BIGINT NOT NULL,
    actor           VARBINARY(1024) NOT NULL,
    source          VARBINARY(256) NOT NULL,
    wording_version VARBINARY(256) NOT NULL,
    ip              VARBINARY(256) NOT NULL,
    user_agent      BLOB NOT NULL,
    note            BLOB NOT NULL,
    token_hash      VARBINARY(32) NOT NULL,
    expires_at      BIGINT NOT NULL,
    confirms        VARBINARY(36) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY {{prefix}}consent_records_seq (customer_id, seq),
    KEY {{prefix}}consent_records_pair (customer_id, channel, purpose, at, seq),
    KEY {{prefix}}consent_records_token (token_hash)
) ENGINE=InnoDB
