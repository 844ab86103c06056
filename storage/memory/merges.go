package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

type merges struct{ repos }

// Lock reads both customers; a transaction holds the store's lock, which
// serializes it with every other write.
func (r merges) Lock(ctx context.Context, a, b uuid.UUID) (ca, cb customer.Customer, err error) {
	err = r.read(ctx, func(d *db) error {
		var ok bool
		if ca, ok = d.customers.get(a); !ok {
			return notFound("customer", a)
		}
		if cb, ok = d.customers.get(b); !ok {
			return notFound("customer", b)
		}
		return nil
	})
	return ca, cb, err
}

func (r merges) Holdings(ctx context.Context, customerID uuid.UUID) (h storage.MergeHoldings, err error) {
	err = r.read(ctx, func(d *db) error {
		h = storage.MergeHoldings{}
		if t := d.ordersByCustomer[customerID]; t != nil {
			t.Ascend(func(k orderKey) bool {
				h.Orders = append(h.Orders, k.id)
				return true
			})
		}
		if t := d.memberOf[customerID]; t != nil {
			t.Ascend(func(k timeKey) bool {
				h.Groups = append(h.Groups, k.id)
				return true
			})
		}
		for _, id := range d.accountsOf[customerID] {
			h.Accounts = append(h.Accounts, id)
		}
		slices.Sort(h.Orders)
		slices.SortFunc(h.Groups, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		slices.SortFunc(h.Accounts, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		return nil
	})
	return h, err
}

func (r merges) Create(ctx context.Context, t customer.Tombstone) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return r.write(ctx, func(tx *txn) error {
		d := tx.db
		if _, ok := d.tombstones[t.MergedID]; ok {
			return storage.Conflict(storage.ConstraintTombstone, nil)
		}
		for id, old := range d.tombstones {
			if old.SurvivorID == t.MergedID {
				old.SurvivorID = t.SurvivorID
				put(tx, d.tombstones, id, old)
			}
		}
		put(tx, d.tombstones, t.MergedID, t)
		return nil
	})
}

func (r merges) Get(ctx context.Context, mergedID uuid.UUID) (out customer.Tombstone, err error) {
	err = r.read(ctx, func(d *db) error {
		t, ok := d.tombstones[mergedID]
		if !ok {
			return notFound("tombstone of customer", mergedID)
		}
		out = t
		return nil
	})
	return out, err
}

// latest returns the most recent tombstone that match accepts. The memory
// store scans: merges are rare, and lookups by email or reference of a
// merged customer rarer.
func (r merges) latest(ctx context.Context, what string, match func(customer.Tombstone) bool) (out customer.Tombstone, err error) {
	err = r.read(ctx, func(d *db) error {
		found := false
		for _, t := range d.tombstones {
			if !match(t) {
				continue
			}
			if !found || t.MergedAt.After(out.MergedAt) ||
				(t.MergedAt.Equal(out.MergedAt) && bytes.Compare(t.MergedID[:], out.MergedID[:]) > 0) {
				out, found = t, true
			}
		}
		if !found {
			return fmt.Errorf("memory: no tombstone with %s: %w", what, storage.ErrNotFound)
		}
		return nil
	})
	return out, err
}

func (r merges) ByEmail(ctx context.Context, email string, hasAccount bool) (customer.Tombstone, error) {
	if err := storage.CheckKey("email", email); err != nil {
		return customer.Tombstone{}, err
	}
	return r.latest(ctx, "that email", func(t customer.Tombstone) bool {
		return email != "" && t.Email == email && t.HasAccount == hasAccount
	})
}

func (r merges) ByReference(ctx context.Context, origin, reference string) (customer.Tombstone, error) {
	if err := storage.CheckKey("origin", origin); err != nil {
		return customer.Tombstone{}, err
	}
	if err := storage.CheckKey("reference", reference); err != nil {
		return customer.Tombstone{}, err
	}
	return r.latest(ctx, "that reference", func(t customer.Tombstone) bool {
		return reference != "" && t.ReferenceOrigin == origin && t.Reference == reference
	})
}

func (r merges) Scrub(ctx context.Context, customerID uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(tx *txn) error {
		n = 0
		d := tx.db
		for id, t := range d.tombstones {
			if t.MergedID != customerID && t.SurvivorID != customerID {
				continue
			}
			if t.Email == "" && t.Reference == "" && t.ReferenceOrigin == "" {
				continue
			}
			t.Email, t.ReferenceOrigin, t.Reference = "", "", ""
			put(tx, d.tombstones, id, t)
			n++
		}
		return nil
	})
	return n, err
}
