package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// Subscriptions keeps references to the host's subscriptions per
// customer: the host bills; the library lists a customer's subscriptions
// and keeps each one's payment source consistent with the wallet. A
// subscription may only charge a source of its customer's wallet, and a
// source a live subscription charges cannot be removed (see Wallet.Remove;
// both sides check under the customer's lock).
//
// It needs a store with the storage.Subscriptions capability (and
// storage.Wallets to name a payment source); on another store every call
// returns ErrUnsupported.
type Subscriptions struct{ *env }

// subscriptionsOf returns the subscription repository of r, or
// ErrUnsupported.
func subscriptionsOf(r any) (storage.SubscriptionRefs, error) {
	s, ok := r.(storage.Subscriptions)
	if !ok {
		return nil, fmt.Errorf("%w: subscriptions need the storage.Subscriptions capability (%T)", ErrUnsupported, r)
	}
	return s.SubscriptionRefs(), nil
}

// checkSource locks the customer (through its wallet) and checks that
// the wallet holds the source id; a nil id only takes the lock.
func checkSource(ctx context.Context, tx storage.Tx, customerID uuid.UUID, id *uuid.UUID) error {
	repo, err := walletsOf(tx)
	if err != nil {
		if id == nil {
			return nil // no wallet to check, and Create takes the lock itself
		}
		return err
	}
	_, err = repo.UpdateWallet(ctx, customerID, func(w *wallet.Wallet) error {
		if id == nil {
			return nil
		}
		if _, ok := w.Get(*id); !ok {
			return fmt.Errorf("payment source %s is not in the customer's wallet: %w", id, wallet.ErrNotFound)
		}
		return nil
	})
	return mapWalletErr(err)
}

// Record records the host's subscription p. It is idempotent on p.ID:
// recording the same fields again returns the stored subscription;
// recording the ID for another customer is subscription.ErrSubscriptionOwned,
// with other fields subscription.ErrSubscriptionChanged (use SetStatus,
// SetPaymentSource and SetNextChargeAt to change one). Errors also:
// customer.ErrNotFound, *subscription.ValidationError,
// wallet.ErrNotFound (the payment source is not in the customer's wallet),
// subscription.ErrTooMany, ErrUnsupported.
func (s *Subscriptions) Record(ctx context.Context, p subscription.Params) (subscription.Subscription, error) {
	sub, err := subscription.New(p, s.clock())
	if err != nil {
		return subscription.Subscription{}, err
	}
	var out subscription.Subscription
	for range maxCreateAttempts {
		raced := false
		err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			raced = false
			repo, err := subscriptionsOf(tx)
			if err != nil {
				return err
			}
			if prev, err := repo.Get(ctx, sub.ID); err == nil {
				out = prev
				return replayedSubscription(prev, p)
			} else if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			if _, err := liveCustomer(ctx, tx, sub.CustomerID); err != nil {
				return err
			}
			if err := checkSource(ctx, tx, sub.CustomerID, sub.PaymentSourceID); err != nil {
				return err
			}
			out, err = repo.Create(ctx, sub)
			// A concurrent call recorded the ID first: the next run reads
			// it back and replays.
			raced = storage.IsConflict(err, storage.ConstraintSubscriptionID)
			if err != nil {
				return mapCustomerErr(err)
			}
			return s.emitSubscription(ctx, tx, event.SubscriptionRecorded, nil, out)
		})
		if !raced {
			break
		}
	}
	if err != nil {
		return subscription.Subscription{}, err
	}
	return out, nil
}

// replayedSubscription decides a Record of an ID that is stored.
func replayedSubscription(prev subscription.Subscription, p subscription.Params) error {
	switch {
	case prev.CustomerID != p.CustomerID:
		return fmt.Errorf("%w: %s", subscription.ErrSubscriptionOwned, storage.Quote(prev.ID))
	case !prev.SameAs(p):
		return fmt.Errorf("%w: %s", subscription.ErrSubscriptionChanged, storage.Quote(prev.ID))
	}
	return nil
}

func (e *env) emitSubscription(ctx context.Context, r storage.Repositories, t event.Type, before *subscription.Subscription, sub subscription.Subscription) error {
	var changes []event.Change
	if before != nil {
		changes = diff(*before, sub)
	}
	return e.emitOne(ctx, r, t, event.AggregateSubscription, sub.ID, sub.CustomerID, sub.Version,
		event.SubscriptionPayload{Subscription: sub, Changes: changes})
}

// Get returns the subscription with the host's ID. Errors:
// subscription.ErrNotFound, ErrUnsupported.
func (s *Subscriptions) Get(ctx context.Context, id string) (subscription.Subscription, error) {
	repo, err := subscriptionsOf(s.store)
	if err != nil {
		return subscription.Subscription{}, err
	}
	sub, err := repo.Get(ctx, id)
	return sub, notFound(err, subscription.ErrNotFound)
}

// List returns a page of the live customer's subscriptions, ordered by
// (CreatedAt, ID). Errors: customer.ErrNotFound, page.ErrInvalidCursor,
// ErrUnsupported.
func (s *Subscriptions) List(ctx context.Context, customerID uuid.UUID, p page.Request) (page.Page[subscription.Subscription], error) {
	repo, err := subscriptionsOf(s.store)
	if err != nil {
		return page.Page[subscription.Subscription]{}, err
	}
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return page.Page[subscription.Subscription]{}, err
	}
	return repo.List(ctx, customerID, p)
}

// update changes one subscription with fn under its customer's lock and
// emits t when it changed.
func (s *Subscriptions) update(ctx context.Context, id string, t event.Type, check func(ctx context.Context, tx storage.Tx, sub subscription.Subscription) error,
	fn func(*subscription.Subscription) error) (subscription.Subscription, error) {
	var out subscription.Subscription
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := subscriptionsOf(tx)
		if err != nil {
			return err
		}
		before, err := repo.Get(ctx, id)
		if err != nil {
			return notFound(err, subscription.ErrNotFound)
		}
		if check != nil {
			if err := check(ctx, tx, before); err != nil {
				return err
			}
		}
		out, err = repo.Update(ctx, id, func(sub *subscription.Subscription) error {
			was := sub.Clone()
			before = was // as read under the lock, for the event's changes
			if err := fn(sub); err != nil {
				return err
			}
			if len(diff(was, *sub)) == 0 {
				return errUnchanged
			}
			return nil
		})
		if errors.Is(err, errUnchanged) {
			out = before
			return nil
		}
		if err != nil {
			return mapCustomerErr(notFound(err, subscription.ErrNotFound))
		}
		return s.emitSubscription(ctx, tx, t, &before, out)
	})
	return out, err
}

// errUnchanged stops an update that changes nothing (no write, no event).
var errUnchanged = errors.New("clientele: unchanged")

// SetStatus moves the subscription to status along the table of package
// subscription (cancelled is final); the same status again changes
// nothing. Errors: subscription.ErrNotFound,
// *subscription.TransitionError, ErrUnsupported.
func (s *Subscriptions) SetStatus(ctx context.Context, id string, status subscription.Status) (subscription.Subscription, error) {
	return s.update(ctx, id, event.SubscriptionStatusChanged, nil, func(sub *subscription.Subscription) error {
		return sub.SetStatus(status, s.clock())
	})
}

// SetPaymentSource makes the subscription charge sourceID (nil: none),
// which must be in its customer's wallet; checked under the customer's
// lock, so a concurrent Wallet.Remove of the source either sees this
// subscription or commits before it (wallet.ErrNotFound then). Errors:
// subscription.ErrNotFound, wallet.ErrNotFound, customer.ErrNotFound,
// *subscription.TransitionError (a cancelled subscription), ErrUnsupported.
func (s *Subscriptions) SetPaymentSource(ctx context.Context, id string, sourceID *uuid.UUID) (subscription.Subscription, error) {
	return s.update(ctx, id, event.SubscriptionUpdated, func(ctx context.Context, tx storage.Tx, sub subscription.Subscription) error {
		if sourceID == nil {
			return nil
		}
		if _, err := liveCustomer(ctx, tx, sub.CustomerID); err != nil {
			return err
		}
		return checkSource(ctx, tx, sub.CustomerID, sourceID)
	}, func(sub *subscription.Subscription) error {
		return sub.SetPaymentSource(sourceID, s.clock())
	})
}

// SetNextChargeAt records when the host charges the subscription next
// (nil: not scheduled). Errors: subscription.ErrNotFound, ErrUnsupported.
func (s *Subscriptions) SetNextChargeAt(ctx context.Context, id string, at *time.Time) (subscription.Subscription, error) {
	return s.update(ctx, id, event.SubscriptionUpdated, nil, func(sub *subscription.Subscription) error {
		sub.SetNextChargeAt(at, s.clock())
		return nil
	})
}
