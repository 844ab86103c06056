-- Clientele schema, version 13, PostgreSQL: marketplace roles. A customer may
-- be a member of merchants (owner, admin, staff), operator staff, and one of
-- a vendor's own customers; a group may be owned by a merchant (the adapter
-- checks the owner exists under a shared lock: groups, created before
-- merchants, carry no foreign key to them). Constraints
-- are named (short) so that a long table prefix never cuts them.
CREATE TABLE {{prefix}}merchant_members (
    merchant_id UUID NOT NULL,
    customer_id UUID NOT NULL,
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT {{prefix}}merchant_members_pkey PRIMARY KEY (merchant_id, customer_id),
    CONSTRAINT {{prefix}}mmembers_merchant_fkey FOREIGN KEY (merchant_id) REFERENCES {{prefix}}merchants (id),
    CONSTRAINT {{prefix}}mmembers_customer_fkey FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
)
-- statement
CREATE INDEX {{prefix}}merchant_members_list ON {{prefix}}merchant_members (merchant_id, created_at, customer_id)
-- statement
CREATE INDEX {{prefix}}merchant_members_customer ON {{prefix}}merchant_members (customer_id)
-- statement
CREATE TABLE {{prefix}}operator_staff (
    customer_id UUID NOT NULL,
    role        TEXT NOT NULL,
    since       BIGINT NOT NULL,
    CONSTRAINT {{prefix}}operator_staff_pkey PRIMARY KEY (customer_id),
    CONSTRAINT {{prefix}}operator_customer_fkey FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
)
-- statement
CREATE INDEX {{prefix}}operator_staff_list ON {{prefix}}operator_staff (since, customer_id)
-- statement
CREATE TABLE {{prefix}}vendor_customers (
    merchant_id UUID NOT NULL,
    customer_id UUID NOT NULL,
    since       BIGINT NOT NULL,
    source      TEXT NOT NULL,
    CONSTRAINT {{prefix}}vendor_customers_pkey PRIMARY KEY (merchant_id, customer_id),
    CONSTRAINT {{prefix}}vcustomers_merchant_fkey FOREIGN KEY (merchant_id) REFERENCES {{prefix}}merchants (id),
    CONSTRAINT {{prefix}}vcustomers_customer_fkey FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
)
-- statement
CREATE INDEX {{prefix}}vendor_customers_list ON {{prefix}}vendor_customers (merchant_id, since, customer_id)
-- statement
CREATE INDEX {{prefix}}vendor_customers_customer ON {{prefix}}vendor_customers (customer_id)
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN owner_merchant_id UUID
-- statement
CREATE INDEX {{prefix}}groups_owner ON {{prefix}}groups (owner_merchant_id, created_at, id)
