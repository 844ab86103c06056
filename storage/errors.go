package storage

import (
	"errors"
	"fmt"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/page"
)

// Generic errors that every adapter returns (wrapped, with %w) for the
// situations that every database has. Domain rule errors live in the domain
// package that owns the rule.
var (
	// ErrNotFound reports that a record, or a record it refers to, does not
	// exist.
	ErrNotFound = errcode.New(errcode.NotFound, "storage: not found")
	// ErrConflict reports that a write would break a uniqueness or
	// referential rule. Adapters return it inside a *ConflictError that names
	// the rule.
	ErrConflict = errcode.New(errcode.Conflict, "storage: conflict")
	// ErrInvalidCursor reports a page cursor that this store did not issue
	// for that list; it is page.ErrInvalidCursor.
	ErrInvalidCursor = page.ErrInvalidCursor
	// ErrTxDone reports the use of a Tx after its Atomic call returned.
	ErrTxDone = errors.New("storage: transaction has already been committed or rolled back")
	// ErrCustomerNotLive reports a write to a customer's data (an address,
	// a membership, a balance account or posting, an order) for a customer
	// that does not exist or is deleted. Adapters check it under the lock
	// the write is made with, so that a concurrent delete or erasure is
	// either seen or waited for, never missed. It wraps ErrNotFound:
	// errors.Is(err, ErrNotFound) holds too.
	ErrCustomerNotLive = fmt.Errorf("customer does not exist or is deleted: %w", ErrNotFound)
	// ErrTooLarge reports an argument beyond one of the bounds every
	// repository method keeps (MaxKeyBytes, MaxFilterTags, MaxIDs). Adapters
	// return it inside a *LimitError that names the argument, before
	// touching the database: a caller cannot make a store parse, plan or
	// allocate without limit. It is an invalid argument, never a transient
	// failure: retrying the same call fails the same way.
	ErrTooLarge = errcode.New(errcode.Invalid, "storage: argument too large")
	// ErrCommitUnknown reports that a write may or may not have been
	// stored: the connection was lost, or the context ended, while the
	// database was committing it (or, outside a transaction, while it ran a
	// one-statement write), so no answer came back. The error also wraps the
	// cause and, when the context ended, ctx.Err(). Read the data back (or
	// repeat the call with the same idempotency key) to learn the outcome;
	// do not assume either one. Adapters never return it for a failure
	// they know happened before the commit was sent: then nothing was
	// stored, and they say so.
	ErrCommitUnknown = errcode.New(errcode.CommitUnknown, "storage: the commit may or may not have happened")
	// ErrLockTimeout reports that a call waited longer than the store's
	// lock timeout for a lock another transaction held (the memory
	// adapter's write lock, SQLite's database lock, a row lock). The
	// usual cause is a call made inside Atomic's fn with a ctx other than
	// the one Atomic gave fn: that call runs outside the transaction and
	// waits for it to end, which it never does. Make every call inside fn
	// with fn's ctx (or through its Tx). Otherwise the store is busy: retry
	// later, or raise the timeout (memory.WithLockTimeout,
	// sqlstore.WithLockTimeout).
	ErrLockTimeout = errcode.New(errcode.Unavailable, "storage: lock wait timed out (inside Atomic, make every call with the ctx Atomic gave fn)")
)

// LimitError reports which argument of a repository method exceeds which
// bound. It unwraps to ErrTooLarge. It carries sizes only, never the
// caller's value.
type LimitError struct {
	// Arg names the argument as the contract does ("groupIDs",
	// "CustomerFilter.Tags", "idempotencyKey").
	Arg string
	// Size is the argument's size in Unit; Max is the bound.
	Size, Max int
	// Unit is "bytes" for strings and "items" for slices.
	Unit string
}

// Error implements the error interface.
func (e *LimitError) Error() string {
	return fmt.Sprintf("storage: %s has %d %s, more than the %d allowed", e.Arg, e.Size, e.Unit, e.Max)
}

// Unwrap returns ErrTooLarge.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

// Constraint names a storage rule that a write would break.
type Constraint string

// The constraints the adapters enforce. SQL adapters map their index and
// foreign-key names to these.
const (
	// ConstraintPrimaryKey: a record with this ID already exists.
	ConstraintPrimaryKey Constraint = "primary_key"
	// ConstraintCustomerEmail: a live customer with this canonical email and
	// has_account flag exists.
	ConstraintCustomerEmail Constraint = "customer_email"
	// ConstraintCustomerReference: a live customer with this reference origin
	// and reference exists.
	ConstraintCustomerReference Constraint = "customer_reference"
	// ConstraintAddressDefault: a book would have two default shipping or
	// two default billing addresses.
	ConstraintAddressDefault Constraint = "address_default"
	// ConstraintGroupName: a group with this name key exists.
	ConstraintGroupName Constraint = "group_name"
	// ConstraintMarketCode: a market with this code exists.
	ConstraintMarketCode Constraint = "market_code"
	// ConstraintMarketAccessGroup: a market restricts access to the group
	// being deleted.
	ConstraintMarketAccessGroup Constraint = "market_access_group"
	// ConstraintMerchantMarkets: the merchant being deleted owns markets.
	ConstraintMerchantMarkets Constraint = "merchant_markets"
	// ConstraintBalanceAccount: the customer already has an account in this
	// currency.
	ConstraintBalanceAccount Constraint = "balance_account"
	// ConstraintIdempotencyKey: the account already has a posting with this
	// idempotency key.
	ConstraintIdempotencyKey Constraint = "posting_idempotency_key"
	// ConstraintOrderID: an order with this host order ID exists.
	ConstraintOrderID Constraint = "order_id"
	// ConstraintIdentity: an external identity (provider, subject) is
	// linked to a customer already.
	ConstraintIdentity Constraint = "identity"
	// ConstraintTokenHash: a token with this hash exists (a secret was
	// issued twice).
	ConstraintTokenHash Constraint = "token_hash"
	// ConstraintTombstone: the customer was merged already (it has a
	// tombstone).
	ConstraintTombstone Constraint = "tombstone"

	// ConstraintOrderDetail: the order already has a return, exchange or
	// refund (of the same kind) with this ID.
	ConstraintOrderDetail Constraint = "order_detail"
)

// ConflictError reports which constraint a write would break. It unwraps to
// ErrConflict and, when the adapter has one, to the driver's error.
type ConflictError struct {
	Constraint Constraint
	// Err is the underlying driver error, if any.
	Err error
}

// Error implements the error interface.
func (e *ConflictError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("storage: conflict on %s: %v", e.Constraint, e.Err)
	}
	return fmt.Sprintf("storage: conflict on %s", e.Constraint)
}

// Unwrap returns ErrConflict and the driver error, so that errors.Is(err,
// ErrConflict) holds and errors.As still reaches the driver's error type.
func (e *ConflictError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrConflict, e.Err}
	}
	return []error{ErrConflict}
}

// Conflict returns a *ConflictError for c wrapping the optional driver cause.
func Conflict(c Constraint, cause error) error {
	return &ConflictError{Constraint: c, Err: cause}
}

// IsConflict reports whether err is a *ConflictError on constraint c.
func IsConflict(err error, c Constraint) bool {
	var ce *ConflictError
	return errors.As(err, &ce) && ce.Constraint == c
}
