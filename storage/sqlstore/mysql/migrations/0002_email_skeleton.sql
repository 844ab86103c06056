-- Clientele schema, version 2, MySQL 8 / MariaDB 10.11: the look-alike key
-- of each customer's email (customer.EmailSkeleton, a hex SHA-256 of its
-- UTS #39 skeleton), so that registration can find live customers whose
-- address looks alike. Rows written before this version have '' until their
-- next write. Without partial indexes, the index leads with the key and
-- filters deleted rows by deleted_at within it. Two statements, because
-- TiDB cannot index a column in the ALTER TABLE that adds it.
ALTER TABLE {{prefix}}customers ADD COLUMN email_skeleton VARBINARY(64) NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}customers ADD KEY {{prefix}}customers_live_skeleton (email_skeleton, has_account, created_at, id)
