-- Clientele schema, version 8, MySQL 8 / MariaDB 10.11 / TiDB: references
-- to the host's subscriptions (package subscription), keyed by the host's
-- ID, compared byte by byte.
CREATE TABLE {{prefix}}subscriptions (
    id                VARBINARY(400) NOT NULL PRIMARY KEY,
    customer_id       CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    plan              VARBINARY(400) NOT NULL,
    status            VARBINARY(32) NOT NULL,
    next_charge_at    BIGINT NULL,
    payment_source_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL,
    KEY {{prefix}}subscriptions_customer (customer_id, created_at, id),
    KEY {{prefix}}subscriptions_source (payment_source_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
