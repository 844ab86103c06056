// Package postgres is the PostgreSQL dialect of storage/sqlstore, for
// PostgreSQL 12 and newer through github.com/jackc/pgx/v5/stdlib.
//
//	db, err := postgres.Open("postgres://user@host/db")
//	err = sqlstore.Migrate(ctx, db, postgres.Dialect)
//	store, err := sqlstore.New(db, postgres.Dialect)
//
// The suite runs at READ COMMITTED and at SERIALIZABLE (set
// default_transaction_isolation on the DSN); at SERIALIZABLE, statements
// and transactions that fail with SQLSTATE 40001 are run again.
//
// # CockroachDB
//
// The same dialect is meant to run unchanged on CockroachDB (23.1 and
// newer). What the schema and queries use, checked against CockroachDB's
// documentation and issue tracker (not run in CI, which has no CockroachDB):
//
//   - UUID, BIGINT, TEXT and BOOLEAN columns; IDs made in Go, no sequences
//     or SERIAL; times and money as BIGINT; one exception, the outbox's
//     insertion order (events.pos, GENERATED ALWAYS AS IDENTITY), which
//     CockroachDB backs with a sequence: its values grow with time, as the
//     outbox's order needs, but every Append writes that one sequence;
//   - SELECT ... FOR UPDATE on the outbox's sequencer row, after which
//     CockroachDB's reads see every commit before the lock (or the
//     transaction restarts with 40001), as FreshAfterLock promises;
//   - partial unique indexes (WHERE deleted_at IS NULL), CHECK constraints,
//     foreign keys, CREATE TABLE / INDEX, and CREATE TABLE IF NOT EXISTS;
//   - INSERT ... ON CONFLICT DO NOTHING, SELECT ... FOR UPDATE, row-value
//     comparisons ((a, b) > ($1, $2)), strpos, SAVEPOINT / ROLLBACK TO
//     SAVEPOINT / RELEASE SAVEPOINT (nested Atomic and bound transactions);
//   - COLLATE "C" only in expressions (for byte-order keyset pages over
//     order IDs): CockroachDB does not allow it on a column, and compares
//     strings byte by byte anyway;
//   - retries on SQLSTATE 40001, which is how CockroachDB reports every
//     transaction it asks the client to retry.
//
// One difference matters: CockroachDB has no session-level advisory locks.
// It lacks pg_advisory_lock, and its pg_try_advisory_lock, which Migrate
// uses (polling until granted), is a stub that always grants. So Migrate
// runs there but does not serialize concurrent runs: run it from one
// process (a deploy step), or apply the files of sqlstore.WriteMigrations
// with your migration tool. The lock's key is computed in Go (FNV-1a), not
// with PostgreSQL's hashtext, which CockroachDB lacks.
package postgres
