package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/wallet"
)

// Wallet manages customers' saved payment sources: references to tokens a
// payment service provider keeps, never card numbers (package wallet
// refuses anything that looks like one, with a field error). A wallet has
// at most one default source; the first source added becomes it, and when
// the default is removed the most recently added unexpired source takes
// its place (see package wallet).
//
// A source that a live subscription charges (see Subscriptions) cannot be
// removed: Remove answers wallet.ErrSourceInUse. The check runs under the
// customer's lock, which Subscriptions.Record and SetPaymentSource take
// too, so a removal racing a subscription that starts charging the source
// has one outcome: either the removal commits first and the subscription
// is refused (wallet.ErrNotFound), or the subscription commits first and
// the removal is refused.
//
// It needs a store with the storage.Wallets capability (every adapter of
// this module has it); on another store every call returns ErrUnsupported.
// The check against subscriptions needs storage.Subscriptions as well; a
// store without it has no subscriptions to check.
type Wallet struct{ *env }

// walletsOf returns the wallet repository of r, or ErrUnsupported.
func walletsOf(r any) (storage.PaymentSources, error) {
	w, ok := r.(storage.Wallets)
	if !ok {
		return nil, fmt.Errorf("%w: wallets need the storage.Wallets capability (%T)", ErrUnsupported, r)
	}
	return w.PaymentSources(), nil
}

// mapWalletErr maps storage errors of a wallet call to the sentinels of
// packages customer and wallet.
func mapWalletErr(err error) error {
	return mapCustomerErr(conflict(err, storage.ConstraintWalletDefault, wallet.ErrSeveralDefaults))
}

// Get returns the live customer's wallet, ordered by (CreatedAt, ID).
// Errors: customer.ErrNotFound, ErrUnsupported.
func (s *Wallet) Get(ctx context.Context, customerID uuid.UUID) (wallet.Wallet, error) {
	repo, err := walletsOf(s.store)
	if err != nil {
		return wallet.Wallet{}, err
	}
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return wallet.Wallet{}, err
	}
	w, err := repo.Wallet(ctx, customerID)
	return w, mapWalletErr(err)
}

// List returns the live customer's payment sources, ordered by
// (CreatedAt, ID). Errors: as Get.
func (s *Wallet) List(ctx context.Context, customerID uuid.UUID) ([]wallet.Source, error) {
	w, err := s.Get(ctx, customerID)
	return w.Sources, err
}

// Source returns one payment source. Errors: customer.ErrNotFound,
// wallet.ErrNotFound, ErrUnsupported.
func (s *Wallet) Source(ctx context.Context, customerID, sourceID uuid.UUID) (wallet.Source, error) {
	w, err := s.Get(ctx, customerID)
	if err != nil {
		return wallet.Source{}, err
	}
	src, ok := w.Get(sourceID)
	if !ok {
		return wallet.Source{}, wallet.ErrNotFound
	}
	return src, nil
}

// Default returns the customer's default payment source. Errors:
// customer.ErrNotFound, wallet.ErrNotFound for an empty wallet,
// ErrUnsupported.
func (s *Wallet) Default(ctx context.Context, customerID uuid.UUID) (wallet.Source, error) {
	w, err := s.Get(ctx, customerID)
	if err != nil {
		return wallet.Source{}, err
	}
	d, ok := w.Default()
	if !ok {
		return wallet.Source{}, fmt.Errorf("the wallet is empty: %w", wallet.ErrNotFound)
	}
	return d, nil
}

// Expired returns the customer's sources that have expired at now (the
// service's clock when now is zero), in wallet order: the ones to ask the
// customer to replace. Errors: as Get.
func (s *Wallet) Expired(ctx context.Context, customerID uuid.UUID, now time.Time) ([]wallet.Source, error) {
	if now.IsZero() {
		now = s.clock()
	}
	w, err := s.Get(ctx, customerID)
	if err != nil {
		return nil, err
	}
	return w.Expired(now), nil
}

// edit changes the customer's wallet with fn in one transaction that
// checks the customer is live, and emits the events describe returns,
// then wallet.default_changed when the default moved to another source.
func (s *Wallet) edit(ctx context.Context, customerID uuid.UUID, fn func(ctx context.Context, tx storage.Tx, w *wallet.Wallet) error,
	describe func(before, after wallet.Wallet) []event.Event) (wallet.Wallet, error) {
	var out wallet.Wallet
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := walletsOf(tx)
		if err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		var before wallet.Wallet
		w, err := repo.UpdateWallet(ctx, customerID, func(w *wallet.Wallet) error {
			before = w.Clone()
			return fn(ctx, tx, w)
		})
		if err != nil {
			return mapWalletErr(err)
		}
		out = w
		evs := describe(before, w)
		was, _ := before.Default()
		now, ok := w.Default()
		if ok && now.ID != was.ID {
			evs = append(evs, walletEvent(event.WalletDefaultChanged, customerID, now, nil))
		}
		for _, ev := range evs {
			if ev.Type == "" {
				return errors.New("clientele: a wallet event could not be built")
			}
		}
		return s.emit(ctx, tx, evs...)
	})
	return out, err
}

// walletEvent builds one wallet event; a failure (a bug) leaves the type
// empty, which edit reports.
func walletEvent(t event.Type, customerID uuid.UUID, src wallet.Source, changes []event.Change) event.Event {
	ev, err := newEvent(t, event.AggregateWallet, customerID.String(), customerID, 0,
		event.PaymentSourcePayload{Source: src, Changes: changes})
	if err != nil {
		return event.Event{}
	}
	return ev
}

// Add validates p and saves it in the customer's wallet; the first source
// becomes the default. Errors: customer.ErrNotFound,
// *wallet.ValidationError (a card number anywhere, an invalid field),
// wallet.ErrWalletFull, ErrUnsupported.
//
// It honours IdempotencyKey: a retried request returns the source it
// added (wallet.ErrNotFound if it was removed since).
func (s *Wallet) Add(ctx context.Context, customerID uuid.UUID, p wallet.Params, opts ...CallOption) (wallet.Source, error) {
	var src wallet.Source
	request := struct {
		CustomerID uuid.UUID     `json:"customer_id"`
		Params     wallet.Params `json:"params"`
	}{customerID, p.Clone()}
	err := s.once(ctx, "wallet.add", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			id := s.newID()
			_, err := s.edit(ctx, customerID, func(_ context.Context, _ storage.Tx, w *wallet.Wallet) error {
				_, err := w.Add(id, p, s.clock())
				return err
			}, func(_, after wallet.Wallet) []event.Event {
				src, _ = after.Get(id)
				return []event.Event{walletEvent(event.WalletSourceAdded, customerID, src, nil)}
			})
			return id.String(), err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err != nil {
				return err
			}
			repo, err := walletsOf(tx)
			if err != nil {
				return err
			}
			w, err := repo.Wallet(ctx, customerID)
			if err != nil {
				return mapWalletErr(err)
			}
			var ok bool
			if src, ok = w.Get(id); !ok {
				return fmt.Errorf("the payment source added with this key was removed since: %w", wallet.ErrNotFound)
			}
			return nil
		})
	if err != nil {
		return wallet.Source{}, err
	}
	return src, nil
}

// Update applies p to one source (its expiry, brand, last four digits,
// billing address or metadata; the provider and token never change).
// Errors: customer.ErrNotFound, wallet.ErrNotFound,
// *wallet.ValidationError, ErrUnsupported.
func (s *Wallet) Update(ctx context.Context, customerID, sourceID uuid.UUID, p wallet.Patch) (wallet.Source, error) {
	var src wallet.Source
	_, err := s.edit(ctx, customerID, func(_ context.Context, _ storage.Tx, w *wallet.Wallet) (err error) {
		src, err = w.Update(sourceID, p, s.clock())
		return err
	}, func(before, after wallet.Wallet) []event.Event {
		was, _ := before.Get(sourceID)
		now, _ := after.Get(sourceID)
		changes := diff(was, now)
		if len(changes) == 0 {
			return nil
		}
		return []event.Event{walletEvent(event.WalletSourceUpdated, customerID, now, changes)}
	})
	if err != nil {
		return wallet.Source{}, err
	}
	return src, nil
}

// SetDefault makes one source the default in place of the previous one
// and returns the wallet. Errors: customer.ErrNotFound,
// wallet.ErrNotFound, ErrUnsupported.
func (s *Wallet) SetDefault(ctx context.Context, customerID, sourceID uuid.UUID) (wallet.Wallet, error) {
	return s.edit(ctx, customerID, func(_ context.Context, _ storage.Tx, w *wallet.Wallet) error {
		return w.SetDefault(sourceID, s.clock())
	}, func(_, _ wallet.Wallet) []event.Event { return nil })
}

// Remove deletes one source and returns the wallet; when it was the
// default, the most recently added unexpired source becomes the default.
// A source that a live subscription charges is not removed: move the
// subscription to another source, or cancel it, first. Errors:
// customer.ErrNotFound, wallet.ErrNotFound, wallet.ErrSourceInUse,
// ErrUnsupported.
func (s *Wallet) Remove(ctx context.Context, customerID, sourceID uuid.UUID) (wallet.Wallet, error) {
	return s.edit(ctx, customerID, func(ctx context.Context, tx storage.Tx, w *wallet.Wallet) error {
		if _, ok := w.Get(sourceID); !ok {
			return wallet.ErrNotFound
		}
		// Under the customer's lock (UpdateWallet holds it while fn
		// runs), which recording a subscription takes too.
		if subs, err := subscriptionsOf(tx); err == nil {
			charging, err := subs.Charging(ctx, sourceID)
			if err != nil {
				return err
			}
			if len(charging) > 0 {
				return fmt.Errorf("%w: subscription %s", wallet.ErrSourceInUse, storage.Quote(charging[0].ID))
			}
		}
		return w.Remove(sourceID, s.clock())
	}, func(before, _ wallet.Wallet) []event.Event {
		was, _ := before.Get(sourceID)
		return []event.Event{walletEvent(event.WalletSourceRemoved, customerID, was, nil)}
	})
}
