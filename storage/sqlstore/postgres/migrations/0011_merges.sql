-- Clientele schema, version 11, PostgreSQL: customer merges. A tombstone
-- leads from a merged customer (deleted, kept) to its survivor, by the
-- merged customer's old ID, canonical email or external reference.
CREATE TABLE {{prefix}}customer_tombstones (
    merged_id        UUID NOT NULL,
    survivor_id      UUID NOT NULL,
    email            TEXT NOT NULL,
    has_account      BOOLEAN NOT NULL,
    reference_origin TEXT NOT NULL,
    reference        TEXT NOT NULL,
    actor            TEXT NOT NULL,
    merged_at        BIGINT NOT NULL,
    CONSTRAINT {{prefix}}customer_tombstones_pkey PRIMARY KEY (merged_id),
    CONSTRAINT {{prefix}}tombstones_merged_fkey FOREIGN KEY (merged_id) REFERENCES {{prefix}}customers (id),
    CONSTRAINT {{prefix}}tombstones_survivor_fkey FOREIGN KEY (survivor_id) REFERENCES {{prefix}}customers (id)
)
-- statement
CREATE INDEX {{prefix}}tombstones_survivor ON {{prefix}}customer_tombstones (survivor_id)
-- statement
CREATE INDEX {{prefix}}tombstones_email ON {{prefix}}customer_tombstones (email, has_account, merged_at)
-- statement
CREATE INDEX {{prefix}}tombstones_reference ON {{prefix}}customer_tombstones (reference_origin, reference, merged_at)
