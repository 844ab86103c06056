-- Clientele schema, version 15, SQLite: the record of each customer's
-- erasure (storage.Privacy): who erased it, when and why, one row per
-- customer, kept apart from the outbox so that pruning events never loses
-- it. merged is a JSON array of the IDs of the customers merged into it
-- that were erased with it.
CREATE TABLE {{prefix}}erasures (
    customer_id TEXT NOT NULL,
    erased_at   INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    merged      TEXT NOT NULL,
    CONSTRAINT {{prefix}}erasures_pkey PRIMARY KEY (customer_id)
)
