package sqlstore

import (
	"io/fs"
	"strings"
)

// Dialect is what sqlstore needs to know about one SQL engine. The engines'
// packages implement it (storage/sqlstore/postgres, storage/sqlstore/sqlite,
// storage/sqlstore/mysql); a host can write its own for another engine that
// speaks close enough SQL.
//
// The dialect layer is deliberately small: the queries are shared, and only
// what differs between engines lives here.
type Dialect interface {
	// Name identifies the engine: "postgres", "sqlite" or "mysql".
	Name() string

	// Placeholder returns the n-th (1-based) bind parameter: "$1" or "?".
	Placeholder(n int) string

	// Migrations returns the engine's versioned schema migrations: files
	// named NNNN_description.sql (0001_init.sql ...) at the root of the FS,
	// applied in order. A migration's statements are separated by lines
	// holding only "-- statement". Table and index names carry the
	// placeholder "{{prefix}}", replaced by the WithTablePrefix option.
	Migrations() fs.FS

	// InsertOrNothing turns "INSERT INTO t (cols) VALUES (...)" into a
	// statement that inserts nothing, without an error, when the row would
	// break a unique constraint (PostgreSQL and SQLite: ON CONFLICT DO
	// NOTHING; MySQL: ON DUPLICATE KEY UPDATE of a no-op). It lets the
	// adapter learn about a conflict from the affected-row count instead of
	// an error, which on PostgreSQL would abort the transaction.
	InsertOrNothing(insert string) string

	// ForUpdate is the row-locking clause appended to a SELECT that reads a
	// row the transaction will write (" FOR UPDATE"), or "" where the engine
	// locks differently (SQLite locks the whole database for writers).
	ForUpdate() string

	// ForShare is the shared row-locking clause (" FOR SHARE", MySQL's
	// " LOCK IN SHARE MODE"), or "" where the engine locks differently
	// (SQLite). The adapter appends it to the reads that explain a
	// conflict: a locking read sees the latest committed rows where a
	// plain read keeps the transaction's snapshot (MySQL's REPEATABLE READ),
	// and a shared lock, unlike FOR UPDATE, does not deadlock with the
	// shared locks foreign keys take on the same rows.
	ForShare() string

	// Contains returns an SQL expression that is true when the text column
	// contains the bind parameter arg as a byte-exact substring (strpos,
	// instr, LOCATE): no LIKE patterns, so no metacharacters to escape.
	Contains(column, arg string) string

	// Binary returns an expression that compares and sorts the text column
	// byte by byte (PostgreSQL: column COLLATE "C"; SQLite's and MySQL's
	// columns already do), for keyset pages over text keys.
	Binary(column string) string

	// Classify reports what kind of failure err is, by the driver's error
	// code (never by message text).
	Classify(err error) ErrorKind

	// ConstraintName returns the name of the constraint err violated, when
	// the driver reports it as a structured field (PostgreSQL does).
	ConstraintName(err error) (string, bool)

	// MigrationLock returns the statements that take and release a
	// session-level lock named key (letters, digits and underscores)
	// serializing Migrate across processes (pg_try_advisory_lock,
	// GET_LOCK), or two empty strings where the engine serializes writers
	// itself (SQLite). The lock statement returns one row whose first
	// column is 1 when the lock was taken and 0 when another session holds
	// it (it should not wait); Migrate tries again until the lock is
	// granted, its ctx ends or two minutes have passed.
	MigrationLock(key string) (lock, unlock string)
}

// ErrorKind classifies a database error.
type ErrorKind int

// The kinds of error a Dialect distinguishes.
const (
	// ErrOther is any error the adapter does not act on.
	ErrOther ErrorKind = iota
	// ErrUnique is a unique-constraint violation.
	ErrUnique
	// ErrForeignKey is a foreign-key violation.
	ErrForeignKey
	// ErrCheck is a CHECK-constraint violation.
	ErrCheck
	// ErrRetry is a serialization failure or a deadlock: the transaction
	// may succeed if run again. (Before ErrBusy existed, dialects reported
	// lock timeouts and busy databases as ErrRetry too; the adapter still
	// retries them, but without the lock timeout's bound.)
	ErrRetry
	// ErrConnLost is a connection that broke or that the server ended
	// (PostgreSQL SQLSTATE 57P01, 57P02, 57P03 and class 08, MySQL's
	// invalid connection): a transaction open on it is rolled back, and a
	// statement outside one may or may not have run. The adapter
	// recognizes driver.ErrBadConn, unexpected EOFs and network errors
	// itself, whatever the dialect reports.
	ErrConnLost
	// ErrBusy is a lock wait that timed out or a busy database (SQLite's
	// SQLITE_BUSY, MySQL 1205, PostgreSQL 55P03): retried like ErrRetry,
	// but only until the store's lock timeout (WithLockTimeout) has passed
	// since the call began.
	ErrBusy
	// ErrRetryStatement is a statement inside a transaction that failed
	// in a way that running the transaction again may cure, reported
	// with a code that the engine also uses for failures it does not
	// explain (TiDB's error 1105 for a statement whose pessimistic lock
	// was retried pessimistic-txn.max-retry-count times). The adapter
	// retries the transaction when the error comes from a statement
	// before COMMIT, and only then: from a COMMIT, or from a statement
	// outside a transaction (which commits itself), its outcome is
	// unknown.
	ErrRetryStatement
)

// FreshAfterLock is an optional interface of a Dialect, for what the outbox
// (see Store.Events) must know of the engine's snapshots.
//
// FreshAfterLock reports whether, once a transaction has locked a row with
// ForUpdate, its plain reads see every change committed before the lock was
// granted, or the lock fails with a serialization failure instead (true of
// PostgreSQL: at READ COMMITTED each statement reads the latest commits; at
// REPEATABLE READ and SERIALIZABLE locking a row changed since the snapshot
// fails). It is false of InnoDB and TiDB, whose plain reads keep the
// transaction's snapshot. A dialect that does not implement the interface
// is taken to answer false: the outbox then makes the reads that must see
// the latest commits locking reads, with ForShare, and finds the events it
// has yet to sequence with ForUpdate followed by " SKIP LOCKED" (so that
// rows inserted by transactions in flight are passed over rather than
// waited for), where ForUpdate is not empty.
type FreshAfterLock interface {
	FreshAfterLock() bool
}

// MetadataMatcher is an optional interface of a Dialect: a condition on a
// JSON metadata column (an object of strings, stored as text) that is true
// when the column holds every member of the one-member object bound to the
// parameter object (encoded as the column is, by encoding/json), and false
// (never NULL) otherwise: PostgreSQL's jsonb containment, MySQL's
// JSON_CONTAINS, SQLite's json_each. The object is a bind parameter, never
// spliced into the SQL. (MariaDB's JSON_CONTAINS compares strings by their
// escaped text, so the object is encoded exactly as the stored column.) The dialects of
// this module implement it; segment evaluation (storage.SegmentEvaluation)
// needs it for metadata conditions and answers ErrUnsupported for them
// without it.
type MetadataMatcher interface {
	MetadataHas(column, object string) string
}

// ChainedWrites is an optional interface of a Dialect: data-modifying
// common table expressions (PostgreSQL's WITH p AS (INSERT ... RETURNING
// ...) INSERT ... SELECT ... FROM p), with which a credit's posting and the
// lot it makes go to the database in one statement: the lot is inserted
// only if the posting was, so the statement's count of inserted lots tells
// what a separate INSERT of the posting would have. Without it (MySQL,
// MariaDB, TiDB, SQLite) they are two statements.
type ChainedWrites interface {
	// ChainedWrites reports whether the engine runs data-modifying CTEs.
	ChainedWrites() bool
}

// ForUpdateOf is an optional interface of a Dialect, for a locking read
// that outer-joins a table whose rows it need not lock.
//
// ForUpdateOf returns the row-locking clause that locks the rows of the
// tables with the given aliases, and may leave those of the other tables
// of the SELECT unlocked: PostgreSQL's " FOR UPDATE OF a, c" (PostgreSQL
// refuses to lock the nullable side of an outer join, which a plain FOR
// UPDATE asks for). Engines that lock an outer-joined row where there is
// one and pass over the NULLs (InnoDB, TiDB) may return ForUpdate(), and
// SQLite "". With it, a debit reads its account, locked, and the first
// lot it would take from in one statement; without it, in two.
type ForUpdateOf interface {
	ForUpdateOf(aliases ...string) string
}

// JSONBuilder is an optional interface of a Dialect: building JSON in a
// query, so that one statement returns a row with the lists that belong
// to it, each a scalar subquery aggregated to a JSON array (the pricing
// snapshot, storage.PricingSnapshots). PostgreSQL (and CockroachDB):
// json_build_object and json_agg; MySQL, MariaDB and TiDB: JSON_OBJECT
// and JSON_ARRAYAGG; SQLite: json_object and json_group_array. The
// adapter keeps numbers that JSON carries to integers (times in
// microseconds, amounts in minor units), which every engine writes
// exactly. Without it Store.PricingSnapshot answers storage.ErrNoSnapshot
// and the services read a pricing context in several statements.
type JSONBuilder interface {
	// JSONObject returns an expression for the JSON object of the pairs:
	// a key (the adapter's own, letters and underscores, written as a
	// string literal) followed by its value expression, and so on.
	JSONObject(pairs ...string) string
	// JSONArrayAgg returns the aggregate that collects expr over the
	// rows into a JSON array; over no rows it is NULL or []. The
	// elements' order is not specified (MySQL's JSON_ARRAYAGG takes no
	// ORDER BY): the adapter sorts them.
	JSONArrayAgg(expr string) string
	// JSONString returns the text column as JSONObject must be given it to
	// write a JSON string: MySQL's and TiDB's text columns are binary,
	// which JSON_OBJECT would write in base64, so they are converted to
	// utf8mb4 first.
	JSONString(column string) string
}

// JSONObjectCall is the JSONObject of the dialects whose function takes
// alternating keys and values (json_build_object, JSON_OBJECT,
// json_object): fn('k1', v1, 'k2', v2, ...).
func JSONObjectCall(fn string, pairs ...string) string {
	var b strings.Builder
	b.WriteString(fn + "(")
	for i, p := range pairs {
		if i > 0 {
			b.WriteString(", ")
		}
		if i%2 == 0 {
			b.WriteString("'" + p + "'")
		} else {
			b.WriteString(p)
		}
	}
	b.WriteString(")")
	return b.String()
}
