-- Clientele schema, version 6, MySQL 8 / MariaDB 10.11 / TiDB: credentials
-- (package credential). customers.has_password mirrors whether credentials
-- hold a password. Passwords are stored as the hash the services computed;
-- tokens as the SHA-256 hash of their secret, never the secret.
ALTER TABLE {{prefix}}customers ADD COLUMN has_password BOOLEAN NOT NULL DEFAULT FALSE
-- statement
CREATE TABLE {{prefix}}credentials (
    customer_id       CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    password_hash     VARBINARY(1024) NOT NULL,
    password_set_at   BIGINT NULL,
    failed_logins     BIGINT NOT NULL,
    last_failed_at    BIGINT NULL,
    locked_until      BIGINT NULL,
    last_login_at     BIGINT NULL,
    verified_email    VARBINARY(1024) NOT NULL,
    email_verified_at BIGINT NULL,
    session_version   BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL,
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}identities (
    provider    VARBINARY(64) NOT NULL,
    subject     VARBINARY(1024) NOT NULL,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    linked_at   BIGINT NOT NULL,
    PRIMARY KEY (provider, subject),
    KEY {{prefix}}identities_customer (customer_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}auth_tokens (
    id          CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    token_hash  BINARY(32) NOT NULL,
    purpose     VARBINARY(32) NOT NULL,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email       VARBINARY(1024) NOT NULL,
    guest_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NULL,
    revoked_at  BIGINT NULL,
    UNIQUE KEY {{prefix}}auth_tokens_hash (token_hash),
    KEY {{prefix}}auth_tokens_customer (customer_id, purpose),
    KEY {{prefix}}auth_tokens_expires (expires_at),
    KEY {{prefix}}auth_tokens_guest (guest_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
