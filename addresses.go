package clientele

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/event"
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

// edit changes the customer's book with fn in one transaction that checks
// the customer is live, and appends the change's events: the one describe
// names (if any), then address.default_changed for each default that moved
// to another entry.
func (s *Addresses) edit(ctx context.Context, customerID uuid.UUID, fn func(*address.Book) error,
	describe func(before, after address.Book) (event.Type, event.AddressPayload, bool)) (address.Book, error) {
	return s.editBook(ctx, customerID, false, fn, describe)
}

// editBook is edit; with adds, fn always adds an entry (or fails), which
// UpdateBook refuses, under the book's lock, for a customer that does not
// exist or is deleted: the customer is then not read first.
func (s *Addresses) editBook(ctx context.Context, customerID uuid.UUID, adds bool, fn func(*address.Book) error,
	describe func(before, after address.Book) (event.Type, event.AddressPayload, bool)) (address.Book, error) {
	var out address.Book
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if !adds {
			if _, err := liveCustomer(ctx, tx, customerID); err != nil {
				return err
			}
		}
		var before address.Book
		b, err := tx.Addresses().UpdateBook(ctx, customerID, func(b *address.Book) error {
			before = b.Clone()
			return fn(b)
		})
		if err != nil {
			return mapCustomerErr(err)
		}
		out = b
		var evs []event.Event
		add := func(t event.Type, p event.AddressPayload) error {
			ev, err := newEvent(t, event.AggregateAddressBook, customerID.String(), customerID, 0, p)
			evs = append(evs, ev)
			return err
		}
		if t, p, ok := describe(before, b); ok {
			if err := add(t, p); err != nil {
				return err
			}
		}
		for _, k := range address.Kinds() {
			was, _ := before.Default(k)
			now, ok := b.Default(k)
			if ok && now.ID != was.ID {
				if err := add(event.AddressDefaultChanged, event.AddressPayload{Entry: now, Kind: k.String()}); err != nil {
					return err
				}
			}
		}
		return s.emit(ctx, tx, evs...)
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
	err := s.onceOwn(ctx, "address.add", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			var err error
			b, err = s.editBook(ctx, customerID, true, func(b *address.Book) (err error) {
				e, err = b.Add(s.newID(), a, s.clock())
				return err
			}, func(_, after address.Book) (event.Type, event.AddressPayload, bool) {
				added, ok := after.Get(e.ID)
				return event.AddressAdded, event.AddressPayload{Entry: added}, ok
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
	}, func(before, after address.Book) (event.Type, event.AddressPayload, bool) {
		was, _ := before.Get(entryID)
		now, ok := after.Get(entryID)
		return event.AddressUpdated, event.AddressPayload{Entry: now, Changes: diff(was, now)}, ok
	})
	if err != nil {
		return address.Entry{}, address.Book{}, err
	}
	return written(b, e), b, nil
}

// Remove deletes one address. Errors: customer.ErrNotFound,
// address.ErrNotFound.
func (s *Addresses) Remove(ctx context.Context, customerID, entryID uuid.UUID) (address.Book, error) {
	return s.edit(ctx, customerID, func(b *address.Book) error { return b.Remove(entryID) },
		func(before, _ address.Book) (event.Type, event.AddressPayload, bool) {
			was, ok := before.Get(entryID)
			return event.AddressRemoved, event.AddressPayload{Entry: was}, ok
		})
}

// SetDefault makes one address the default of kind k, in place of the
// previous one. Errors: customer.ErrNotFound, address.ErrNotFound.
func (s *Addresses) SetDefault(ctx context.Context, customerID, entryID uuid.UUID, k address.Kind) (address.Book, error) {
	// The event is the default's move, which edit emits for every change.
	return s.edit(ctx, customerID, func(b *address.Book) error { return b.SetDefault(entryID, k, s.clock()) },
		func(_, _ address.Book) (event.Type, event.AddressPayload, bool) {
			return "", event.AddressPayload{}, false
		})
}
