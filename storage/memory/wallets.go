package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// PaymentSources returns the wallet repository: the store has the
// storage.Wallets capability.
func (s *Store) PaymentSources() storage.PaymentSources { return paymentSources{repos{store: s}} }

// PaymentSources returns the wallet repository (the storage.Wallets
// capability).
func (r repos) PaymentSources() storage.PaymentSources { return paymentSources{r} }

// SubscriptionRefs returns the subscription repository: the store has the
// storage.Subscriptions capability.
func (s *Store) SubscriptionRefs() storage.SubscriptionRefs { return subscriptionRefs{repos{store: s}} }

// SubscriptionRefs returns the subscription repository (the
// storage.Subscriptions capability).
func (r repos) SubscriptionRefs() storage.SubscriptionRefs { return subscriptionRefs{r} }

var (
	_ storage.Wallets       = (*Store)(nil)
	_ storage.Wallets       = repos{}
	_ storage.Subscriptions = (*Store)(nil)
	_ storage.Subscriptions = repos{}
)

type paymentSources struct{ repos }

// wallet returns a copy of the customer's wallet, empty when absent.
func (d *db) wallet(customerID uuid.UUID) wallet.Wallet {
	if w, ok := d.wallets[customerID]; ok {
		return w.Clone()
	}
	return wallet.Wallet{CustomerID: customerID}
}

func (r paymentSources) Wallet(ctx context.Context, customerID uuid.UUID) (out wallet.Wallet, err error) {
	err = r.read(ctx, func(d *db) error {
		if !d.customers.has(customerID) {
			return notFound("customer", customerID)
		}
		out = d.wallet(customerID)
		return nil
	})
	return out, err
}

func (r paymentSources) UpdateWallet(ctx context.Context, customerID uuid.UUID, fn func(*wallet.Wallet) error) (out wallet.Wallet, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		c, ok := d.customers.rec(customerID)
		if !ok {
			return d.liveCustomer(customerID)
		}
		live := c.live() // c is valid only until fn may add a customer
		old := d.wallet(customerID)
		work := old.Clone()
		if err := fn(&work); err != nil {
			return err
		}
		w, err := storage.StoredWallet(old, work, customerID, live)
		if err != nil {
			return err
		}
		ids := make(map[uuid.UUID]bool, len(w.Sources))
		for _, s := range w.Sources {
			if owner, ok := d.sourceOwner[s.ID]; ids[s.ID] || (ok && owner != customerID) {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
			ids[s.ID] = true
		}
		for _, s := range old.Sources {
			if !ids[s.ID] {
				del(t, d.sourceOwner, s.ID)
			}
		}
		for id := range ids {
			put(t, d.sourceOwner, id, customerID)
		}
		if len(w.Sources) == 0 {
			del(t, d.wallets, customerID)
		} else {
			put(t, d.wallets, customerID, w)
		}
		out = w.Clone()
		return nil
	})
	return out, err
}

func (r paymentSources) Delete(ctx context.Context, customerID uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		w, ok := d.wallets[customerID]
		n = 0
		if !ok {
			return nil
		}
		for _, s := range w.Sources {
			del(t, d.sourceOwner, s.ID)
		}
		del(t, d.wallets, customerID)
		n = len(w.Sources)
		return nil
	})
	return n, err
}

type subscriptionRefs struct{ repos }

func subscriptionNotFound(id string) error {
	return fmt.Errorf("subscription %s: %w", storage.Quote(id), storage.ErrNotFound)
}

// liveSubscriptions counts the customer's live subscriptions.
func (d *db) liveSubscriptions(customerID uuid.UUID) int {
	n := 0
	if tree := d.subsByCustomer[customerID]; tree != nil {
		tree.Ascend(func(k orderKey) bool {
			if d.subscriptions[k.id].Live() {
				n++
			}
			return true
		})
	}
	return n
}

// indexSource records (or, with add false, forgets) that s names its
// payment source.
func indexSource(t *txn, d *db, s subscription.Subscription, add bool) {
	if s.PaymentSourceID == nil {
		return
	}
	if add {
		put(t, innerFor(t, d.subsBySource, *s.PaymentSourceID), s.ID, true)
		return
	}
	if inner := d.subsBySource[*s.PaymentSourceID]; inner != nil {
		del(t, inner, s.ID)
	}
}

func (r subscriptionRefs) Create(ctx context.Context, s subscription.Subscription) (subscription.Subscription, error) {
	s, err := storage.NewSubscription(s)
	if err != nil {
		return subscription.Subscription{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if err := d.liveCustomer(s.CustomerID); err != nil {
			return err
		}
		if _, ok := d.subscriptions[s.ID]; ok {
			return storage.Conflict(storage.ConstraintSubscriptionID, nil)
		}
		if s.Live() && d.liveSubscriptions(s.CustomerID) >= subscription.MaxPerCustomer {
			return subscription.ErrTooMany
		}
		put(t, d.subscriptions, s.ID, s)
		insert(t, treeFor(t, d.subsByCustomer, s.CustomerID, lessOrderKey), orderKey{s.CreatedAt, s.ID})
		indexSource(t, d, s, true)
		return nil
	})
	if err != nil {
		return subscription.Subscription{}, err
	}
	return s.Clone(), nil
}

func (r subscriptionRefs) Get(ctx context.Context, id string) (out subscription.Subscription, err error) {
	if err := storage.CheckKey("id", id); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		s, ok := d.subscriptions[id]
		if !ok {
			return subscriptionNotFound(id)
		}
		out = s.Clone()
		return nil
	})
	return out, err
}

func (r subscriptionRefs) Update(ctx context.Context, id string, fn func(*subscription.Subscription) error) (out subscription.Subscription, err error) {
	if err := storage.CheckKey("id", id); err != nil {
		return out, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.subscriptions[id]
		if !ok {
			return subscriptionNotFound(id)
		}
		s, err := storage.UpdateSubscription(old, fn)
		if err != nil {
			return err
		}
		if linksSource(old, s) {
			if err := d.liveCustomer(old.CustomerID); err != nil {
				return err
			}
		}
		if s.Live() && !old.Live() && d.liveSubscriptions(s.CustomerID) >= subscription.MaxPerCustomer {
			return subscription.ErrTooMany
		}
		indexSource(t, d, old, false)
		indexSource(t, d, s, true)
		put(t, d.subscriptions, id, s)
		out = s.Clone()
		return nil
	})
	return out, err
}

// linksSource reports whether s charges a payment source old did not.
func linksSource(old, s subscription.Subscription) bool {
	return s.PaymentSourceID != nil && (old.PaymentSourceID == nil || *old.PaymentSourceID != *s.PaymentSourceID)
}

func (r subscriptionRefs) List(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (out storage.Page[subscription.Subscription], err error) {
	err = r.read(ctx, func(d *db) error {
		tree := d.subsByCustomer[customerID]
		if tree == nil {
			_, err := storage.ParseCursor(storage.ListSubscriptions, p.Cursor)
			return err
		}
		out, err = pageAfter(tree, lessOrderKey, storage.ListSubscriptions, p,
			func(c storage.Cursor) (orderKey, error) { return orderKey{c.Time, c.Key}, nil },
			func(k orderKey) storage.Cursor { return storage.Cursor{Time: k.at, Key: k.id} },
			every(func(k orderKey) subscription.Subscription { return d.subscriptions[k.id].Clone() }))
		return err
	})
	return out, err
}

func (r subscriptionRefs) Charging(ctx context.Context, sourceID uuid.UUID) (out []subscription.Subscription, err error) {
	err = r.read(ctx, func(d *db) error {
		out = nil
		for id := range d.subsBySource[sourceID] {
			if s := d.subscriptions[id]; s.Charges(sourceID) {
				out = append(out, s.Clone())
			}
		}
		slices.SortFunc(out, func(a, b subscription.Subscription) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareStrings(a.ID, b.ID)
		})
		return nil
	})
	return out, err
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r subscriptionRefs) Unlink(ctx context.Context, customerID uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		tree := d.subsByCustomer[customerID]
		if tree == nil {
			return nil
		}
		var ids []string
		tree.Ascend(func(k orderKey) bool {
			if d.subscriptions[k.id].PaymentSourceID != nil {
				ids = append(ids, k.id)
			}
			return true
		})
		for _, id := range ids {
			s := d.subscriptions[id]
			indexSource(t, d, s, false)
			s = s.Clone()
			s.PaymentSourceID = nil
			s.Version++
			put(t, d.subscriptions, id, s)
			n++
		}
		return nil
	})
	return n, err
}

func (r subscriptionRefs) Reassign(ctx context.Context, from, to uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		if err := d.liveCustomer(to); err != nil {
			return err
		}
		tree := d.subsByCustomer[from]
		if tree == nil || from == to {
			return nil
		}
		var keys []orderKey
		tree.Ascend(func(k orderKey) bool {
			keys = append(keys, k)
			return true
		})
		live := d.liveSubscriptions(to)
		for _, k := range keys {
			if d.subscriptions[k.id].Live() {
				live++
			}
		}
		if live > subscription.MaxPerCustomer {
			return subscription.ErrTooMany
		}
		dst := treeFor(t, d.subsByCustomer, to, lessOrderKey)
		for _, k := range keys {
			s := d.subscriptions[k.id].Clone()
			s.CustomerID = to
			s.Version++
			put(t, d.subscriptions, k.id, s)
			remove(t, tree, k)
			insert(t, dst, k)
			n++
		}
		return nil
	})
	return n, err
}
