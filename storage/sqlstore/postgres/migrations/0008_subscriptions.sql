-- Clientele schema, version 8, PostgreSQL: references to the host's
-- subscriptions (package subscription), keyed by the host's ID.
CREATE TABLE {{prefix}}subscriptions (
    id                TEXT PRIMARY KEY,
    customer_id       UUID NOT NULL REFERENCES {{prefix}}customers (id),
    plan              TEXT NOT NULL,
    status            TEXT NOT NULL,
    next_charge_at    BIGINT,
    payment_source_id UUID,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}subscriptions_customer ON {{prefix}}subscriptions (customer_id, created_at, id)
-- statement
CREATE INDEX {{prefix}}subscriptions_source ON {{prefix}}subscriptions (payment_source_id)
