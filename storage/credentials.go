package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
)

// Authentication is the capability of keeping customers' credentials
// (on a Store and on a Tx, found with a type assertion): password hashes,
// failed-login counters, linked external identities and one-time tokens.
// A store without it still works; the services then answer every account
// operation (passwords, sign-in, tokens, identities, claims by token) with
// ErrUnsupported.
type Authentication interface {
	Credentials() Credentials
}

// Credentials stores the credential aggregate and one-time tokens.
//
// The customer's record is the lock of its credentials and tokens, as it
// is of the address book: every write takes it first (a locking read of
// the customer) and checks there that the customer is live, so writes of
// one customer's credentials serialize, see each other's committed
// changes, and never commit for a customer deleted meanwhile (an error
// wrapping ErrCustomerNotLive). Delete is the exception: it runs for a
// deleted customer (an erasure).
//
// Nothing here holds a secret in the clear: passwords are stored as the
// hash the services computed, tokens as the SHA-256 hash of their secret.
type Credentials interface {
	// Get returns the customer's credentials with their identities, or
	// ErrNotFound when none were stored.
	Get(ctx context.Context, customerID uuid.UUID) (credential.Credentials, error)

	// Update locks the customer, reads the credentials (the zero
	// credential.Credentials with CustomerID set and Version 0 when none
	// are stored), calls fn on a copy, and stores the result, checked with
	// credential.Credentials.Validate, with Version incremented (1 for
	// new credentials); the identities fn added are linked and those it
	// removed unlinked. The adapter keeps CustomerID and CreatedAt (set on
	// create) and sets Version. If fn returns an error, nothing is written
	// and the error is returned as is. Concurrent calls for one customer
	// serialize: a counter fn increments counts every call. Errors: an
	// error wrapping ErrCustomerNotLive; a *ConflictError with
	// ConstraintIdentity when an identity fn added is linked to another
	// customer (nothing is written).
	Update(ctx context.Context, customerID uuid.UUID, fn func(*credential.Credentials) error) (credential.Credentials, error)

	// Delete removes the customer's credentials, identities and tokens,
	// and the order-claim tokens of other customers that name it as the
	// guest (they hold its address): an erasure; the customer may be
	// deleted. It reports whether there was anything to remove.
	Delete(ctx context.Context, customerID uuid.UUID) (bool, error)

	// ByIdentity returns the identity (provider, subject), with the
	// customer it is linked to, or ErrNotFound. provider is compared as
	// given: callers normalize it (credential.NormalizeProvider). Errors:
	// ErrNotFound; *LimitError when provider or subject is longer than
	// MaxKeyBytes.
	ByIdentity(ctx context.Context, provider, subject string) (credential.Identity, error)

	// IssueToken stores t, checked with credential.Token.Validate, after
	// revoking (RevokedAt = t.CreatedAt) the customer's pending tokens of
	// t.Purpose: a new token replaces the older ones. It locks the
	// customer first. Errors: an error wrapping ErrCustomerNotLive; a
	// *ConflictError with ConstraintPrimaryKey or ConstraintTokenHash.
	IssueToken(ctx context.Context, t credential.Token) error

	// Token returns the token with the hash, or ErrNotFound.
	Token(ctx context.Context, hash credential.TokenHash) (credential.Token, error)

	// UpdateToken locks the token's customer and then the token, calls fn
	// on a copy and stores the result: only UsedAt and RevokedAt may change
	// (an error wrapping ErrConflict otherwise). If fn returns an error,
	// nothing is written and the error is returned as is. Concurrent calls
	// serialize, so a token fn redeems (credential.Token.Redeem) is
	// redeemed by exactly one of them. Errors: ErrNotFound; an error
	// wrapping ErrCustomerNotLive when the customer is deleted.
	UpdateToken(ctx context.Context, hash credential.TokenHash, fn func(*credential.Token) error) (credential.Token, error)

	// RevokeTokens revokes (RevokedAt = now) the customer's pending
	// tokens (unused, unrevoked, expiring after now) of the purposes, or of
	// every purpose when none is given, and returns how many it revoked.
	RevokeTokens(ctx context.Context, customerID uuid.UUID, now time.Time, purposes ...credential.Purpose) (int, error)

	// PruneTokens deletes the tokens that expired, were used or were
	// revoked before the time, and returns how many.
	PruneTokens(ctx context.Context, before time.Time) (int, error)
}
