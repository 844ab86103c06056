-- Clientele schema, version 20, PostgreSQL (also CockroachDB): open lots in
-- the order debits take from them. open_expires_at is the lot's expires_at
-- while the lot has something left, NULL once it is emptied; the index
-- holds each account's open lots sorted by (open_expires_at, sequence), the
-- order of balance.CompareLots, so that a debit finds the first of them
-- without sorting every open lot of the account, and the emptied lots,
-- which accumulate, stay out of it. Adding the stored column rewrites
-- balance_lots once.
ALTER TABLE {{prefix}}balance_lots ADD COLUMN open_expires_at BIGINT
    GENERATED ALWAYS AS (CASE WHEN remaining > 0 THEN expires_at END) STORED
-- statement
CREATE INDEX {{prefix}}balance_lots_open ON {{prefix}}balance_lots (account_id, open_expires_at, sequence)
    WHERE open_expires_at IS NOT NULL
-- statement
-- The lots of an account by due time: the check, under a posting's lock,
-- whether some are due reads the account's due lots only (due_at is NULL
-- for the others), where the index it replaces, on (account_id,
-- remaining), held every open lot of the account under the range it read.
-- It also serves Lots (every lot of an account) and the foreign key.
CREATE INDEX {{prefix}}balance_lots_account_due ON {{prefix}}balance_lots (account_id, due_at)
-- statement
DROP INDEX {{prefix}}balance_lots_account
