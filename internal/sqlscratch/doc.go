// Package sqlscratch lists, empties and drops the tables that sqlstore's
// migrations create, for the module's tests: a test suite that migrates a
// store once and empties it between tests instead of migrating one per test
// (a migration is a few seconds of DDL on MariaDB and far more on TiDB;
// emptying is one statement per table).
package sqlscratch
