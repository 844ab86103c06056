-- Clientele schema, version 7, PostgreSQL: saved payment sources (package
-- wallet). Token references only, never card numbers; the billing address
-- and the metadata are JSON text. At most one default source per customer.
CREATE TABLE {{prefix}}payment_sources (
    id              UUID PRIMARY KEY,
    customer_id     UUID NOT NULL REFERENCES {{prefix}}customers (id),
    provider        TEXT NOT NULL,
    token_ref       TEXT NOT NULL,
    source_type     TEXT NOT NULL,
    brand           TEXT NOT NULL,
    last4           TEXT NOT NULL,
    exp_month       BIGINT NOT NULL,
    exp_year        BIGINT NOT NULL,
    billing_address TEXT,
    is_default      BOOLEAN NOT NULL,
    metadata        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}payment_sources_customer ON {{prefix}}payment_sources (customer_id, created_at, id)
-- statement
CREATE UNIQUE INDEX {{prefix}}payment_sources_default ON {{prefix}}payment_sources (customer_id) WHERE is_default
