package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// Wallets is the capability of keeping customers' saved payment sources
// (on a Store and on a Tx, found with a type assertion). A store without
// it still works; the services then answer every wallet call with
// ErrUnsupported.
type Wallets interface {
	PaymentSources() PaymentSources
}

// PaymentSources stores each customer's wallet (package wallet).
//
// The customer's record is the lock of the wallet, as it is of the address
// book: UpdateWallet takes it first (a locking read of the customer), even
// for an empty wallet, checks there that the customer is live, and reads
// the sources with locking reads, so writes of one wallet serialize and
// see each other's committed changes.
type PaymentSources interface {
	// Wallet returns the customer's wallet, ordered by (CreatedAt, ID); a
	// customer without sources has an empty wallet. Errors: ErrNotFound
	// when the customer does not exist.
	Wallet(ctx context.Context, customerID uuid.UUID) (wallet.Wallet, error)

	// UpdateWallet locks the customer, reads the wallet, calls fn on a
	// copy, and stores the difference (added, changed and removed
	// sources), checked with wallet.Wallet.Stored. If fn returns an error,
	// nothing is written and the error is returned as is; a result equal
	// to the wallet read writes nothing. Concurrent calls for one customer
	// serialize, so a wallet never holds more than wallet.MaxSources
	// sources nor two defaults, however many writers race. Errors: an
	// error wrapping ErrCustomerNotLive, checked under the lock; a
	// *ConflictError with ConstraintPrimaryKey when a source ID is taken
	// (by another customer's source), or with ConstraintWalletDefault if
	// the result would hold two defaults.
	UpdateWallet(ctx context.Context, customerID uuid.UUID, fn func(*wallet.Wallet) error) (wallet.Wallet, error)

	// Delete removes every source of the customer, who may be deleted (an
	// erasure), and returns how many it removed.
	Delete(ctx context.Context, customerID uuid.UUID) (int, error)
}

// Subscriptions is the capability of keeping references to the host's
// subscriptions (on a Store and on a Tx, found with a type assertion). A
// store without it still works; the services then answer every
// subscription call with ErrUnsupported.
type Subscriptions interface {
	SubscriptionRefs() SubscriptionRefs
}

// SubscriptionRefs stores subscription references (package subscription).
//
// Create and Update take the customer's lock first (a locking read of the
// customer's record, the lock of its wallet too), so that a subscription
// and the wallet source it charges change in one order: a removal of a
// source that checks, under that lock, that no live subscription charges
// it (Charging) cannot interleave with a Create or Update that starts
// charging it.
type SubscriptionRefs interface {
	// Create inserts s (Version 1) and returns the stored copy. Errors:
	// *ConflictError with ConstraintSubscriptionID when a subscription
	// with s.ID exists (for any customer); an error wrapping
	// ErrCustomerNotLive; subscription.ErrTooMany when s is live and the
	// customer has subscription.MaxPerCustomer live ones (counted under
	// the lock).
	Create(ctx context.Context, s subscription.Subscription) (subscription.Subscription, error)

	// Get returns the subscription with the host's ID, or ErrNotFound.
	// Errors: *LimitError when id is longer than MaxKeyBytes.
	Get(ctx context.Context, id string) (subscription.Subscription, error)

	// Update locks the subscription's customer and then the subscription,
	// calls fn on a copy and stores the result with Version incremented,
	// keeping ID, CustomerID and CreatedAt. If fn returns an error nothing
	// is written and it is returned as is. A deleted customer's
	// subscriptions may still change (a host cancels them), but never
	// start charging a payment source: that is an error wrapping
	// ErrCustomerNotLive, checked under the customer's lock. Errors:
	// ErrNotFound; subscription.ErrTooMany when a cancelled one would
	// become live beyond the limit (the status table never allows it; fn
	// may set fields directly).
	Update(ctx context.Context, id string, fn func(*subscription.Subscription) error) (subscription.Subscription, error)

	// List returns the customer's subscriptions ordered by (CreatedAt, ID)
	// ascending, IDs compared byte by byte. Errors: ErrInvalidCursor.
	List(ctx context.Context, customerID uuid.UUID, p PageRequest) (Page[subscription.Subscription], error)

	// Charging returns the live subscriptions that charge the payment
	// source, ordered by (CreatedAt, ID). In a transaction it reads with a
	// shared lock (the latest committed rows where the engine's locking
	// reads see them). A transaction that first locks the customer and
	// reads the source with UpdateWallet sees every subscription committed
	// before that lock: Create and Update, which take the same lock, also
	// write the row of a source they start charging, so where a snapshot
	// would hide the subscription (PostgreSQL at REPEATABLE READ or
	// SERIALIZABLE) the transaction's read of the source fails with a
	// serialization failure and Atomic runs it again.
	Charging(ctx context.Context, sourceID uuid.UUID) ([]subscription.Subscription, error)

	// Unlink clears the payment source of every subscription of the
	// customer, who may be deleted (an erasure), and returns how many
	// it changed.
	Unlink(ctx context.Context, customerID uuid.UUID) (int, error)
	// Reassign moves every subscription of the customer from to the
	// customer to (a merge: the caller moved the payment sources they
	// charge first), with Version incremented, and returns how many it
	// moved. It locks to's record first, which must be live (an error
	// wrapping ErrCustomerNotLive otherwise). Errors:
	// subscription.ErrTooMany when to would hold more than
	// subscription.MaxPerCustomer live subscriptions. Nothing is written
	// on error.
	Reassign(ctx context.Context, from, to uuid.UUID) (int, error)
}

// ListSubscriptions names the cursors of SubscriptionRefs.List.
const ListSubscriptions = "subscriptions"

// The constraints of wallets and subscriptions.
const (
	// ConstraintWalletDefault: a wallet would have two default sources.
	ConstraintWalletDefault Constraint = "wallet_default"
	// ConstraintSubscriptionID: a subscription with this host ID exists.
	ConstraintSubscriptionID Constraint = "subscription_id"
)

// StoredWallet is the prologue of PaymentSources.UpdateWallet after fn:
// the wallet w as stored for customerID (wallet.Wallet.Stored), with two
// defaults mapped to a *ConflictError with ConstraintWalletDefault; and,
// when the customer is not live, an error wrapping ErrCustomerNotLive
// unless w only removes sources of old (an erasure).
func StoredWallet(old, w wallet.Wallet, customerID uuid.UUID, live bool) (wallet.Wallet, error) {
	out, err := w.Stored(customerID)
	if errors.Is(err, wallet.ErrSeveralDefaults) {
		return wallet.Wallet{}, Conflict(ConstraintWalletDefault, err)
	} else if err != nil {
		return wallet.Wallet{}, err
	}
	if !live && !wallet.OnlyRemoves(old, out) {
		return wallet.Wallet{}, errCustomerNotLive(customerID)
	}
	return out, nil
}

func errCustomerNotLive(id uuid.UUID) error {
	return fmt.Errorf("customer %v: %w", id, ErrCustomerNotLive)
}

// NewSubscription prepares s for SubscriptionRefs.Create: a copy with
// microsecond UTC times and Version 1, validated.
func NewSubscription(s subscription.Subscription) (subscription.Subscription, error) {
	s = s.Stored()
	s.Version = 1
	if err := s.Validate(); err != nil {
		return subscription.Subscription{}, err
	}
	return s, nil
}

// UpdateSubscription is the updater prologue of SubscriptionRefs.Update:
// the result keeps old's ID, CustomerID and CreatedAt, has Version
// old.Version+1 and microsecond times, and is validated.
func UpdateSubscription(old subscription.Subscription, fn func(*subscription.Subscription) error) (subscription.Subscription, error) {
	return update(old, fn, subscription.Subscription.Clone, func(old subscription.Subscription, s *subscription.Subscription) {
		*s = s.Stored()
		s.ID, s.CustomerID, s.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		s.Version = old.Version + 1
	}, subscription.Subscription.Validate)
}
