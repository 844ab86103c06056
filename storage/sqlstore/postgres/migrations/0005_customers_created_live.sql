-- Clientele schema, version 5, PostgreSQL: the index that keyset pages of
-- customers walk also holds deleted_at, the filter every list applies, as
-- on MySQL and TiDB (where TiDB needs it to stop a page's scan at its
-- LIMIT): the filter is then checked in the index, before the row is read.
CREATE INDEX {{prefix}}customers_created_live ON {{prefix}}customers (created_at, id, deleted_at)
-- statement
DROP INDEX {{prefix}}customers_created
