-- Clientele schema, version 10, MySQL (and TiDB): credit lots of expiring
-- store credit (balance.Lot). A posting may carry an expiry; every credit
-- makes a lot; debits take from the lots. expires_at is
-- 9223372036854775807 for a lot that never expires; due_at is expires_at
-- while an expiring lot has something left and NULL otherwise, so the
-- expiry run's index holds only the lots it may still have to expire
-- (MySQL has no partial indexes).
ALTER TABLE {{prefix}}balance_postings ADD COLUMN expires_at BIGINT NULL
-- statement
CREATE TABLE {{prefix}}balance_lots (
    id         CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    account_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount     BIGINT NOT NULL,
    remaining  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    due_at     BIGINT NULL,
    created_at BIGINT NOT NULL,
    sequence   BIGINT NOT NULL,
    KEY {{prefix}}balance_lots_account (account_id, remaining),
    KEY {{prefix}}balance_lots_due (due_at, id),
    CONSTRAINT {{prefix}}balance_lots_remaining CHECK (amount > 0 AND remaining >= 0 AND remaining <= amount),
    FOREIGN KEY (account_id) REFERENCES {{prefix}}balance_accounts (id)
) ENGINE=InnoDB
-- statement
-- The balance an account already has becomes one lot that never expires,
-- with the account's ID, so that the balance equals the sum of the lots.
INSERT INTO {{prefix}}balance_lots (id, account_id, amount, remaining, expires_at, due_at, created_at, sequence)
    SELECT id, id, balance, balance, 9223372036854775807, NULL, updated_at, 0
    FROM {{prefix}}balance_accounts WHERE balance > 0
