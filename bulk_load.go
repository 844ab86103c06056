package clientele

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// loadBatch is the fast path of writeBatch, on a store with the
// storage.BulkLoader capability: it writes the rows of the batch that
// make only a customer and its address book with one existence query and
// a few multi-row inserts, emits the events the row-by-row path would
// (the customer's, then its address book's), counts them in res and
// returns the other rows, in order, for the row-by-row path: rows with
// groups, balances or a password hash, registered customers while
// look-alike emails are refused, rows whose customer or address book does
// not build (the row-by-row path reports them, or skips them when their
// customer exists), and rows sharing a key (reference, or email and kind)
// with an earlier row of the batch that goes that way too.
//
// The inserts run in a nested transaction: when they report a conflict (a
// customer created meanwhile by another writer, or taken keys the
// existence query did not see) or refuse a record, it is undone, res is reset and every row
// of the batch goes the row-by-row path, which skips or reports each.
func (b *Bulk) loadBatch(ctx context.Context, tx storage.Tx, l storage.BulkLoader, rows []pendingRow, res *batchResult) ([]pendingRow, error) {
	type loaded struct {
		row  pendingRow
		bc   storage.BulkCustomer
		t    event.Type
		adds []uuid.UUID
	}
	var (
		fast []loaded
		slow []pendingRow
		seen = make(map[string]bool, 2*len(rows))
		now  = b.clock()
	)
	for _, row := range rows {
		rec := row.rec
		// The customer first: its email is canonical (a parse costs, so
		// only rows that do not build parse it again for their key).
		c, t, cerr := b.newCustomer(rec)
		email := c.Email.Address
		var err error
		if cerr != nil {
			email, err = customer.CanonicalEmail(rec.Email)
		}
		var keys []string
		if rec.Reference != "" {
			keys = append(keys, "r\x00"+rec.ReferenceOrigin+"\x00"+rec.Reference)
		}
		if err == nil {
			kind := "g"
			if rec.HasAccount {
				kind = "a"
			}
			keys = append(keys, "e"+kind+"\x00"+email)
		}
		taken := false
		for _, k := range keys {
			taken = taken || seen[k]
			seen[k] = true
		}
		if taken || cerr != nil || len(rec.Groups) > 0 || len(rec.Balances) > 0 || rec.PasswordHash != "" ||
			(rec.HasAccount && !b.allowConfusable) {
			slow = append(slow, row)
			continue
		}
		book := address.Book{CustomerID: c.ID}
		ids, err := b.fillBook(&book, rec.Addresses, now)
		if err != nil {
			slow = append(slow, row)
			continue
		}
		fast = append(fast, loaded{row: row, bc: storage.BulkCustomer{Customer: c, Book: book}, t: t, adds: ids})
	}
	if len(fast) == 0 {
		return slow, nil
	}
	// One existence check for the batch (in MaxBulk chunks).
	var todo []loaded
	skipped := 0
	for start := 0; start < len(fast); start += storage.MaxBulk {
		part := fast[start:min(start+storage.MaxBulk, len(fast))]
		cs := make([]customer.Customer, len(part))
		for i, f := range part {
			cs[i] = f.bc.Customer
		}
		exists, err := l.CustomersExist(ctx, cs)
		if err != nil {
			return nil, err
		}
		for i, f := range part {
			if exists[i] {
				skipped++
			} else {
				todo = append(todo, f)
			}
		}
	}
	err := b.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var evs []event.Event
		for start := 0; start < len(todo); start += storage.MaxBulk {
			part := todo[start:min(start+storage.MaxBulk, len(todo))]
			bcs := make([]storage.BulkCustomer, len(part))
			for i, f := range part {
				bcs[i] = f.bc
			}
			stored, err := l.CreateCustomers(ctx, bcs)
			if err != nil {
				return mapCustomerErr(err)
			}
			for i, sc := range stored {
				c := sc.Customer
				ev, err := newEvent(part[i].t, event.AggregateCustomer, c.ID.String(), c.ID, c.Version,
					event.CustomerPayload{Customer: c})
				if err != nil {
					return err
				}
				evs = append(evs, ev)
				if len(sc.Book.Entries) > 0 {
					aevs, err := addressEvents(c.ID, sc.Book, part[i].adds)
					if err != nil {
						return err
					}
					evs = append(evs, aevs...)
				}
			}
		}
		return b.emit(ctx, tx, evs...)
	})
	if errors.Is(err, storage.ErrConflict) || rowLevel(err) {
		*res = batchResult{}
		return rows, nil // every row the slow way
	}
	if err != nil {
		return nil, err
	}
	res.skipped += skipped
	res.imported += len(todo)
	return slow, nil
}
