-- Clientele schema, version 12, PostgreSQL: B2B company accounts (package
-- company). An auto-join domain belongs to one company (company_domains);
-- a member's spend is the sum of its reservations, read under the lock of
-- the member's row; one approval per host order.
CREATE TABLE {{prefix}}companies (
    id                  UUID PRIMARY KEY,
    name                TEXT NOT NULL,
    tax_id              TEXT NOT NULL,
    billing_address     TEXT NOT NULL,
    shipping_address    TEXT NOT NULL,
    payment_terms_days  BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    credit_limit        BIGINT NOT NULL,
    price_list_ref      TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    auto_join_domains   TEXT NOT NULL,
    billing_customer_id UUID,
    metadata            TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}companies_billing ON {{prefix}}companies (billing_customer_id)
-- statement
CREATE TABLE {{prefix}}company_domains (
    domain     TEXT PRIMARY KEY,
    company_id UUID NOT NULL
)
-- statement
CREATE INDEX {{prefix}}company_domains_company ON {{prefix}}company_domains (company_id)
-- statement
CREATE TABLE {{prefix}}company_members (
    company_id    UUID NOT NULL REFERENCES {{prefix}}companies (id),
    customer_id   UUID NOT NULL REFERENCES {{prefix}}customers (id),
    role          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    per_order     BIGINT,
    period        TEXT,
    period_amount BIGINT,
    joined        BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    lock_seq      BIGINT NOT NULL,
    CONSTRAINT {{prefix}}company_members_pkey PRIMARY KEY (company_id, customer_id)
)
-- statement
CREATE INDEX {{prefix}}company_members_customer ON {{prefix}}company_members (customer_id, joined, company_id)
-- statement
CREATE TABLE {{prefix}}company_reservations (
    order_id    TEXT PRIMARY KEY,
    company_id  UUID NOT NULL,
    customer_id UUID NOT NULL,
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    at          BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}company_reservations_member ON {{prefix}}company_reservations (company_id, customer_id, at)
-- statement
CREATE TABLE {{prefix}}company_approvals (
    id           UUID PRIMARY KEY,
    company_id   UUID NOT NULL,
    order_id     TEXT NOT NULL,
    buyer_id     UUID NOT NULL,
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    approver_id  UUID,
    decided_at   BIGINT,
    order_params TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL
)
-- statement
CREATE UNIQUE INDEX {{prefix}}company_approvals_order ON {{prefix}}company_approvals (order_id)
-- statement
CREATE INDEX {{prefix}}company_approvals_pending ON {{prefix}}company_approvals (company_id, status, created_at, id)
