// Package tidb is the TiDB dialect of storage/sqlstore: the MySQL dialect's
// schema and SQL, with what TiDB does differently.
//
// TiDB speaks MySQL's protocol and SQL, through
// github.com/go-sql-driver/mysql, and runs the MySQL dialect's migrations
// unchanged (generated columns and their unique indexes, VARBINARY text,
// CHECK constraints, foreign keys). It differs in three ways the adapter
// relies on:
//
//   - Shared locks. TiDB parses LOCK IN SHARE MODE and FOR SHARE but does
//     not implement them (error 1235 unless tidb_enable_noop_functions is
//     on, and then a share lock that does not lock). The reads that explain
//     a conflict, which the MySQL dialect makes with a shared lock so that
//     they see the latest committed rows, use FOR UPDATE here: in a
//     pessimistic transaction it reads the latest committed version
//     (for_update_ts) and locks it, which is what the diagnosis needs. The
//     price is that two transactions diagnosing the same row take turns
//     instead of sharing it; a deadlock among them is detected (1213) and
//     retried like any other.
//   - Retryable errors. Besides deadlocks (1213) and lock wait timeouts
//     (1205), TiDB reports write conflicts (9007, and 8002 and 8022 in
//     optimistic transactions, surfacing at COMMIT), a schema change under
//     the transaction (8028), and its storage layer's transient failures
//     (8005, 8027 and 9001-9008); Classify
//     reports them as retryable and Atomic runs the transaction again.
//     A statement whose pessimistic lock TiDB retried
//     pessimistic-txn.max-retry-count times (256) under heavy contention
//     on one row fails with the catch-all error 1105 and no code of its
//     own; it is sqlstore.ErrRetryStatement, retried only when a statement
//     inside a transaction reports it, never after a COMMIT, where 1105
//     could hide an outcome the adapter must not guess.
//   - Transaction mode. TiDB's default is pessimistic, which behaves like
//     InnoDB at REPEATABLE READ for everything the adapter does: plain reads
//     in a transaction see its snapshot, locking reads and writes the latest
//     committed rows. The suite runs in that mode. In optimistic mode
//     (tidb_txn_mode='optimistic') locking reads do not wait and conflicts
//     surface at COMMIT as 9007, which Atomic retries; the results are the
//     same, the retries more frequent.
//
// The outbox's events table carries the TiDB-only comment
// /*T![auto_id_cache] AUTO_ID_CACHE 1 */ (MySQL and MariaDB ignore it):
// every TiDB server then draws the table's auto-increment pos from one
// allocator, so that pos grows with time across servers, which the
// outbox's order relies on (see package sqlstore), instead of each server
// handing out numbers from a cached range of its own.
//
// What the adapter needs is within TiDB's limits: its transactions write a
// few rows (the default txn-total-size-limit is 100 MB, txn-entry-size-limit
// 6 MB per row), and Migrate's lock is GET_LOCK, which TiDB implements
// (since 5.3).
//
//	db, err := tidb.Open("root@tcp(127.0.0.1:4000)/test")
//	err = sqlstore.Migrate(ctx, db, tidb.Dialect)
//	store, err := sqlstore.New(db, tidb.Dialect)
package tidb
