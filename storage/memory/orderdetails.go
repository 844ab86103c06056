package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

type orderDetails struct{ repos }

type detailKey struct {
	orderID string
	kind    storage.DetailKind
	id      string
}

type detailList struct {
	orderID string
	kind    storage.DetailKind
}

// spendKey orders a currency's statistics by Spent descending, then
// customer ID ascending: the order of ListBySpend.
type spendKey struct {
	spent      int64
	customerID uuid.UUID
}

func lessSpendKey(a, b spendKey) bool {
	if a.spent != b.spent {
		return a.spent > b.spent
	}
	return bytes.Compare(a.customerID[:], b.customerID[:]) < 0
}

func checkDetailKeys(orderID, id string) error {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return err
	}
	return storage.CheckKey("id", id)
}

func (r orderDetails) CreateDetail(ctx context.Context, d storage.OrderDetail) error {
	d, err := storage.StoredDetail(d)
	if err != nil {
		return err
	}
	return r.write(ctx, func(t *txn) error {
		db := t.db
		if _, ok := db.orders[d.OrderID]; !ok {
			return orderNotFound(d.OrderID)
		}
		k := detailKey{d.OrderID, d.Kind, d.ID}
		if _, ok := db.details[k]; ok {
			return storage.Conflict(storage.ConstraintOrderDetail, nil)
		}
		put(t, db.details, k, d)
		put(t, innerFor(t, db.detailsOf, detailList{d.OrderID, d.Kind}), d.ID, struct{}{})
		return nil
	})
}

func (r orderDetails) PutDetail(ctx context.Context, d storage.OrderDetail) error {
	d, err := storage.StoredDetail(d)
	if err != nil {
		return err
	}
	return r.write(ctx, func(t *txn) error {
		k := detailKey{d.OrderID, d.Kind, d.ID}
		old, ok := t.db.details[k]
		if !ok {
			return detailNotFound(d.Kind, d.ID)
		}
		if err := storage.CheckDetailChange(old, d); err != nil {
			return err
		}
		put(t, t.db.details, k, d)
		return nil
	})
}

func (r orderDetails) Detail(ctx context.Context, orderID string, kind storage.DetailKind, id string) (out storage.OrderDetail, err error) {
	if err := checkDetailKeys(orderID, id); err != nil {
		return out, err
	}
	err = r.read(ctx, func(db *db) error {
		d, ok := db.details[detailKey{orderID, kind, id}]
		if !ok {
			return detailNotFound(kind, id)
		}
		out = d
		return nil
	})
	return out, err
}

func (r orderDetails) Details(ctx context.Context, orderID string, kind storage.DetailKind) (out []storage.OrderDetail, err error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return nil, err
	}
	err = r.read(ctx, func(db *db) error {
		out = make([]storage.OrderDetail, 0, len(db.detailsOf[detailList{orderID, kind}]))
		for id := range db.detailsOf[detailList{orderID, kind}] {
			out = append(out, db.details[detailKey{orderID, kind, id}])
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.OrderDetail) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

func (r orderDetails) Span(ctx context.Context, customerID uuid.UUID, c balance.Currency, withCancelled bool) (first, last time.Time, err error) {
	err = r.read(ctx, func(d *db) error {
		tree := d.ordersByCustomer[customerID]
		if tree == nil {
			return nil
		}
		tree.Ascend(func(k orderKey) bool {
			o := d.orders[k.id]
			if o.Total.Currency() != c || (!withCancelled && o.Status == order.StatusCancelled) {
				return true
			}
			if first.IsZero() || o.PlacedAt.Before(first) {
				first = o.PlacedAt
			}
			if o.PlacedAt.After(last) {
				last = o.PlacedAt
			}
			return true
		})
		return nil
	})
	return first, last, err
}

func (r orderDetails) Stats(ctx context.Context, customerID uuid.UUID) (out []order.Stats, err error) {
	err = r.read(ctx, func(db *db) error {
		for code := range db.statsOf[customerID] {
			out = append(out, db.stats[accountKey{customerID, code}])
		}
		return nil
	})
	slices.SortFunc(out, func(a, b order.Stats) int { return strings.Compare(a.Currency.Code(), b.Currency.Code()) })
	if out == nil {
		out = []order.Stats{}
	}
	return out, err
}

func (r orderDetails) UpdateStats(ctx context.Context, customerID uuid.UUID, c balance.Currency, fn func(*order.Stats) error) (out order.Stats, err error) {
	err = r.write(ctx, func(t *txn) error {
		db := t.db
		if !db.customers.has(customerID) {
			return fmt.Errorf("customer %v: %w", customerID, storage.ErrCustomerNotLive)
		}
		k := accountKey{customerID, c.Code()}
		old, had := db.stats[k]
		if !had {
			old = order.NewStats(customerID, c)
		}
		work := old
		if err := fn(&work); err != nil {
			return err
		}
		work.CustomerID, work.Currency = customerID, c
		s, err := storage.StoredStats(work)
		if err != nil {
			return err
		}
		tree := treeFor(t, db.spendIndex, c.Code(), lessSpendKey)
		if had {
			remove(t, tree, spendKey{old.Spent.MinorUnits(), customerID})
		}
		insert(t, tree, spendKey{s.Spent.MinorUnits(), customerID})
		put(t, db.stats, k, s)
		put(t, innerFor(t, db.statsOf, customerID), c.Code(), struct{}{})
		out = s
		return nil
	})
	return out, err
}

func (r orderDetails) ListBySpend(ctx context.Context, f order.StatsFilter, p storage.PageRequest) (out storage.Page[order.Stats], err error) {
	if err := f.Validate(); err != nil {
		return out, err
	}
	if p.Cursor != "" {
		if _, err := spendFrom(p.Cursor); err != nil {
			return out, err
		}
	}
	err = r.read(ctx, func(db *db) error {
		tree := db.spendIndex[f.Currency.Code()]
		if tree == nil {
			out = storage.Page[order.Stats]{Items: []order.Stats{}}
			return nil
		}
		out, err = pageAfter(tree, lessSpendKey, storage.ListSpend, p,
			func(c storage.Cursor) (spendKey, error) { return spendFrom(p.Cursor) },
			func(k spendKey) storage.Cursor { return storage.Cursor{Seq: k.spent, Key: k.customerID.String()} },
			func(k spendKey, dst *order.Stats) bool {
				s := db.stats[accountKey{k.customerID, f.Currency.Code()}]
				if !f.Match(s) {
					return false
				}
				if dst != nil {
					*dst = s
				}
				return true
			})
		return err
	})
	return out, err
}

func detailNotFound(kind storage.DetailKind, id string) error {
	return fmt.Errorf("%s %s: %w", kind, storage.Quote(id), storage.ErrNotFound)
}

// spendFrom decodes a ListBySpend cursor: (Spent, customer ID).
func spendFrom(cursor string) (spendKey, error) {
	c, err := storage.ParseCursor(storage.ListSpend, cursor)
	if err != nil {
		return spendKey{}, err
	}
	id, err := uuid.Parse(c.Key)
	if err != nil || !c.Time.IsZero() {
		return spendKey{}, fmt.Errorf("%w: not a spend list position", storage.ErrInvalidCursor)
	}
	return spendKey{c.Seq, id}, nil
}
