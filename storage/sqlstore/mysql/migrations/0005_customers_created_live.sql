-- Clientele schema, version 5, MySQL 8 / MariaDB 10.11 / TiDB: the index
-- that keyset pages of customers walk also holds deleted_at, the filter
-- every list applies. InnoDB reads the rows in index order and stops at the
-- page's end either way; TiDB's storage layer cannot stop at a LIMIT below
-- a filter on the table's rows, and without deleted_at in the index it read
-- every entry after the cursor (or scanned the table). Two statements: add
-- the new index, then drop the old one.
ALTER TABLE {{prefix}}customers ADD KEY {{prefix}}customers_created_live (created_at, id, deleted_at)
-- statement
ALTER TABLE {{prefix}}customers DROP KEY {{prefix}}customers_created
