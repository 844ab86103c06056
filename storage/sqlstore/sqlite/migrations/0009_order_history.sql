-- Clientele schema, version 9, SQLite: the fuller order history (package
-- order): each order's returns, exchanges and refunds in one table keyed by
-- (order, kind, ID), and each customer's order statistics per currency,
-- with an index on (currency, spent, customer) for lists by spend. The
-- statistics start from the orders already recorded (every order counts,
-- the services' default).
CREATE TABLE {{prefix}}order_details (
    order_id    TEXT NOT NULL REFERENCES {{prefix}}orders (id),
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    status      TEXT NOT NULL,
    type        TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    destination TEXT NOT NULL,
    reason      TEXT NOT NULL,
    return_id   TEXT NOT NULL,
    posting_id  TEXT,
    at          INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT {{prefix}}order_details_pkey PRIMARY KEY (order_id, kind, id)
)
-- statement
CREATE TABLE {{prefix}}order_stats (
    customer_id    TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    currency       TEXT NOT NULL,
    order_count    INTEGER NOT NULL,
    spent          INTEGER NOT NULL,
    refunded       INTEGER NOT NULL,
    first_order_at INTEGER,
    last_order_at  INTEGER,
    CONSTRAINT {{prefix}}order_stats_pkey PRIMARY KEY (customer_id, currency)
)
-- statement
CREATE INDEX {{prefix}}order_stats_spend ON {{prefix}}order_stats (currency, spent, customer_id)
-- statement
INSERT INTO {{prefix}}order_stats (customer_id, currency, order_count, spent, refunded, first_order_at, last_order_at)
SELECT customer_id, currency, COUNT(*), SUM(total), 0, MIN(placed_at), MAX(placed_at)
FROM {{prefix}}orders GROUP BY customer_id, currency
