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
// # Outbox
//
// The store has the storage.Outbox capability (schema version 4): events
// are rows of {{prefix}}events, written by Events().Append in the ctx's
// transaction (an Atomic's, a host's bound *sql.Tx, or one of their own),
// so they commit with the change they describe or not at all. Writers only
// INSERT: pos, the table's auto-increment key, records the order rows were
// inserted in, and no writer waits for a lock or a counter.
//
// An event's Sequence, its place in the delivery order, is assigned after
// it has committed, by the next Claim: under the lock of the one row of
// {{prefix}}event_sequence (the last Sequence assigned), it numbers the
// committed events that have none yet, in pos order, after the last one
// (at most 1000 per Claim), then reads the consumer's batch. An event whose
// transaction commits after a later one's (a long transaction) is not
// skipped by a consumer that has read past the other: it is simply
// numbered by a later pass, higher. Sequences are dense (1, 2, 3...), and
// the events of one aggregate keep the order of their changes, since each
// change holds the aggregate's lock until it commits. What "the committed
// events" means on each engine:
//
//   - PostgreSQL does not show uncommitted rows, and at READ COMMITTED a
//     statement after the sequencer's lock sees every commit before it
//     (at REPEATABLE READ and SERIALIZABLE, a sequencer row changed since
//     the snapshot fails the lock with 40001, and Atomic retries): see
//     FreshAfterLock.
//   - InnoDB (MySQL, MariaDB) keeps the transaction's snapshot for plain
//     reads and makes locking reads wait for rows that transactions in
//     flight have inserted. The pass finds the events to number with
//     FOR UPDATE SKIP LOCKED (the latest committed rows; the uncommitted
//     ones are passed over and numbered once they commit), and the batch
//     is read with a shared lock. While a Claim runs, its next-key locks
//     make inserts into the events table wait (a few milliseconds).
//   - TiDB shows no uncommitted row; the batch is read with FOR UPDATE
//     (its ForShare). Its events table has AUTO_ID_CACHE 1, so that pos
//     grows with time across TiDB servers as on one InnoDB server.
//   - SQLite admits one writer at a time, so events commit in pos order.
//
// Claims of every consumer take the sequencer's lock in turn: consumers
// do not claim in parallel, but a Claim is a handful of statements
// (about 7 round trips with BEGIN and COMMIT). Claim, Ack and Prune lock
// the sequencer before any consumer row, so they never deadlock with each
// other. Prune reads the consumers' positions under the sequencer's lock,
// so a consumer created meanwhile cannot read a batch until the Prune has
// committed, and starts after what it deleted.
//
// The store also has storage.CommitHooks: Store.AfterCommit registers
// functions that run after the outermost Atomic commits, never for a
// rollback, a failed nested Atomic or an attempt that Atomic runs again,
// and not on a host's bound transaction, whose commit the store does not
// see.
//
// # Credentials
//
// The store has the storage.Authentication capability (schema version 6):
// one row per customer in {{prefix}}credentials, the linked identities in
// {{prefix}}identities, whose primary key (provider, subject) lets an
// identity sign in to one customer only, and one-time tokens in
// {{prefix}}auth_tokens, unique by the SHA-256 hash of their secret (the
// secret is never stored). As for the address book, the customer's row is
// the lock: every write locks it first and checks there that the customer
// is live, then reads what it changes with locking reads, which see the
// latest committed rows where InnoDB's plain reads keep the transaction's
// snapshot. An Update of stored credentials is BEGIN, the customer's lock,
// the locking reads of the credentials and of their identities, the write
// (and one statement per identity linked or unlinked) and COMMIT; issuing
// a token inserts it before revoking the older ones of its purpose, so
// that a taken ID or hash is found before anything is written; redeeming
// one reads its customer (before BEGIN, outside a transaction), locks the
// customer and then the token. A read is one statement.
//
// # Wallets and subscriptions
//
// The store has the storage.Wallets capability (schema version 7): one
// row per payment source in {{prefix}}payment_sources, the billing address
// and metadata as JSON text, and a unique index that allows one default
// per customer (on MySQL over a stored column NULL for the others). An
// UpdateWallet is BEGIN, the customer's lock, the locking read of the
// sources, one statement per source added, changed or removed, ordered so
// that no statement holds two defaults, and COMMIT. It also has
// storage.Subscriptions (schema version 8): {{prefix}}subscriptions keyed
// by the host's ID (compared byte by byte). Create and Update lock the
// customer first, and a subscription that starts charging a source also
// writes that source's row (unchanged), so that a removal of the source
// that read it under a snapshot fails and is retried (see
// storage.SubscriptionRefs.Charging).
//
// # Cost
//
// Statements are prepared once per store and, by database/sql, once per
// connection. A read by key is one round trip; a write that can be one
// statement is one. docs/BENCHMARKS.md compares every hot path with the
// same statement written by hand.
package sqlstore
