// Package sqltest holds the tests that every SQL engine of sqlstore runs, for
// the dialect packages' own tests to call on their database:
//
//   - Conformance runs the storage conformance suite (storagetest). Each store
//     a test asks for gets its own table prefix in the run's database,
//     migrated from scratch, so subtests never see each other's rows; the
//     dialect's own test drops the whole database or schema at the end.
//   - Migrations checks Migrate (twice, and from two processes at once),
//     SchemaVersion, WriteMigrations applied by hand, and table prefixes.
//   - Bind checks that a store bound to a host's transaction commits and
//     rolls back with the host's own writes.
//   - Bench compares the adapter's hot operations with the same SQL written
//     by hand; the SQL texts (queries.go) are checked against what the
//     repositories run by storage/sqlstore's own tests, and explained by the
//     PostgreSQL plan test.
package sqltest
