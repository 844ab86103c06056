-- Clientele schema, version 6, PostgreSQL: credentials (package
-- credential). customers.has_password mirrors whether credentials hold a
-- password. Passwords are stored as the hash the services computed;
-- tokens as the SHA-256 hash of their secret, never the secret.
ALTER TABLE {{prefix}}customers ADD COLUMN has_password BOOLEAN NOT NULL DEFAULT FALSE
-- statement
CREATE TABLE {{prefix}}credentials (
    customer_id       UUID PRIMARY KEY REFERENCES {{prefix}}customers (id),
    password_hash     TEXT NOT NULL,
    password_set_at   BIGINT,
    failed_logins     BIGINT NOT NULL,
    last_failed_at    BIGINT,
    locked_until      BIGINT,
    last_login_at     BIGINT,
    verified_email    TEXT NOT NULL,
    email_verified_at BIGINT,
    session_version   BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL
)
-- statement
CREATE TABLE {{prefix}}identities (
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    customer_id UUID NOT NULL REFERENCES {{prefix}}customers (id),
    linked_at   BIGINT NOT NULL,
    CONSTRAINT {{prefix}}identities_pkey PRIMARY KEY (provider, subject)
)
-- statement
CREATE INDEX {{prefix}}identities_customer ON {{prefix}}identities (customer_id)
-- statement
CREATE TABLE {{prefix}}auth_tokens (
    id          UUID PRIMARY KEY,
    token_hash  BYTEA NOT NULL,
    purpose     TEXT NOT NULL,
    customer_id UUID NOT NULL REFERENCES {{prefix}}customers (id),
    email       TEXT NOT NULL,
    guest_id    UUID,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT,
    CONSTRAINT {{prefix}}auth_tokens_hash UNIQUE (token_hash)
)
-- statement
CREATE INDEX {{prefix}}auth_tokens_customer ON {{prefix}}auth_tokens (customer_id, purpose)
-- statement
CREATE INDEX {{prefix}}auth_tokens_expires ON {{prefix}}auth_tokens (expires_at)
-- statement
CREATE INDEX {{prefix}}auth_tokens_guest ON {{prefix}}auth_tokens (guest_id)
