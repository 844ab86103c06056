// Package memory is the in-process storage adapter: a real implementation of
// storage.Store, not a toy, that host applications use as the fake in their
// tests and that small deployments can run on.
//
// # Concurrency and transactions
//
// One sync.RWMutex guards the data. Reads take the read lock and run in
// parallel; a write, or a whole Atomic function, takes the write lock, so
// transactions are serializable and never need retrying. Each write records
// how to undo itself in the transaction's undo log; rolling back replays the
// log backwards, so Atomic costs O(records touched), never a copy of the
// store.
//
// Calls that carry the ctx of an Atomic function join that transaction (they
// would otherwise wait for the lock the transaction holds). Inside the
// function, always pass the ctx it was given: a call with another ctx (say
// context.Background()) waits for the transaction to end, which from inside
// the function is never, so the wait ends after the lock timeout
// (WithLockTimeout, default 10 s) with an error wrapping
// storage.ErrLockTimeout. (A SQL store would run such a call outside the
// transaction, on another connection, and on SQLite wait for the write lock
// too.) A lock wait also ends when its ctx does. Starting other goroutines
// that use that ctx while the function runs is not supported.
//
// # Indexes
//
// Every lookup the services need is a map (ID, canonical email, reference,
// group name key, market code, idempotency key) and every list walks a
// B-tree ordered by its sort key from the cursor onwards, so a page costs
// O(log n + page) when it is not filtered, and the length of the walk when it
// is. Values are cloned on the way in and on the way out.
//
// # Capabilities
//
// The store has every optional capability of the contract: Idempotency,
// CustomerSkeletons, Outbox and CommitHooks. Since transactions commit one
// at a time, under the write lock, the outbox gives an event its Sequence
// when it is appended (a rolled-back transaction takes its numbers back,
// unseen), so the delivery order is the commit order, and a consumer can
// never miss an event that commits late. Functions registered with
// AfterCommit run after the outermost Atomic committed and released the
// lock, in the order they were registered; those of a nested Atomic whose
// function failed are dropped with its writes. Leases are measured from
// the Now of each Claim, so tests move time by hand.
package memory
