-- Clientele schema, version 1, MySQL 8 / MariaDB 10.11.
-- Times are BIGINT microseconds since the Unix epoch, UTC; amounts are BIGINT
-- minor units beside their ISO 4217 currency; IDs are UUIDs made in Go,
-- stored as CHAR(36) ascii_bin.
-- Text is VARBINARY/BLOB: compared byte by byte. (MySQL's utf8mb4 collations
-- fold case or accents, and MariaDB's utf8mb4_bin ignores trailing spaces.)
-- MySQL has no partial indexes: unique keys that hold only for live rows or
-- default addresses index a generated column that is NULL otherwise (NULLs
-- never collide in a unique index).
CREATE TABLE {{prefix}}customers (
    id               CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    email            VARBINARY(1024) NOT NULL,
    email_display    VARBINARY(1024) NOT NULL,
    has_account      BOOLEAN NOT NULL,
    status           VARBINARY(32) NOT NULL,
    state            VARBINARY(32) NOT NULL,
    type             VARBINARY(32) NOT NULL,
    first_name       VARBINARY(512) NOT NULL,
    last_name        VARBINARY(512) NOT NULL,
    search_name      BLOB NOT NULL,
    phone            VARBINARY(64) NOT NULL,
    company          VARBINARY(1024) NOT NULL,
    vat_id           VARBINARY(64) NOT NULL,
    note             MEDIUMBLOB NOT NULL,
    tags             MEDIUMBLOB NOT NULL,
    metadata         MEDIUMBLOB NOT NULL,
    reference        VARBINARY(1024) NOT NULL,
    reference_origin VARBINARY(1024) NOT NULL,
    order_count      BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    deleted_at       BIGINT NULL,
    version          BIGINT NOT NULL,
    live             TINYINT AS (IF(deleted_at IS NULL, 1, NULL)) STORED,
    live_reference   TINYINT AS (IF(deleted_at IS NULL AND reference <> '', 1, NULL)) STORED,
    UNIQUE KEY {{prefix}}customers_live_email (email, has_account, live),
    UNIQUE KEY {{prefix}}customers_live_reference (reference_origin, reference, live_reference),
    KEY {{prefix}}customers_created (created_at, id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}customer_tags (
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    tag         VARBINARY(256) NOT NULL,
    PRIMARY KEY (customer_id, tag),
    KEY {{prefix}}customer_tags_tag (tag, customer_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id) ON DELETE CASCADE
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}addresses (
    id               CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    customer_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    first_name       VARBINARY(512) NOT NULL,
    last_name        VARBINARY(512) NOT NULL,
    company          VARBINARY(1024) NOT NULL,
    line1            VARBINARY(1024) NOT NULL,
    line2            VARBINARY(1024) NOT NULL,
    city             VARBINARY(1024) NOT NULL,
    postal_code      VARBINARY(128) NOT NULL,
    province         VARBINARY(512) NOT NULL,
    country          VARBINARY(8) NOT NULL,
    phone            VARBINARY(64) NOT NULL,
    default_shipping BOOLEAN NOT NULL,
    default_billing  BOOLEAN NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    is_shipping      TINYINT AS (IF(default_shipping, 1, NULL)) STORED,
    is_billing       TINYINT AS (IF(default_billing, 1, NULL)) STORED,
    KEY {{prefix}}addresses_customer (customer_id, created_at, id),
    UNIQUE KEY {{prefix}}addresses_default_shipping (customer_id, is_shipping),
    UNIQUE KEY {{prefix}}addresses_default_billing (customer_id, is_billing),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}groups (
    id          CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    name        VARBINARY(512) NOT NULL,
    name_key    VARBINARY(1024) NOT NULL,
    description BLOB NOT NULL,
    metadata    MEDIUMBLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    UNIQUE KEY {{prefix}}groups_name_key (name_key),
    KEY {{prefix}}groups_created (created_at, id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}memberships (
    group_id            CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id         CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    group_created_at    BIGINT NOT NULL,
    customer_created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, customer_id),
    KEY {{prefix}}memberships_group_order (group_id, customer_created_at, customer_id),
    KEY {{prefix}}memberships_customer_order (customer_id, group_created_at, group_id),
    FOREIGN KEY (group_id) REFERENCES {{prefix}}groups (id) ON DELETE CASCADE,
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id) ON DELETE CASCADE
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}merchants (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    name            VARBINARY(1024) NOT NULL,
    billing_address MEDIUMBLOB NOT NULL,
    metadata        MEDIUMBLOB NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    KEY {{prefix}}merchants_created (created_at, id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}markets (
    id                  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    merchant_id         CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    code                VARBINARY(256) NOT NULL,
    name                VARBINARY(1024) NOT NULL,
    business_model      VARBINARY(32) NOT NULL,
    currency            VARBINARY(8) NOT NULL,
    price_list_ref      VARBINARY(1024) NOT NULL,
    inventory_model_ref VARBINARY(1024) NOT NULL,
    disabled            BOOLEAN NOT NULL,
    access_groups       MEDIUMBLOB NOT NULL,
    metadata            MEDIUMBLOB NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL,
    UNIQUE KEY {{prefix}}markets_code (code),
    KEY {{prefix}}markets_created (created_at, id),
    KEY {{prefix}}markets_merchant (merchant_id),
    FOREIGN KEY (merchant_id) REFERENCES {{prefix}}merchants (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}market_groups (
    market_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    group_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (market_id, group_id),
    KEY {{prefix}}market_groups_group (group_id),
    FOREIGN KEY (market_id) REFERENCES {{prefix}}markets (id) ON DELETE CASCADE,
    FOREIGN KEY (group_id) REFERENCES {{prefix}}groups (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}balance_accounts (
    id           CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    customer_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    currency     VARBINARY(8) NOT NULL,
    balance      BIGINT NOT NULL,
    credit_limit BIGINT NOT NULL,
    postings     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    UNIQUE KEY {{prefix}}balance_accounts_customer_currency (customer_id, currency),
    CONSTRAINT {{prefix}}balance_accounts_floor CHECK (credit_limit >= 0 AND balance >= -credit_limit),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}balance_postings (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    account_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id     CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sequence        BIGINT NOT NULL,
    kind            VARBINARY(64) NOT NULL,
    amount          BIGINT NOT NULL,
    ending_balance  BIGINT NOT NULL,
    reference       VARBINARY(1024) NOT NULL,
    idempotency_key VARBINARY(1024) NULL,
    actor           VARBINARY(1024) NOT NULL,
    note            BLOB NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE KEY {{prefix}}balance_postings_sequence (account_id, sequence),
    UNIQUE KEY {{prefix}}balance_postings_idempotency_key (account_id, idempotency_key),
    FOREIGN KEY (account_id) REFERENCES {{prefix}}balance_accounts (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}orders (
    id          VARBINARY(400) NOT NULL PRIMARY KEY,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    number      VARBINARY(400) NOT NULL,
    status      VARBINARY(32) NOT NULL,
    total       BIGINT NOT NULL,
    currency    VARBINARY(8) NOT NULL,
    market_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    channel     VARBINARY(200) NOT NULL,
    placed_at   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    KEY {{prefix}}orders_customer (customer_id, placed_at, id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
