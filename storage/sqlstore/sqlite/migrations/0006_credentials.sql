-- Clientele schema, version 6, SQLite: credentials (package credential).
-- customers.has_password mirrors whether credentials hold a password.
-- Passwords are stored as the hash the services computed; tokens as the
-- SHA-256 hash of their secret, never the secret.
ALTER TABLE {{prefix}}customers ADD COLUMN has_password INTEGER NOT NULL DEFAULT 0
-- statement
CREATE TABLE {{prefix}}credentials (
    customer_id       TEXT PRIMARY KEY REFERENCES {{prefix}}customers (id),
    password_hash     TEXT NOT NULL,
    password_set_at   INTEGER,
    failed_logins     INTEGER NOT NULL,
    last_failed_at    INTEGER,
    locked_until      INTEGER,
    last_login_at     INTEGER,
    verified_email    TEXT NOT NULL,
    email_verified_at INTEGER,
    session_version   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL
)
-- statement
CREATE TABLE {{prefix}}identities (
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
)
-- statement
CREATE INDEX {{prefix}}identities_customer ON {{prefix}}identities (customer_id)
-- statement
CREATE TABLE {{prefix}}auth_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL,
    purpose     TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    email       TEXT NOT NULL,
    guest_id    TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
)
-- statement
CREATE UNIQUE INDEX {{prefix}}auth_tokens_hash ON {{prefix}}auth_tokens (token_hash)
-- statement
CREATE INDEX {{prefix}}auth_tokens_customer ON {{prefix}}auth_tokens (customer_id, purpose)
-- statement
CREATE INDEX {{prefix}}auth_tokens_expires ON {{prefix}}auth_tokens (expires_at)
-- statement
CREATE INDEX {{prefix}}auth_tokens_guest ON {{prefix}}auth_tokens (guest_id)
