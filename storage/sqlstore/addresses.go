package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/storage"
)

type addresses struct{ base }

const addressColumns = `id, customer_id, first_name, last_name, company, line1, line2, city, postal_code,
	province, country, phone, default_shipping, default_billing, created_at, updated_at`

// addressArgs returns e's column values in addressColumns order.
func addressArgs(e address.Entry) []any {
	return []any{
		e.ID.String(), e.CustomerID.String(), e.FirstName, e.LastName, e.Company, e.Line1, e.Line2, e.City,
		e.PostalCode, e.Province, e.Country, e.Phone, e.DefaultShipping, e.DefaultBilling,
		micros(e.CreatedAt), micros(e.UpdatedAt),
	}
}

// addressRow holds what scanning addressColumns writes into; a book scans
// every row into one (see customerRow).
type addressRow struct {
	e                address.Entry
	created, updated int64
	dest             []any
}

func newAddressRow() *addressRow {
	r := &addressRow{}
	e := &r.e
	r.dest = []any{scanUUID{&e.ID}, scanUUID{&e.CustomerID}, &e.FirstName, &e.LastName, &e.Company, &e.Line1,
		&e.Line2, &e.City, &e.PostalCode, &e.Province, &e.Country, &e.Phone, &e.DefaultShipping,
		&e.DefaultBilling, &r.created, &r.updated}
	return r
}

// scan reads the next row of s.
func (r *addressRow) scan(s scanner) (address.Entry, error) {
	r.e = address.Entry{}
	if err := s.Scan(r.dest...); err != nil {
		return address.Entry{}, err
	}
	e := r.e
	e.CreatedAt, e.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return e, nil
}

func (r addresses) Book(ctx context.Context, customerID uuid.UUID) (address.Book, error) {
	return read(ctx, r.conn(ctx), func() (address.Book, error) {
		cn := r.conn(ctx)
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers WHERE id = ?`, customerID.String()).Scan(&one)
		if err != nil {
			return address.Book{}, noRows(err, "customer", customerID)
		}
		return cn.book(ctx, customerID, "")
	})
}

// book reads the customer's address book ordered by (CreatedAt, ID). lock
// is appended to the query: "" for a plain read, or the dialect's
// ForUpdate for the read of a read-modify-write, which must see the latest
// committed rows where a plain read may see the transaction's snapshot
// (InnoDB at REPEATABLE READ), and would write back stale entries.
func (c conn) book(ctx context.Context, customerID uuid.UUID, lock string) (address.Book, error) {
	b := address.Book{CustomerID: customerID}
	rows, err := c.query(ctx, `SELECT `+addressColumns+` FROM {{prefix}}addresses
		WHERE customer_id = ? ORDER BY created_at, id`+lock, customerID.String())
	if err != nil {
		return address.Book{}, err
	}
	if b.Entries, err = collect(rows, 0, newAddressRow().scan); err != nil {
		return address.Book{}, err
	}
	sortEntries(b.Entries) // the engine's UUID order may not be byte order
	return b, nil
}

// sortEntries orders entries by (CreatedAt, ID bytes).
func sortEntries(entries []address.Entry) {
	slices.SortStableFunc(entries, func(x, y address.Entry) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return compareUUIDs(x.ID, y.ID)
	})
}

const (
	insertAddress = `INSERT INTO {{prefix}}addresses (` + addressColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateAddress = `UPDATE {{prefix}}addresses SET customer_id = ?, first_name = ?, last_name = ?, company = ?,
	line1 = ?, line2 = ?, city = ?, postal_code = ?, province = ?, country = ?, phone = ?, default_shipping = ?,
	default_billing = ?, created_at = ?, updated_at = ? WHERE id = ?`
)

var addressConstraints = map[string]storage.Constraint{
	"addresses_pkey":             storage.ConstraintPrimaryKey,
	"addresses_default_shipping": storage.ConstraintAddressDefault,
	"addresses_default_billing":  storage.ConstraintAddressDefault,
}

func (r addresses) UpdateBook(ctx context.Context, customerID uuid.UUID, fn func(*address.Book) error) (address.Book, error) {
	var out address.Book
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer's row is the lock of the book: every writer of the
		// book takes it first, even when the book is empty, and reads
		// there whether the customer is live.
		live, err := cn.lockCustomer(ctx, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		// Under that lock, read the book with a locking read too: a plain
		// read could return the transaction's snapshot, older than the
		// lock, and the diff below would write stale entries back.
		old, err := cn.book(ctx, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
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
		if !live && !address.OnlyRemoves(old, b) {
			return customerNotLive(customerID)
		}
		if err := cn.writeBookDiff(ctx, old, b); err != nil {
			return err
		}
		out = b
		return nil
	})
	if err != nil {
		return address.Book{}, err
	}
	return out.Clone(), nil
}

// writeBookDiff stores the difference between the book old and its new
// state b. The partial unique indexes allow one default shipping and one
// default billing address per customer at every moment, so the statements
// run in an order that never holds two: deletes first, then the default
// flags that entries lose, then the other changes of kept entries, then the
// new entries.
func (c conn) writeBookDiff(ctx context.Context, old, b address.Book) error {
	next := make(map[uuid.UUID]address.Entry, len(b.Entries))
	for _, e := range b.Entries {
		next[e.ID] = e
	}
	prev := make(map[uuid.UUID]address.Entry, len(old.Entries))
	for _, e := range old.Entries {
		prev[e.ID] = e
		if _, kept := next[e.ID]; !kept {
			if _, err := c.exec(ctx, `DELETE FROM {{prefix}}addresses WHERE id = ?`, e.ID.String()); err != nil {
				return err
			}
		}
	}
	for _, e := range old.Entries {
		n, kept := next[e.ID]
		if !kept {
			continue
		}
		lostShipping := e.DefaultShipping && !n.DefaultShipping
		lostBilling := e.DefaultBilling && !n.DefaultBilling
		if !lostShipping && !lostBilling {
			continue
		}
		_, err := c.exec(ctx, `UPDATE {{prefix}}addresses SET default_shipping = ?, default_billing = ?
			WHERE id = ?`, e.DefaultShipping && !lostShipping, e.DefaultBilling && !lostBilling, e.ID.String())
		if err != nil {
			return err
		}
	}
	var inserts []address.Entry
	for _, e := range b.Entries {
		o, exists := prev[e.ID]
		if !exists {
			inserts = append(inserts, e)
			continue
		}
		args := addressArgs(e)
		if slices.Equal(addressArgs(o), args) {
			continue
		}
		if _, err := c.exec(ctx, updateAddress, append(args[1:], e.ID.String())...); err != nil {
			return c.uniqueConflict(err, addressConstraints, nil)
		}
	}
	for _, e := range inserts {
		n, err := c.exec(ctx, c.s.dialect.InsertOrNothing(insertAddress), addressArgs(e)...)
		if err != nil {
			return c.uniqueConflict(err, addressConstraints, nil)
		}
		if n == 0 {
			// The ID is taken, by another customer's address or by a
			// duplicate entry; or, in a race, a default.
			var one int
			err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}addresses WHERE id = ?`+c.s.dialect.ForShare(), e.ID.String()).Scan(&one)
			if err == nil {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			return storage.Conflict(storage.ConstraintAddressDefault, nil)
		}
	}
	return nil
}
