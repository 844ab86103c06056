-- Clientele schema, version 13, MySQL 8 / MariaDB 10.11 / TiDB: marketplace
-- roles. A customer may be a member of merchants (owner, admin, staff),
-- operator staff, and one of a vendor's own customers; a group may be owned
-- by a merchant (the adapter checks the owner exists under a shared lock;
-- groups, created before merchants, carry no foreign key to them).
CREATE TABLE {{prefix}}merchant_members (
    merchant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    role        VARBINARY(16) NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, customer_id),
    KEY {{prefix}}merchant_members_list (merchant_id, created_at, customer_id),
    KEY {{prefix}}merchant_members_customer (customer_id),
    FOREIGN KEY (merchant_id) REFERENCES {{prefix}}merchants (id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}operator_staff (
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    role        VARBINARY(16) NOT NULL,
    since       BIGINT NOT NULL,
    KEY {{prefix}}operator_staff_list (since, customer_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}vendor_customers (
    merchant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    since       BIGINT NOT NULL,
    source      VARBINARY(16) NOT NULL,
    PRIMARY KEY (merchant_id, customer_id),
    KEY {{prefix}}vendor_customers_list (merchant_id, since, customer_id),
    KEY {{prefix}}vendor_customers_customer (customer_id),
    FOREIGN KEY (merchant_id) REFERENCES {{prefix}}merchants (id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN owner_merchant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL
-- statement
CREATE INDEX {{prefix}}groups_owner ON {{prefix}}groups (owner_merchant_id, created_at, id)
