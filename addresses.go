package clientele

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/storage"
)

// Addresses manages customers' address books. A book holds at most one
// default shipping and one default billing address; the first address added
// becomes both, and when a default is removed the oldest remaining address
// takes its place (see address.Book).
//
// Every write returns the book as it stands after the change, since one
// change can move the defaults of other entries; Add and Update also return
// the entry they wrote.
type Addresses struct{ *env }

// Book returns the live customer's address book. Errors: customer.ErrNotFound.
func (s *Addresses) Book(ctx context.Context, customerID uuid.UUID) (address.Book, error) {
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return address.Book{}, err
	}
	b, err := s.store.Addresses().Book(ctx, customerID)
	return b, mapCustomerErr(err)
}

// edit runs fn on the live customer's book in one transaction.
func (s *Addresses) edit(ctx context.Context, customerID uuid.UUID, fn func(*address.Book) error) (address.Book, error) {
	var out address.Book
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		b, err := tx.Addresses().UpdateBook(ctx, customerID, fn)
		out = b
		return mapCustomerErr(err)
	})
	return out, err
}

// Add validates a and adds it to the customer's book. Errors:
// customer.ErrNotFound, *address.ValidationError, address.ErrBookFull.
//
// It honours IdempotencyKey: a retried request returns the entry it added
// and the book as it is now (address.ErrNotFound if the entry was removed
// since).
func (s *Addresses) Add(ctx context.Context, customerID uuid.UUID, a address.Address, opts ...CallOption) (address.Entry, address.Book, error) {
	var (
		e address.Entry
		b address.Book
	)
	request := struct {
		CustomerID uuid.UUID       `json:"customer_id"`
		Address    address.Address `json:"address"`
	}{customerID, a}
	err := s.once(ctx, "address.add", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			var err error
			b, err = s.edit(ctx, customerID, func(b *address.Book) (err error) {
				e, err = b.Add(s.newID(), a, s.clock())
				return err
			})
			return e.ID.String(), err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err != nil {
				return err
			}
			if b, err = s.Book(ctx, customerID); err != nil {
				return err
			}
			i := slices.IndexFunc(b.Entries, func(x address.Entry) bool { return x.ID == id })
			if i < 0 {
				return fmt.Errorf("the address added with this key was removed since: %w", address.ErrNotFound)
			}
			e = b.Entries[i]
			return nil
		})
	if err != nil {
		return address.Entry{}, address.Book{}, err
	}
	return written(b, e), b, nil
}

// written returns the entry of b with e's ID: e as stored, with the default
// flags the book's rules gave it.
func written(b address.Book, e address.Entry) address.Entry {
	for _, x := range b.Entries {
		if x.ID == e.ID {
			return x
		}
	}
	return e
}

// Update applies p to one address with patch semantics. Errors:
// customer.ErrNotFound, address.ErrNotFound, *address.ValidationError.
func (s *Addresses) Update(ctx context.Context, customerID, entryID uuid.UUID, p address.Patch) (address.Entry, address.Book, error) {
	var e address.Entry
	b, err := s.edit(ctx, customerID, func(b *address.Book) (err error) {
		e, err = b.Update(entryID, p, s.clock())
		return err
	})
	if err != nil {
		return address.Entry{}, address.Book{}, err
	}
	return written(b, e), b, nil
}

// Remove deletes one address. Errors: customer.ErrNotFound,
// address.ErrNotFound.
func (s *Addresses) Remove(ctx context.Context, customerID, entryID uuid.UUID) (address.Book, error) {
	return s.edit(ctx, customerID, func(b *address.Book) error { return b.Remove(entryID) })
}

// SetDefault makes one address the default of kind k, in place of the
// previous one. Errors: customer.ErrNotFound, address.ErrNotFound.
func (s *Addresses) SetDefault(ctx context.Context, customerID, entryID uuid.UUID, k address.Kind) (address.Book, error) {
	return s.edit(ctx, customerID, func(b *address.Book) error { return b.SetDefault(entryID, k, s.clock()) })
}
