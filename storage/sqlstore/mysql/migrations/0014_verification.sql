-- Clientele schema, version 14, MySQL 8 / MariaDB 10.11 / TiDB: identity
-- verification (KYC / KYB, package verification). One record per subject
-- (customer or merchant, no foreign key: the subject's kind says which
-- table), the lock of its changes; its append-only history of reviews, one
-- per version; and a market's demand for verified customers.
CREATE TABLE {{prefix}}verifications (
    subject_kind VARBINARY(16) NOT NULL,
    subject_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status       VARBINARY(16) NOT NULL,
    reason       BLOB NOT NULL,
    reviewer     VARBINARY(1024) NOT NULL,
    risk_flags   BLOB NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id),
    KEY {{prefix}}verifications_status (subject_kind, status, updated_at, subject_id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}verification_reviews (
    subject_kind VARBINARY(16) NOT NULL,
    subject_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version      BIGINT NOT NULL,
    from_status  VARBINARY(16) NOT NULL,
    to_status    VARBINARY(16) NOT NULL,
    reason       BLOB NOT NULL,
    reviewer     VARBINARY(1024) NOT NULL,
    reviewed_at  BIGINT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, version)
) ENGINE=InnoDB
-- statement
ALTER TABLE {{prefix}}markets ADD COLUMN require_verified BOOLEAN NOT NULL DEFAULT FALSE
