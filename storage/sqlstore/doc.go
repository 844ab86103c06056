// Package sqlstore implements the storage contract (package storage) over
// database/sql, for PostgreSQL, SQLite and MySQL/MariaDB. The queries are
// shared; what differs between engines lives in a small Dialect, one per
// engine package:
//
//   - storage/sqlstore/sqlite: the embedded default (modernc.org/sqlite,
//     pure Go);
//   - storage/sqlstore/postgres: PostgreSQL 12+ through pgx, and CockroachDB;
//   - storage/sqlstore/mysql: MySQL 8 and MariaDB 10.11+.
//
// The host owns its *sql.DB; no exported signature names a driver type:
//
//	db, err := sqlite.Open("shop.db")
//	err = sqlstore.Migrate(ctx, db, sqlite.Dialect)
//	store, err := sqlstore.New(db, sqlite.Dialect)
//	svc := clientele.New(store)
//
// # Schema and migrations
//
// Migrate applies the dialect's embedded, versioned migrations; it is
// idempotent and safe to run from several processes at once. Hosts that
// manage their schema with goose, golang-migrate or atlas get the same
// migrations as files from WriteMigrations (or Migrations). WithTablePrefix
// lets the tables live beside the host's own.
//
// The invariants live in the schema: unique live (canonical email,
// has_account) and (reference_origin, reference) — partial indexes, or on
// MySQL unique indexes over generated columns that are NULL for deleted
// rows; byte-exact text comparison (MySQL stores text as VARBINARY);
// at most one default shipping and one default billing address per
// customer; unique memberships and idempotency keys; foreign keys; and a
// balance floor kept by a conditional UPDATE and a CHECK. Money is stored
// as BIGINT minor units, times as BIGINT microseconds since the Unix epoch
// (UTC, the precision every engine keeps), IDs as UUIDs made in Go.
//
// # Transactions
//
// Store.Atomic runs its function in one transaction and runs it again after
// a serialization failure, deadlock, lock timeout or busy database
// (SQLSTATE 40001, 40P01 and 55P03, MySQL 1213 and 1205, MariaDB 1020,
// SQLITE_BUSY), or a connection lost before COMMIT was sent (SQLSTATE
// 57P01, 57P02, 57P03 and class 08, MySQL's invalid connection,
// driver.ErrBadConn, a reset connection), with exponential backoff and full
// jitter, bounded by the context, WithRetries and, for lock timeouts and
// busy databases, WithLockTimeout (then the error wraps
// storage.ErrLockTimeout). Reads outside Atomic are retried the same way.
//
// When the context ends before COMMIT, nothing is committed and the error
// wraps ctx.Err(). When COMMIT fails by a lost connection or an ended
// context, the outcome is unknown: the error wraps storage.ErrCommitUnknown,
// the cause and ctx.Err(), and the function does not run again. A
// one-statement write outside Atomic whose connection is lost while it
// runs reports storage.ErrCommitUnknown too, unless the driver returned
// driver.ErrBadConn (nothing ran), when it runs again. Writes that
// take several statements run in a transaction of their own when called
// outside Atomic. Conflicts are told from the affected-row count of an
// insert that does nothing on a duplicate key, so that an expected
// conflict never aborts a PostgreSQL transaction; driver errors are
// classified by code, never by message, and stay wrapped for errors.As.
//
// Store.Bind runs the store on a host's *sql.Tx, so that the host's own
// writes and Clientele's commit or roll back together.
//
// # Cost
//
// Statements are prepared once per store and, by database/sql, once per
// connection. A read by key is one round trip; a write that can be one
// statement is one. docs/BENCHMARKS.md compares every hot path with the
// same statement written by hand.
package sqlstore
