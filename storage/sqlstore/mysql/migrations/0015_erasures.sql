-- Clientele schema, version 15, MySQL 8 / MariaDB 10.11 / TiDB: the record
-- of each customer's erasure (storage.Privacy): who erased it, when and
-- why, one row per customer, kept apart from the outbox so that pruning
-- events never loses it. merged is a JSON array of the IDs of the
-- customers merged into it that were erased with it.
CREATE TABLE {{prefix}}erasures (
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    erased_at   BIGINT NOT NULL,
    actor_kind  VARBINARY(32) NOT NULL,
    actor_id    VARBINARY(1024) NOT NULL,
    reason      BLOB NOT NULL,
    merged      MEDIUMBLOB NOT NULL,
    PRIMARY KEY (customer_id)
) ENGINE=InnoDB
