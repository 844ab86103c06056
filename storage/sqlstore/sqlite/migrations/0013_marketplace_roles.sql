-- Clientele schema, version 13, SQLite: marketplace roles. A customer may be
-- a member of merchants (owner, admin, staff), operator staff, and one of a
-- vendor's own customers; a group may be owned by a merchant (the adapter
-- checks the owner exists; groups carry no foreign key to merchants).
CREATE TABLE {{prefix}}merchant_members (
    merchant_id TEXT NOT NULL REFERENCES {{prefix}}merchants (id),
    customer_id TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    role        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, customer_id)
)
-- statement
CREATE INDEX {{prefix}}merchant_members_list ON {{prefix}}merchant_members (merchant_id, created_at, customer_id)
-- statement
CREATE INDEX {{prefix}}merchant_members_customer ON {{prefix}}merchant_members (customer_id)
-- statement
CREATE TABLE {{prefix}}operator_staff (
    customer_id TEXT PRIMARY KEY REFERENCES {{prefix}}customers (id),
    role        TEXT NOT NULL,
    since       INTEGER NOT NULL
)
-- statement
CREATE INDEX {{prefix}}operator_staff_list ON {{prefix}}operator_staff (since, customer_id)
-- statement
CREATE TABLE {{prefix}}vendor_customers (
    merchant_id TEXT NOT NULL REFERENCES {{prefix}}merchants (id),
    customer_id TEXT NOT NULL REFERENCES {{prefix}}customers (id),
    since       INTEGER NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (merchant_id, customer_id)
)
-- statement
CREATE INDEX {{prefix}}vendor_customers_list ON {{prefix}}vendor_customers (merchant_id, since, customer_id)
-- statement
CREATE INDEX {{prefix}}vendor_customers_customer ON {{prefix}}vendor_customers (customer_id)
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN owner_merchant_id TEXT
-- statement
CREATE INDEX {{prefix}}groups_owner ON {{prefix}}groups (owner_merchant_id, created_at, id)
