-- Clientele schema, version 10, SQLite: credit lots of expiring store
-- credit (balance.Lot). A posting may carry an expiry; every credit makes a
-- lot; debits take from the lots. expires_at is 9223372036854775807 for a
-- lot that never expires; due_at is expires_at while an expiring lot has
-- something left and NULL otherwise, so the expiry run's index holds only
-- the lots it may still have to expire.
ALTER TABLE {{prefix}}balance_postings ADD COLUMN expires_at INTEGER
-- statement
CREATE TABLE {{prefix}}balance_lots (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES {{prefix}}balance_accounts (id),
    amount     INTEGER NOT NULL,
    remaining  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    due_at     INTEGER,
    created_at INTEGER NOT NULL,
    sequence   INTEGER NOT NULL,
    CONSTRAINT {{prefix}}balance_lots_remaining CHECK (amount > 0 AND remaining >= 0 AND remaining <= amount)
)
-- statement
CREATE INDEX {{prefix}}balance_lots_account ON {{prefix}}balance_lots (account_id, remaining)
-- statement
CREATE INDEX {{prefix}}balance_lots_due ON {{prefix}}balance_lots (due_at, id)
-- statement
-- The balance an account already has becomes one lot that never expires,
-- with the account's ID, so that the balance equals the sum of the lots.
INSERT INTO {{prefix}}balance_lots (id, account_id, amount, remaining, expires_at, due_at, created_at, sequence)
    SELECT id, id, balance, balance, 9223372036854775807, NULL, updated_at, 0
    FROM {{prefix}}balance_accounts WHERE balance > 0
