-- Clientele schema, version 11, MySQL 8 / MariaDB 10.11 / TiDB: customer
-- merges. A tombstone leads from a merged customer (deleted, kept) to its
-- survivor, by the merged customer's old ID, canonical email or external
-- reference.
CREATE TABLE {{prefix}}customer_tombstones (
    merged_id        CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    survivor_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email            VARBINARY(1024) NOT NULL,
    has_account      BOOLEAN NOT NULL,
    reference_origin VARBINARY(1024) NOT NULL,
    reference        VARBINARY(1024) NOT NULL,
    actor            VARBINARY(1024) NOT NULL,
    merged_at        BIGINT NOT NULL,
    KEY {{prefix}}tombstones_survivor (survivor_id),
    KEY {{prefix}}tombstones_email (email, has_account, merged_at),
    KEY {{prefix}}tombstones_reference (reference_origin, reference, merged_at),
    FOREIGN KEY (merged_id) REFERENCES {{prefix}}customers (id),
    FOREIGN KEY (survivor_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
