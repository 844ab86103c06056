package storagetest

// Option tells Run what the store under test can do, for the cases that
// only some engines can run.
type Option func(*config)

// config is what the options of one Run say.
type config struct {
	concurrentWriters bool
}

// ConcurrentWriters declares that a write made outside a transaction can
// commit while another transaction that has only read is still open: the
// engine locks rows and reads snapshots (PostgreSQL, MySQL/MariaDB,
// CockroachDB). Run then adds the Interleaving cases, which make exactly
// that happen: a transaction reads, another write commits, and the
// transaction writes. Events/LateCommitIsNeverSkipped then keeps a
// transaction that appended an event open while another appends, commits
// and is claimed. An adapter whose writers wait for each other (the
// memory adapter, SQLite's BEGIN IMMEDIATE) must not declare it: its
// transaction would wait for a write that waits for the transaction.
func ConcurrentWriters() Option {
	return func(c *config) { c.concurrentWriters = true }
}
