package memory

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/storage"
)

type addresses struct{ repos }

func (r addresses) Book(ctx context.Context, customerID uuid.UUID) (out address.Book, err error) {
	err = r.read(ctx, func(d *db) error {
		if !d.customers.has(customerID) {
			return notFound("customer", customerID)
		}
		out = d.book(customerID)
		return nil
	})
	return out, err
}

// book returns a copy of the customer's book, empty when absent.
func (d *db) book(customerID uuid.UUID) address.Book {
	if b, ok := d.books[customerID]; ok {
		return b.Clone()
	}
	return address.Book{CustomerID: customerID}
}

func (r addresses) UpdateBook(ctx context.Context, customerID uuid.UUID, fn func(*address.Book) error) (out address.Book, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		c, ok := d.customers.rec(customerID)
		if !ok {
			return d.liveCustomer(customerID)
		}
		live := c.live() // c is valid only until fn may add a customer
		old := d.book(customerID)
		work := old.Clone()
		if err := fn(&work); err != nil {
			return err
		}
		b, err := work.Stored(customerID) // a copy: fn may keep references into work
		if errors.Is(err, address.ErrSeveralDefaults) {
			return storage.Conflict(storage.ConstraintAddressDefault, err)
		} else if err != nil {
			return err
		}
		// A deleted customer's book may only lose entries (an erasure).
		if !live && !address.OnlyRemoves(old, b) {
			return d.liveCustomer(customerID)
		}
		// Entry IDs are unique across the store, as a primary key is.
		ids := make(map[uuid.UUID]bool, len(b.Entries))
		for _, e := range b.Entries {
			if owner, ok := d.addressOwner[e.ID]; ids[e.ID] || (ok && owner != customerID) {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
			ids[e.ID] = true
		}
		for _, e := range d.book(customerID).Entries {
			if !ids[e.ID] {
				del(t, d.addressOwner, e.ID)
			}
		}
		for id := range ids {
			put(t, d.addressOwner, id, customerID)
		}
		if len(b.Entries) == 0 {
			del(t, d.books, customerID)
		} else {
			put(t, d.books, customerID, b)
		}
		out = b.Clone()
		return nil
	})
	return out, err
}
