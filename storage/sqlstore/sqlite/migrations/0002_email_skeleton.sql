-- Clientele schema, version 2, SQLite: the look-alike key of each customer's
-- email (customer.EmailSkeleton, a hex SHA-256 of its UTS #39 skeleton), so
-- that registration can find live customers whose address looks alike.
-- Rows written before this version have '' until their next write.
ALTER TABLE {{prefix}}customers ADD COLUMN email_skeleton TEXT NOT NULL DEFAULT ''
-- statement
CREATE INDEX {{prefix}}customers_live_skeleton ON {{prefix}}customers (email_skeleton, has_account, created_at, id)
    WHERE deleted_at IS NULL
