-- Clientele schema, version 1, PostgreSQL (also CockroachDB).
-- Times are BIGINT microseconds since the Unix epoch, UTC; amounts are BIGINT
-- minor units beside their ISO 4217 currency; IDs are UUIDs made in Go; text
-- is stored byte-exact. JSON (tags, metadata, addresses) is TEXT.
CREATE TABLE {{prefix}}customers (
    id               UUID PRIMARY KEY,
    email            TEXT NOT NULL,
    email_display    TEXT NOT NULL,
    has_account      BOOLEAN NOT NULL,
    status           TEXT NOT NULL,
    state            TEXT NOT NULL,
    type             TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    search_name      TEXT NOT NULL,
    phone            TEXT NOT NULL,
    company          TEXT NOT NULL,
    vat_id           TEXT NOT NULL,
    note             TEXT NOT NULL,
    tags             TEXT NOT NULL,
    metadata         TEXT NOT NULL,
    reference        TEXT NOT NULL,
    reference_origin TEXT NOT NULL,
    order_count      BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    deleted_at       BIGINT,
    version          BIGINT NOT NULL
)
-- statement
CREATE UNIQUE INDEX {{prefix}}customers_live_email ON {{prefix}}customers (email, has_account) WHERE deleted_at IS NULL
-- statement
CREATE UNIQUE INDEX {{prefix}}customers_live_reference ON {{prefix}}customers (reference_origin, reference)
    WHERE deleted_at IS NULL AND reference <> ''
-- statement
CREATE INDEX {{prefix}}customers_created ON {{prefix}}customers (created_at, id)
-- statement
CREATE TABLE {{prefix}}customer_tags (
    customer_id UUID NOT NULL REFERENCES {{prefix}}customers (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
)
-- statement
CREATE INDEX {{prefix}}customer_tags_tag ON {{prefix}}customer_tags (tag, customer_id)
-- statement
CREATE TABLE {{prefix}}addresses (
    id               UUID PRIMARY KEY,
    customer_id      UUID NOT NULL REFERENCES {{prefix}}customers (id),
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    company          TEXT NOT NULL,
    line1            TEXT NOT NULL,
    line2            TEXT NOT NULL,
    city             TEXT NOT NULL,
    postal_code      TEXT NOT NULL,
    province         TEXT NOT NULL,
    country          TEXT NOT NULL,
    phone            TEXT NOT NULL,
    default_shipping BOOLEAN NOT NULL,
    default_billing  BOOLEAN NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}addresses_customer ON {{prefix}}addresses (customer_id, created_at, id)
-- statement
CREATE UNIQUE INDEX {{prefix}}addresses_default_shipping ON {{prefix}}addresses (customer_id) WHERE default_shipping
-- statement
CREATE UNIQUE INDEX {{prefix}}addresses_default_billing ON {{prefix}}addresses (customer_id) WHERE default_billing
-- statement
CREATE TABLE {{prefix}}groups (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    CONSTRAINT {{prefix}}groups_name_key UNIQUE (name_key)
)
-- statement
CREATE INDEX {{prefix}}groups_created ON {{prefix}}groups (created_at, id)
-- statement
CREATE TABLE {{prefix}}memberships (
    group_id            UUID NOT NULL REFERENCES {{prefix}}groups (id) ON DELETE CASCADE,
    customer_id         UUID NOT NULL REFERENCES {{prefix}}customers (id) ON DELETE CASCADE,
    group_created_at    BIGINT NOT NULL,
    customer_created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, customer_id)
)
-- statement
CREATE INDEX {{prefix}}memberships_group_order ON {{prefix}}memberships (group_id, customer_created_at, customer_id)
-- statement
CREATE INDEX {{prefix}}memberships_customer_order ON {{prefix}}memberships (customer_id, group_created_at, group_id)
-- statement
CREATE TABLE {{prefix}}merchants (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL,
    billing_address TEXT NOT NULL,
    metadata        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}merchants_created ON {{prefix}}merchants (created_at, id)
-- statement
CREATE TABLE {{prefix}}markets (
    id                  UUID PRIMARY KEY,
    merchant_id         UUID NOT NULL REFERENCES {{prefix}}merchants (id),
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    business_model      TEXT NOT NULL,
    currency            TEXT NOT NULL,
    price_list_ref      TEXT NOT NULL,
    inventory_model_ref TEXT NOT NULL,
    disabled            BOOLEAN NOT NULL,
    access_groups       TEXT NOT NULL,
    metadata            TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL,
    CONSTRAINT {{prefix}}markets_code UNIQUE (code)
)
-- statement
CREATE INDEX {{prefix}}markets_created ON {{prefix}}markets (created_at, id)
-- statement
CREATE INDEX {{prefix}}markets_merchant ON {{prefix}}markets (merchant_id)
-- statement
CREATE TABLE {{prefix}}market_groups (
    market_id UUID NOT NULL REFERENCES {{prefix}}markets (id) ON DELETE CASCADE,
    group_id  UUID NOT NULL REFERENCES {{prefix}}groups (id),
    PRIMARY KEY (market_id, group_id)
)
-- statement
CREATE INDEX {{prefix}}market_groups_group ON {{prefix}}market_groups (group_id)
-- statement
CREATE TABLE {{prefix}}balance_accounts (
    id           UUID PRIMARY KEY,
    customer_id  UUID NOT NULL REFERENCES {{prefix}}customers (id),
    currency     TEXT NOT NULL,
    balance      BIGINT NOT NULL,
    credit_limit BIGINT NOT NULL,
    postings     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    CONSTRAINT {{prefix}}balance_accounts_customer_currency UNIQUE (customer_id, currency),
    CONSTRAINT {{prefix}}balance_accounts_floor CHECK (credit_limit >= 0 AND balance >= -credit_limit)
)
-- statement
CREATE TABLE {{prefix}}balance_postings (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES {{prefix}}balance_accounts (id),
    customer_id     UUID NOT NULL,
    sequence        BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    ending_balance  BIGINT NOT NULL,
    reference       TEXT NOT NULL,
    idempotency_key TEXT,
    actor           TEXT NOT NULL,
    note            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT {{prefix}}balance_postings_sequence UNIQUE (account_id, sequence),
    CONSTRAINT {{prefix}}balance_postings_idempotency_key UNIQUE (account_id, idempotency_key)
)
-- statement
CREATE TABLE {{prefix}}orders (
    id          TEXT PRIMARY KEY,
    customer_id UUID NOT NULL REFERENCES {{prefix}}customers (id),
    number      TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    market_id   UUID,
    channel     TEXT NOT NULL,
    placed_at   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}orders_customer ON {{prefix}}orders (customer_id, placed_at, id)
