package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// Wallets (storage.Wallets, schema version 7): one row per payment source
// in payment_sources, the billing address and the metadata as JSON text, a
// unique index that allows one default per customer. As for the address
// book, the customer's row is the lock of the wallet (see live.go), and
// the sources are read under it with locking reads.
//
// Subscriptions (storage.Subscriptions, schema version 8): one row per
// subscription, keyed by the host's ID; Create and Update take the
// customer's lock first, so that they serialize with the wallet's writes.

type paymentSources struct{ base }

type subscriptionRefs struct{ base }

// PaymentSources returns the wallet repository: the store has the
// storage.Wallets capability (schema version 7).
func (s *Store) PaymentSources() storage.PaymentSources { return paymentSources{base{s: s}} }

// PaymentSources returns the transaction's wallet repository.
func (r repos) PaymentSources() storage.PaymentSources { return paymentSources{base{fixed: &r.c}} }

// SubscriptionRefs returns the subscription repository: the store has the
// storage.Subscriptions capability (schema version 8).
func (s *Store) SubscriptionRefs() storage.SubscriptionRefs { return subscriptionRefs{base{s: s}} }

// SubscriptionRefs returns the transaction's subscription repository.
func (r repos) SubscriptionRefs() storage.SubscriptionRefs {
	return subscriptionRefs{base{fixed: &r.c}}
}

var (
	_ storage.Wallets       = (*Store)(nil)
	_ storage.Wallets       = repos{}
	_ storage.Subscriptions = (*Store)(nil)
	_ storage.Subscriptions = repos{}
)

const sourceColumns = `id, customer_id, provider, token_ref, source_type, brand, last4, exp_month, exp_year,
	billing_address, is_default, metadata, created_at, updated_at`

var sourceConstraints = map[string]storage.Constraint{
	"payment_sources_pkey":    storage.ConstraintPrimaryKey,
	"payment_sources_default": storage.ConstraintWalletDefault,
}

// sourceArgs returns s's column values in sourceColumns order.
func sourceArgs(s wallet.Source) ([]any, error) {
	var billing sql.NullString
	if s.BillingAddress != nil {
		b, err := jsonText(s.BillingAddress)
		if err != nil {
			return nil, err
		}
		billing = sql.NullString{String: b, Valid: true}
	}
	meta, err := jsonText(nonNilMap(s.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{
		s.ID.String(), s.CustomerID.String(), s.Provider, s.TokenRef, s.Type.String(), s.Brand, s.Last4,
		int64(s.ExpMonth), int64(s.ExpYear), billing, s.IsDefault, meta, micros(s.CreatedAt), micros(s.UpdatedAt),
	}, nil
}

func scanSource(r scanner) (wallet.Source, error) {
	var (
		s                wallet.Source
		typ, meta        string
		billing          sql.NullString
		month, year      int64
		created, updated int64
	)
	err := r.Scan(scanUUID{&s.ID}, scanUUID{&s.CustomerID}, &s.Provider, &s.TokenRef, &typ, &s.Brand, &s.Last4,
		&month, &year, &billing, &s.IsDefault, &meta, &created, &updated)
	if err != nil {
		return wallet.Source{}, err
	}
	if s.Type, err = wallet.ParseType(typ); err != nil {
		return wallet.Source{}, err
	}
	if billing.Valid {
		s.BillingAddress = new(address.Address)
		if err := fromJSON(billing.String, s.BillingAddress); err != nil {
			return wallet.Source{}, err
		}
	}
	if err := fromJSON(meta, &s.Metadata); err != nil {
		return wallet.Source{}, err
	}
	s.ExpMonth, s.ExpYear = int(month), int(year)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, nil
}

func (r paymentSources) Wallet(ctx context.Context, customerID uuid.UUID) (wallet.Wallet, error) {
	return read(ctx, r.conn(ctx), func() (wallet.Wallet, error) {
		cn := r.conn(ctx)
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers WHERE id = ?`, customerID.String()).Scan(&one)
		if err != nil {
			return wallet.Wallet{}, noRows(err, "customer", customerID)
		}
		return cn.wallet(ctx, customerID, "")
	})
}

// wallet reads the customer's sources ordered by (CreatedAt, ID); lock is
// "" or the dialect's ForUpdate (see book).
func (c conn) wallet(ctx context.Context, customerID uuid.UUID, lock string) (wallet.Wallet, error) {
	w := wallet.Wallet{CustomerID: customerID}
	rows, err := c.query(ctx, `SELECT `+sourceColumns+` FROM {{prefix}}payment_sources
		WHERE customer_id = ? ORDER BY created_at, id`+lock, customerID.String())
	if err != nil {
		return wallet.Wallet{}, err
	}
	if w.Sources, err = collect(rows, 0, scanSource); err != nil {
		return wallet.Wallet{}, err
	}
	slices.SortStableFunc(w.Sources, func(x, y wallet.Source) int { // UUID order may not be byte order
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return compareUUIDs(x.ID, y.ID)
	})
	return w, nil
}

const (
	insertSource = `INSERT INTO {{prefix}}payment_sources (` + sourceColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateSource = `UPDATE {{prefix}}payment_sources SET customer_id = ?, provider = ?, token_ref = ?, source_type = ?,
	brand = ?, last4 = ?, exp_month = ?, exp_year = ?, billing_address = ?, is_default = ?, metadata = ?,
	created_at = ?, updated_at = ? WHERE id = ?`
)

func (r paymentSources) UpdateWallet(ctx context.Context, customerID uuid.UUID, fn func(*wallet.Wallet) error) (wallet.Wallet, error) {
	var out wallet.Wallet
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer's row is the lock of the wallet, taken even when
		// it is empty; the sources are then read with a locking read,
		// which sees the latest committed rows.
		live, err := cn.lockCustomer(ctx, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		old, err := cn.wallet(ctx, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		work := old.Clone()
		if err := fn(&work); err != nil {
			return err
		}
		w, err := storage.StoredWallet(old, work, customerID, live)
		if err != nil {
			return err
		}
		if err := cn.writeWalletDiff(ctx, old, w); err != nil {
			return err
		}
		out = w
		return nil
	})
	if err != nil {
		return wallet.Wallet{}, err
	}
	return out.Clone(), nil
}

// writeWalletDiff stores the difference between old and w in an order
// that never holds two defaults (the unique index checks each statement):
// deletes, then the default flags sources lose, then other changes, then
// inserts.
func (c conn) writeWalletDiff(ctx context.Context, old, w wallet.Wallet) error {
	next := make(map[uuid.UUID]wallet.Source, len(w.Sources))
	for _, s := range w.Sources {
		next[s.ID] = s
	}
	prev := make(map[uuid.UUID]wallet.Source, len(old.Sources))
	for _, s := range old.Sources {
		prev[s.ID] = s
		if _, kept := next[s.ID]; !kept {
			if _, err := c.exec(ctx, `DELETE FROM {{prefix}}payment_sources WHERE id = ?`, s.ID.String()); err != nil {
				return err
			}
		}
	}
	for _, s := range old.Sources {
		if n, kept := next[s.ID]; kept && s.IsDefault && !n.IsDefault {
			if _, err := c.exec(ctx, `UPDATE {{prefix}}payment_sources SET is_default = ? WHERE id = ?`, false, s.ID.String()); err != nil {
				return err
			}
		}
	}
	var inserts []wallet.Source
	for _, s := range w.Sources {
		o, exists := prev[s.ID]
		if !exists {
			inserts = append(inserts, s)
			continue
		}
		if o.Equal(s) {
			continue
		}
		args, err := sourceArgs(s)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, updateSource, append(args[1:], s.ID.String())...); err != nil {
			return c.uniqueConflict(err, sourceConstraints, nil)
		}
	}
	for _, s := range inserts {
		args, err := sourceArgs(s)
		if err != nil {
			return err
		}
		n, err := c.exec(ctx, c.s.dialect.InsertOrNothing(insertSource), args...)
		if err != nil {
			return c.uniqueConflict(err, sourceConstraints, nil)
		}
		if n == 0 {
			// The ID is taken (by another customer's source), or, in a
			// race with a writer that bypassed the lock, a default.
			var one int
			err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}payment_sources WHERE id = ?`+c.s.dialect.ForShare(), s.ID.String()).Scan(&one)
			if err == nil {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			return storage.Conflict(storage.ConstraintWalletDefault, nil)
		}
	}
	return nil
}

func (r paymentSources) Delete(ctx context.Context, customerID uuid.UUID) (int, error) {
	var n int64
	err := r.conn(ctx).single(ctx, func(cn conn) error {
		var err error
		n, err = cn.exec(ctx, `DELETE FROM {{prefix}}payment_sources WHERE customer_id = ?`, customerID.String())
		return err
	})
	return int(n), err
}

const subscriptionColumns = `id, customer_id, plan, status, next_charge_at, payment_source_id, created_at,
	updated_at, version`

func subscriptionArgs(s subscription.Subscription) []any {
	var source any
	if s.PaymentSourceID != nil {
		source = s.PaymentSourceID.String()
	}
	return []any{s.ID, s.CustomerID.String(), s.Plan, s.Status.String(), nullMicros(s.NextChargeAt), source,
		micros(s.CreatedAt), micros(s.UpdatedAt), s.Version}
}

func scanSubscription(r scanner) (subscription.Subscription, error) {
	var (
		s                subscription.Subscription
		status           string
		next             sql.NullInt64
		source           uuid.UUID
		created, updated int64
	)
	err := r.Scan(&s.ID, scanUUID{&s.CustomerID}, &s.Plan, &status, &next, scanUUID{&source}, &created, &updated, &s.Version)
	if err != nil {
		return subscription.Subscription{}, err
	}
	if s.Status, err = subscription.ParseStatus(status); err != nil {
		return subscription.Subscription{}, err
	}
	if source != uuid.Nil {
		s.PaymentSourceID = &source
	}
	s.NextChargeAt = fromNullMicros(next)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, nil
}

var subscriptionConstraints = map[string]storage.Constraint{
	"subscriptions_pkey": storage.ConstraintSubscriptionID,
}

const insertSubscription = `INSERT INTO {{prefix}}subscriptions (` + subscriptionColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// liveSubscriptions counts the customer's live subscriptions (the caller
// holds the customer's lock).
func (c conn) liveSubscriptions(ctx context.Context, customerID uuid.UUID) (int, error) {
	// The rows themselves, with a shared lock (no engine locks an
	// aggregate's rows); there are at most MaxPerCustomer of them.
	rows, err := c.query(ctx, `SELECT id FROM {{prefix}}subscriptions WHERE customer_id = ? AND status <> ?`+c.s.dialect.ForShare(),
		customerID.String(), subscription.Cancelled.String())
	if err != nil {
		return 0, err
	}
	ids, err := collect(rows, 0, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	return len(ids), err
}

func (r subscriptionRefs) Create(ctx context.Context, s subscription.Subscription) (subscription.Subscription, error) {
	s, err := storage.NewSubscription(s)
	if err != nil {
		return subscription.Subscription{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.lockLiveCustomer(ctx, s.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		if s.Live() {
			n, err := cn.liveSubscriptions(ctx, s.CustomerID)
			if err != nil {
				return err
			}
			if n >= subscription.MaxPerCustomer {
				return subscription.ErrTooMany
			}
		}
		if err := cn.touchSource(ctx, s.PaymentSourceID); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertSubscription), subscriptionArgs(s)...)
		if err != nil {
			return cn.uniqueConflict(err, subscriptionConstraints, func() (storage.Constraint, error) {
				return storage.ConstraintSubscriptionID, nil // the ID is the table's only key
			})
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintSubscriptionID, nil)
		}
		return nil
	})
	if err != nil {
		return subscription.Subscription{}, err
	}
	return s.Clone(), nil
}

// touchSource writes the payment source's row without changing it, when
// a subscription starts charging it: a transaction that read the source
// before (a removal, under the customer's lock) and has not yet read the
// subscriptions then fails at PostgreSQL's REPEATABLE READ and
// SERIALIZABLE with a serialization failure on its locking read or its
// delete, and Atomic runs it again, where its snapshot would otherwise
// hide the new subscription. (At READ COMMITTED, and on MySQL, whose
// locking reads see the latest rows, the customer's lock suffices.)
func (c conn) touchSource(ctx context.Context, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	_, err := c.exec(ctx, `UPDATE {{prefix}}payment_sources SET updated_at = updated_at WHERE id = ?`, id.String())
	return err
}

func (r subscriptionRefs) Get(ctx context.Context, id string) (subscription.Subscription, error) {
	if err := storage.CheckKey("id", id); err != nil {
		return subscription.Subscription{}, err
	}
	return read(ctx, r.conn(ctx), func() (subscription.Subscription, error) {
		s, err := scanSubscription(r.conn(ctx).queryRow(ctx, `SELECT `+subscriptionColumns+` FROM {{prefix}}subscriptions WHERE id = ?`, id))
		return s, noRows(err, "subscription", id)
	})
}

const updateSubscription = `UPDATE {{prefix}}subscriptions SET customer_id = ?, plan = ?, status = ?,
	next_charge_at = ?, payment_source_id = ?, created_at = ?, updated_at = ?, version = ? WHERE id = ?`

func (r subscriptionRefs) Update(ctx context.Context, id string, fn func(*subscription.Subscription) error) (subscription.Subscription, error) {
	if err := storage.CheckKey("id", id); err != nil {
		return subscription.Subscription{}, err
	}
	var out subscription.Subscription
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer first (the order every writer of its wallet and
		// subscriptions takes locks in), found with a plain read of the
		// subscription: its customer never changes.
		var customerID uuid.UUID
		err := cn.queryRow(ctx, `SELECT customer_id FROM {{prefix}}subscriptions WHERE id = ?`, id).Scan(scanUUID{&customerID})
		if err != nil {
			return noRows(err, "subscription", id)
		}
		live, err := cn.lockCustomer(ctx, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		old, err := scanSubscription(cn.queryRow(ctx, `SELECT `+subscriptionColumns+` FROM {{prefix}}subscriptions
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id))
		if err != nil {
			return noRows(err, "subscription", id)
		}
		s, err := storage.UpdateSubscription(old, fn)
		if err != nil {
			return err
		}
		if s.PaymentSourceID != nil && (old.PaymentSourceID == nil || *old.PaymentSourceID != *s.PaymentSourceID) {
			if !live {
				return customerNotLive(customerID)
			}
			if err := cn.touchSource(ctx, s.PaymentSourceID); err != nil {
				return err
			}
		}
		if s.Live() && !old.Live() {
			n, err := cn.liveSubscriptions(ctx, customerID)
			if err != nil {
				return err
			}
			if n >= subscription.MaxPerCustomer {
				return subscription.ErrTooMany
			}
		}
		args := subscriptionArgs(s)
		if _, err := cn.exec(ctx, updateSubscription, append(args[1:], id)...); err != nil {
			return err
		}
		out = s
		return nil
	})
	if err != nil {
		return subscription.Subscription{}, err
	}
	return out.Clone(), nil
}

func (r subscriptionRefs) List(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (storage.Page[subscription.Subscription], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[subscription.Subscription], error) {
		var page storage.Page[subscription.Subscription]
		var (
			at    int64
			key   string
			after bool
		)
		if p.Cursor != "" {
			c, err := storage.ParseCursor(storage.ListSubscriptions, p.Cursor)
			if err != nil {
				return page, err
			}
			if c.Key == "" || c.Seq != 0 || !storable(c.Key) {
				return page, fmt.Errorf("%w: not a subscription list position", storage.ErrInvalidCursor)
			}
			at, key, after = micros(c.Time), c.Key, true
		}
		id := r.conn(ctx).s.dialect.Binary("id")
		q := `SELECT ` + subscriptionColumns + ` FROM {{prefix}}subscriptions WHERE customer_id = ?`
		args := []any{customerID.String()}
		if after {
			q += ` AND ` + keysetAfter("created_at", id)
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		q += ` ORDER BY created_at, ` + id + ` LIMIT ` + itoa(limit)
		rows, err := r.conn(ctx).query(ctx, q, args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, 0, scanSubscription)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(s subscription.Subscription) storage.Cursor {
			return storage.Cursor{List: storage.ListSubscriptions, Time: s.CreatedAt, Key: s.ID}
		}), nil
	})
}

func (r subscriptionRefs) Charging(ctx context.Context, sourceID uuid.UUID) ([]subscription.Subscription, error) {
	return read(ctx, r.conn(ctx), func() ([]subscription.Subscription, error) {
		cn := r.conn(ctx)
		lock := ""
		if cn.tx != nil {
			lock = cn.s.dialect.ForShare() // the latest committed rows, not the snapshot
		}
		rows, err := cn.query(ctx, `SELECT `+subscriptionColumns+` FROM {{prefix}}subscriptions
			WHERE payment_source_id = ? AND status <> ?`+lock, sourceID.String(), subscription.Cancelled.String())
		if err != nil {
			return nil, err
		}
		out, err := collect(rows, 0, scanSubscription)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(out, func(a, b subscription.Subscription) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareStrings(a.ID, b.ID)
		})
		return out, nil
	})
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

func (r subscriptionRefs) Unlink(ctx context.Context, customerID uuid.UUID) (int, error) {
	var n int64
	err := r.conn(ctx).single(ctx, func(cn conn) error {
		var err error
		n, err = cn.exec(ctx, `UPDATE {{prefix}}subscriptions SET payment_source_id = NULL, version = version + 1
			WHERE customer_id = ? AND payment_source_id IS NOT NULL`, customerID.String())
		return err
	})
	return int(n), err
}

func (r subscriptionRefs) Reassign(ctx context.Context, from, to uuid.UUID) (int, error) {
	var n int64
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		n = 0
		if err := cn.lockLiveCustomer(ctx, to, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		var err error
		if n, err = cn.exec(ctx, `UPDATE {{prefix}}subscriptions SET customer_id = ?, version = version + 1
			WHERE customer_id = ?`, to.String(), from.String()); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		live, err := cn.liveSubscriptions(ctx, to)
		if err != nil {
			return err
		}
		if live > subscription.MaxPerCustomer {
			return subscription.ErrTooMany
		}
		return nil
	})
	return int(n), err
}
