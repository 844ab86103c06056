-- Clientele schema, version 16, SQLite: timed group memberships
-- (group.Validity, storage.TimedMemberships). A membership counts in
-- [valid_from, valid_until), in microseconds since the Unix epoch like the
-- other time columns; NULL means since always and forever. The queries
-- judge a window at the service's clock, passed as a parameter, never the
-- database's; the lists keep walking the existing membership indexes and
-- check the window on each row.
ALTER TABLE {{prefix}}memberships ADD COLUMN valid_from INTEGER
-- statement
ALTER TABLE {{prefix}}memberships ADD COLUMN valid_until INTEGER
