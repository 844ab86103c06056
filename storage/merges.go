package storage

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
)

// Merging is the capability of merging customers (on a Store and on a Tx,
// found with a type assertion): locking the two records of a merge and
// keeping the tombstones that lead from a merged customer to its
// survivor. A store without it still works; the services then answer
// merges and resolutions with ErrUnsupported.
type Merging interface {
	Merges() Merges
}

// Merges keeps customer tombstones (see customer.Tombstone). A merge runs
// in one transaction: Lock first, then the moves, then Create.
type Merges interface {
	// Lock locks the two customers' records until the transaction ends, in
	// ascending order of their IDs (so that merges of one pair in either
	// direction never deadlock), and returns them as they are now, deleted
	// or not: every write of either customer (an order, a posting, an
	// address) waits for the merge, and the merge sees every write
	// committed before. Outside a transaction it is a plain read. Errors:
	// ErrNotFound when either customer does not exist (the error names
	// which).
	Lock(ctx context.Context, a, b uuid.UUID) (customer.Customer, customer.Customer, error)

	// Create stores t, checked with customer.Tombstone.Validate, and points
	// the tombstones whose survivor was t.MergedID at t.SurvivorID (a
	// merged survivor's tombstones follow it, so a lookup needs one hop).
	// Errors: *ConflictError with ConstraintTombstone when t.MergedID has a
	// tombstone already.
	Create(ctx context.Context, t customer.Tombstone) error

	// Holdings returns, with locking reads in a transaction (which see the
	// latest committed rows where a plain read may return the
	// transaction's snapshot: TiDB, InnoDB at REPEATABLE READ), what a merge
	// must move of the customer's that has no lock of its own: its orders,
	// group memberships and balance accounts. (What has one is moved under
	// it: the address book, credentials, wallet, and the consent history,
	// which ConsentRecords.Move locks, moves and closes in one call.) Called after Lock, nothing is
	// added to them until the transaction ends. (At PostgreSQL's
	// SERIALIZABLE the snapshot may still hide rows committed after it was
	// taken; the merge's write of the merged customer's row, which those
	// writers read, then fails the transaction with a serialization
	// failure that Atomic retries.)
	Holdings(ctx context.Context, customerID uuid.UUID) (MergeHoldings, error)

	// Get returns the tombstone of the merged customer, or ErrNotFound.
	// Called in a transaction, it is a locking read (it sees a tombstone
	// committed by a merge that held the lock before).
	Get(ctx context.Context, mergedID uuid.UUID) (customer.Tombstone, error)

	// ByEmail returns the most recent tombstone (by MergedAt, then
	// MergedID) with the canonical email and has_account flag, or
	// ErrNotFound. Errors: *LimitError when email is longer than
	// MaxKeyBytes.
	ByEmail(ctx context.Context, email string, hasAccount bool) (customer.Tombstone, error)

	// ByReference returns the most recent tombstone with the external
	// reference, or ErrNotFound. Errors: *LimitError as for ByEmail.
	ByReference(ctx context.Context, origin, reference string) (customer.Tombstone, error)

	// Scrub clears the email and reference of every tombstone that names
	// the customer, as merged customer or as survivor (an erasure), and
	// returns how many it changed. The IDs stay: they are not personal.
	Scrub(ctx context.Context, customerID uuid.UUID) (int, error)
}

// MergeHoldings is what Merges.Holdings returns: the IDs of a customer's
// orders (ascending), groups it is a member of and balance accounts (both
// in ascending byte order).
type MergeHoldings struct {
	Orders   []string
	Groups   []uuid.UUID
	Accounts []uuid.UUID
}
