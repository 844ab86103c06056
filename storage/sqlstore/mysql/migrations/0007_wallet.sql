-- Clientele schema, version 7, MySQL 8 / MariaDB 10.11 / TiDB: saved
-- payment sources (package wallet). Token references only, never card
-- numbers; the billing address and the metadata are JSON text. At most one
-- default source per customer: a unique key over a stored column that is
-- NULL for the other sources (MySQL has no partial indexes).
CREATE TABLE {{prefix}}payment_sources (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    customer_id     CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    provider        VARBINARY(256) NOT NULL,
    token_ref       VARBINARY(1024) NOT NULL,
    source_type     VARBINARY(32) NOT NULL,
    brand           VARBINARY(256) NOT NULL,
    last4           VARBINARY(16) NOT NULL,
    exp_month       BIGINT NOT NULL,
    exp_year        BIGINT NOT NULL,
    billing_address MEDIUMBLOB NULL,
    is_default      BOOLEAN NOT NULL,
    metadata        MEDIUMBLOB NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    default_key     TINYINT AS (IF(is_default, 1, NULL)) STORED,
    KEY {{prefix}}payment_sources_customer (customer_id, created_at, id),
    UNIQUE KEY {{prefix}}payment_sources_default (customer_id, default_key),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
