-- Clientele schema, version 8, SQLite: references to the host's
-- subscriptions (package subscription), keyed by the host's ID.
CREATE TABLE {{prefix}}subscriptions (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    plan              TEXT NOT NULL,
    status            TEXT NOT NULL,
    next_charge_at    INTEGER,
    payment_source_id TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL
)
-- statement
CREATE INDEX {{prefix}}subscriptions_customer ON {{prefix}}subscriptions (customer_id, created_at, id)
-- statement
CREATE INDEX {{prefix}}subscriptions_source ON {{prefix}}subscriptions (payment_source_id)
