package sqlstore

import (
	"bytes"
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// Merges (storage.Merging, schema version 11): one row per merged
// customer in customer_tombstones. Lock takes the two customers' rows
// with locking reads in ascending ID order: every write to a customer's
// data takes that row first (see live.go), so it waits for the merge, and
// two merges of one pair, in either direction, queue instead of
// deadlocking.

type merges struct{ base }

// Merges returns the tombstone repository: the store has the
// storage.Merging capability (schema version 11).
func (s *Store) Merges() storage.Merges { return merges{base{s: s}} }

// Merges returns the transaction's tombstone repository.
func (r repos) Merges() storage.Merges { return merges{base{fixed: &r.c}} }

var (
	_ storage.Merging = (*Store)(nil)
	_ storage.Merging = repos{}
)

const tombstoneColumns = `merged_id, survivor_id, email, has_account, reference_origin, reference, actor, merged_at`

var tombstoneConstraints = map[string]storage.Constraint{
	"customer_tombstones_pkey": storage.ConstraintTombstone,
}

func scanTombstone(r scanner) (customer.Tombstone, error) {
	var (
		t  customer.Tombstone
		at int64
	)
	if err := r.Scan(scanUUID{&t.MergedID}, scanUUID{&t.SurvivorID}, &t.Email, &t.HasAccount,
		&t.ReferenceOrigin, &t.Reference, &t.Actor, &at); err != nil {
		return customer.Tombstone{}, err
	}
	t.MergedAt = fromMicros(at)
	return t, nil
}

func (r merges) Lock(ctx context.Context, a, b uuid.UUID) (customer.Customer, customer.Customer, error) {
	first, second := a, b
	if bytes.Compare(b[:], a[:]) < 0 {
		first, second = b, a
	}
	type pair struct{ first, second customer.Customer }
	cn := r.conn(ctx)
	lock := cn.lock()
	p, err := read(ctx, cn, func() (pair, error) {
		var (
			p   pair
			err error
		)
		q := `SELECT ` + customerColumns + ` FROM {{prefix}}customers WHERE id = ?` + lock
		if p.first, err = scanCustomer(cn.queryRow(ctx, q, first.String())); err != nil {
			return pair{}, noRows(err, "customer", first)
		}
		if p.second, err = scanCustomer(cn.queryRow(ctx, q, second.String())); err != nil {
			return pair{}, noRows(err, "customer", second)
		}
		return p, nil
	})
	if err != nil {
		return customer.Customer{}, customer.Customer{}, err
	}
	if first == a {
		return p.first, p.second, nil
	}
	return p.second, p.first, nil
}

func (r merges) Create(ctx context.Context, t customer.Tombstone) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The pointers first: the new tombstone must not point to itself.
		if _, err := cn.exec(ctx, `UPDATE {{prefix}}customer_tombstones SET survivor_id = ? WHERE survivor_id = ?`,
			t.SurvivorID.String(), t.MergedID.String()); err != nil {
			return err
		}
		_, err := cn.exec(ctx, `INSERT INTO {{prefix}}customer_tombstones (`+tombstoneColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.MergedID.String(), t.SurvivorID.String(), t.Email, t.HasAccount,
			t.ReferenceOrigin, t.Reference, t.Actor, micros(t.MergedAt))
		if err != nil {
			return cn.uniqueConflict(err, tombstoneConstraints, func() (storage.Constraint, error) {
				// The primary key is the only unique key.
				return storage.ConstraintTombstone, nil
			})
		}
		return nil
	})
}

// lock is the locking clause of a read in a transaction, and nothing on
// the DB.
func (c conn) lock() string {
	if c.tx != nil {
		return c.s.dialect.ForUpdate()
	}
	return ""
}

func (r merges) Holdings(ctx context.Context, customerID uuid.UUID) (storage.MergeHoldings, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (storage.MergeHoldings, error) {
		var h storage.MergeHoldings
		var err error
		id := customerID.String()
		if h.Orders, err = cn.strings(ctx, `SELECT id FROM {{prefix}}orders WHERE customer_id = ? ORDER BY id`+cn.lock(), id); err != nil {
			return h, err
		}
		groups, err := cn.strings(ctx, `SELECT group_id FROM {{prefix}}memberships WHERE customer_id = ? ORDER BY group_id`+cn.lock(), id)
		if err != nil {
			return h, err
		}
		accounts, err := cn.strings(ctx, `SELECT id FROM {{prefix}}balance_accounts WHERE customer_id = ? ORDER BY id`+cn.lock(), id)
		if err != nil {
			return h, err
		}
		if h.Groups, err = parseUUIDs(groups); err != nil {
			return h, err
		}
		h.Accounts, err = parseUUIDs(accounts)
		return h, err
	})
}

// strings runs a query of one text column and returns its values.
func (c conn) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, 0, func(r scanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	})
}

func parseUUIDs(ss []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ss))
	for _, s := range ss {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	// Ordered by the column, which is byte order: PostgreSQL's uuid sorts
	// by bytes, and the others compare canonical (lower-case hex) text.
	return out, nil
}

func (r merges) Get(ctx context.Context, mergedID uuid.UUID) (customer.Tombstone, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (customer.Tombstone, error) {
		t, err := scanTombstone(cn.queryRow(ctx, `SELECT `+tombstoneColumns+`
			FROM {{prefix}}customer_tombstones WHERE merged_id = ?`+cn.lock(), mergedID.String()))
		return t, noRows(err, "tombstone of customer", mergedID)
	})
}

// latestTombstone reads the most recent tombstone that the condition
// (over the email or the reference index) selects.
func (r merges) latest(ctx context.Context, what, cond string, args ...any) (customer.Tombstone, error) {
	return read(ctx, r.conn(ctx), func() (customer.Tombstone, error) {
		t, err := scanTombstone(r.conn(ctx).queryRow(ctx, `SELECT `+tombstoneColumns+`
			FROM {{prefix}}customer_tombstones WHERE `+cond+` ORDER BY merged_at DESC, merged_id DESC LIMIT 1`, args...))
		return t, noRows(err, "tombstone with", what)
	})
}

func (r merges) ByEmail(ctx context.Context, email string, hasAccount bool) (customer.Tombstone, error) {
	if err := storage.CheckKey("email", email); err != nil {
		return customer.Tombstone{}, err
	}
	if email == "" {
		return customer.Tombstone{}, notFound("tombstone with", "an empty email")
	}
	return r.latest(ctx, "that email", `email = ? AND has_account = ?`, email, hasAccount)
}

func (r merges) ByReference(ctx context.Context, origin, reference string) (customer.Tombstone, error) {
	if err := storage.CheckKey("origin", origin); err != nil {
		return customer.Tombstone{}, err
	}
	if err := storage.CheckKey("reference", reference); err != nil {
		return customer.Tombstone{}, err
	}
	if reference == "" {
		return customer.Tombstone{}, notFound("tombstone with", "an empty reference")
	}
	return r.latest(ctx, "that reference", `reference_origin = ? AND reference = ?`, origin, reference)
}

func (r merges) Scrub(ctx context.Context, customerID uuid.UUID) (int, error) {
	var n int64
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var err error
		n, err = cn.exec(ctx, `UPDATE {{prefix}}customer_tombstones SET email = '', reference_origin = '', reference = ''
			WHERE (merged_id = ? OR survivor_id = ?) AND (email <> '' OR reference_origin <> '' OR reference <> '')`,
			customerID.String(), customerID.String())
		return err
	})
	return int(n), err
}
