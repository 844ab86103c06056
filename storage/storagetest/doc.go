// Package storagetest is the conformance suite of the storage contract: every
// promise made in the doc comments of package storage is a named test case
// here, and every adapter (storage/memory, storage/sqlstore, and a host's
// own) runs all of it. It plays the role testing/fstest.TestFS plays for
// file systems and the Go CDK's drivertest for its drivers.
//
// # Running the suite against an adapter
//
// A host that implements storage.Store calls [Run] from an ordinary test,
// with a function that returns a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			db := openEmptyDatabase(t) // e.g. a new schema, dropped in t.Cleanup
//			return myadapter.New(db)
//		})
//	}
//
// Run calls newStore once per test case, so cases never see each other's
// data and the suite never cleans up after itself: newStore must return an
// empty store, and may register its own cleanup with t.Cleanup. The suite
// relies on nothing but the storage interfaces and the domain packages; it
// builds every value with the domain constructors, so what it stores is
// always valid.
//
// # Filtering
//
// Cases are grouped by area, one subtest per area, so that a host can run
// part of the suite while it develops its adapter:
//
//	Customer/...     Address/...   Group/...    Merchant/...  Market/...
//	Balance/...      Order/...     Atomic/...   Concurrency/...
//	Pagination/...   Hostile/...   Values/...    Invalid/...   Interleaving/...
//	Idempotency/...  Events/...    CommitHooks/...  Credentials/...
//
// For example:
//
//	go test -run 'TestConformance/Customer/' ./...
//	go test -run 'TestConformance/(Atomic|Concurrency)/' ./...
//
// The Concurrency cases start up to 64 goroutines that call the store at
// the same time; run them with -race. They assume nothing about how the
// adapter serializes work, only that the promised invariants hold. Some of
// them are shaped like the services' transactions (a plain read of the
// customer, then a read-modify-write): on an engine that keeps a snapshot
// from a transaction's first read (InnoDB at REPEATABLE READ), they catch a
// write that trusts a read not taken under its lock.
//
// # Interleavings
//
// An adapter over an engine that lets a write commit while another
// transaction is open (row locks and snapshots: PostgreSQL, MySQL,
// CockroachDB) passes [ConcurrentWriters] to Run, which adds the
// Interleaving area: each case reads in a transaction, commits a write
// outside it, then writes in the transaction, deterministically, and checks
// that no update is lost and that no write lands on a customer deleted in
// between. An adapter whose writers wait for an open transaction (the
// memory adapter, SQLite) leaves the option out.
//
// # Capabilities
//
// A capability's area (Idempotency for storage.Idempotency, Events for
// storage.Outbox, CommitHooks for storage.CommitHooks, Credentials for
// storage.Authentication) runs on stores that
// implement it and is skipped, with a message naming the capability, on the
// others. The Events cases assume only what the contract says of
// Sequences (positive and strictly increasing in delivery order, neither
// starting at 1 nor contiguous) and use a consumer name of their own each.
// Leases are moved with Claim.Now, never by sleeping. The case
// Events/LateCommitIsNeverSkipped keeps a transaction open while another
// commits and a consumer reads, when the store declares ConcurrentWriters;
// on the others it checks the same promise in sequence.
//
// # What a failure means
//
// Each case names the promise it checks (for example
// Customer/EmailUniqueAmongLiveCustomers or Atomic/RollbackOnPanic); the
// doc comment of the storage method it exercises is the specification, and
// the failure message says what was expected.
package storagetest
