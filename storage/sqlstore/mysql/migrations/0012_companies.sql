-- Clientele schema, version 12, MySQL 8 / MariaDB 10.11 / TiDB: B2B company
-- accounts (package company). An auto-join domain belongs to one company
-- (company_domains); a member's spend is the sum of its reservations, read
-- under the lock of the member's row; one approval per host order.
CREATE TABLE {{prefix}}companies (
    id                  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    name                VARBINARY(1024) NOT NULL,
    tax_id              VARBINARY(256) NOT NULL,
    billing_address     MEDIUMBLOB NOT NULL,
    shipping_address    MEDIUMBLOB NOT NULL,
    payment_terms_days  BIGINT NOT NULL,
    currency            VARBINARY(8) NOT NULL,
    credit_limit        BIGINT NOT NULL,
    price_list_ref      VARBINARY(512) NOT NULL,
    time_zone           VARBINARY(256) NOT NULL,
    auto_join_domains   MEDIUMBLOB NOT NULL,
    billing_customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    metadata            MEDIUMBLOB NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL,
    KEY {{prefix}}companies_billing (billing_customer_id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}company_domains (
    domain     VARBINARY(512) NOT NULL PRIMARY KEY,
    company_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    KEY {{prefix}}company_domains_company (company_id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}company_members (
    company_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    role          VARBINARY(32) NOT NULL,
    currency      VARBINARY(8) NOT NULL,
    per_order     BIGINT NULL,
    period        VARBINARY(32) NULL,
    period_amount BIGINT NULL,
    joined        BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    lock_seq      BIGINT NOT NULL,
    PRIMARY KEY (company_id, customer_id),
    KEY {{prefix}}company_members_customer (customer_id, joined, company_id),
    FOREIGN KEY (company_id) REFERENCES {{prefix}}companies (id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}company_reservations (
    order_id    VARBINARY(400) NOT NULL PRIMARY KEY,
    company_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    currency    VARBINARY(8) NOT NULL,
    amount      BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    KEY {{prefix}}company_reservations_member (company_id, customer_id, at)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}company_approvals (
    id           CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    company_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    order_id     VARBINARY(400) NOT NULL,
    buyer_id     CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    currency     VARBINARY(8) NOT NULL,
    amount       BIGINT NOT NULL,
    status       VARBINARY(32) NOT NULL,
    reason       MEDIUMBLOB NOT NULL,
    approver_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    decided_at   BIGINT NULL,
    order_params MEDIUMBLOB NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    UNIQUE KEY {{prefix}}company_approvals_order (order_id),
    KEY {{prefix}}company_approvals_pending (company_id, status, created_at, id)
) ENGINE=InnoDB
