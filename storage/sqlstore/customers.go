package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

type customers struct{ base }

const customerColumns = `id, email, email_display, has_account, status, state, type, first_name, last_name,
	search_name, phone, company, vat_id, note, tags, metadata, reference, reference_origin, order_count,
	created_at, updated_at, deleted_at, version, has_password`

var customerConstraints = map[string]storage.Constraint{
	"customers_pkey":           storage.ConstraintPrimaryKey,
	"customers_live_email":     storage.ConstraintCustomerEmail,
	"customers_live_reference": storage.ConstraintCustomerReference,
}

// customerArgs returns c's column values in customerColumns order.
func customerArgs(c customer.Customer) ([]any, error) {
	tags, err := jsonText(nonNilStrings(c.Tags))
	if err != nil {
		return nil, err
	}
	meta, err := jsonText(nonNilMap(c.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{
		c.ID.String(), c.Email.Address, c.Email.Display, c.HasAccount, c.Status.String(), c.State.String(),
		c.Type.String(), c.FirstName, c.LastName, storage.SearchKey(c.FirstName + " " + c.LastName),
		c.Phone, c.Company, c.VATID, c.Note, tags, meta, c.Reference, c.ReferenceOrigin, int64(c.OrderCount),
		micros(c.CreatedAt), micros(c.UpdatedAt), nullMicros(c.DeletedAt), c.Version, c.HasPassword,
	}, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// scanner is a *sql.Row, a row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanCustomer reads customerColumns from a single row.
func scanCustomer(r scanner) (customer.Customer, error) { return newCustomerRow().scan(r) }

// customerRow holds what scanning customerColumns writes into. A list
// makes one and scans every row into it, so that a row allocates only what
// its customer keeps: the driver's values, the tags and metadata decoded
// without encoding/json (jsoncols.go), the deletion time.
type customerRow struct {
	c                        customer.Customer
	status, state, typ       string
	orders, created, updated int64
	deleted                  sql.NullInt64
	dest                     []any
}

func newCustomerRow() *customerRow {
	r := &customerRow{}
	c := &r.c
	r.dest = []any{scanUUID{&c.ID}, &c.Email.Address, &c.Email.Display, &c.HasAccount, &r.status, &r.state, &r.typ,
		&c.FirstName, &c.LastName, discard{} /* search_name */, &c.Phone, &c.Company, &c.VATID, &c.Note,
		jsonStrings{&c.Tags}, jsonStringMap{&c.Metadata}, &c.Reference, &c.ReferenceOrigin, &r.orders,
		&r.created, &r.updated, &r.deleted, &c.Version, &c.HasPassword}
	return r
}

// scan reads the next row of s.
func (r *customerRow) scan(s scanner) (customer.Customer, error) {
	r.c = customer.Customer{}
	err := s.Scan(r.dest...)
	if err != nil {
		return customer.Customer{}, err
	}
	c := r.c
	if c.Status, err = customer.ParseStatus(r.status); err != nil {
		return customer.Customer{}, err
	}
	if c.State, err = customer.ParseState(r.state); err != nil {
		return customer.Customer{}, err
	}
	if c.Type, err = customer.ParseType(r.typ); err != nil {
		return customer.Customer{}, err
	}
	c.OrderCount = int(r.orders)
	c.CreatedAt, c.UpdatedAt, c.DeletedAt = fromMicros(r.created), fromMicros(r.updated), fromNullMicros(r.deleted)
	return c, nil
}

// insertCustomer writes customerColumns and the look-alike key
// (customer.EmailSkeleton), which only the index reads.
const insertCustomer = `INSERT INTO {{prefix}}customers (` + customerColumns + `, email_skeleton)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r customers) Create(ctx context.Context, c customer.Customer) (customer.Customer, error) {
	c, err := storage.NewCustomer(c)
	if err != nil {
		return customer.Customer{}, err
	}
	args, err := customerArgs(c)
	if err != nil {
		return customer.Customer{}, err
	}
	write := func(cn conn) error {
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertCustomer), append(args, customer.EmailSkeleton(c.Email.Address))...)
		if err != nil {
			return cn.uniqueConflict(err, customerConstraints, nil)
		}
		if n == 0 {
			return cn.customerConflict(ctx, c)
		}
		return cn.insertTags(ctx, c.ID, c.Tags)
	}
	if len(c.Tags) == 0 {
		err = r.conn(ctx).single(ctx, write) // one INSERT: no transaction around it
	} else {
		err = r.conn(ctx).atomic(ctx, write)
	}
	if err != nil {
		return customer.Customer{}, err
	}
	return c.Clone(), nil
}

// customerConflict finds which unique key of c another customer holds.
func (c conn) customerConflict(ctx context.Context, cu customer.Customer) error {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers WHERE id = ?`+c.s.dialect.ForShare(), cu.ID.String()).Scan(&one)
	if err == nil {
		return storage.Conflict(storage.ConstraintPrimaryKey, nil)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	con, err := c.customerKeyTaken(ctx, cu)
	if err != nil {
		return err
	}
	if con == "" {
		// The row that blocked the insert is gone again: report the
		// primary key, the only key a concurrent delete can free.
		return storage.Conflict(storage.ConstraintPrimaryKey, nil)
	}
	return storage.Conflict(con, nil)
}

// customerKeyTaken returns the unique key of cu (live email or reference)
// that another customer holds, or "" when none is taken. Its reads lock,
// to see the latest committed rows (see diagnoseAccount).
func (c conn) customerKeyTaken(ctx context.Context, cu customer.Customer) (storage.Constraint, error) {
	var one int
	if cu.DeletedAt != nil {
		return "", nil
	}
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers
		WHERE email = ? AND has_account = ? AND deleted_at IS NULL AND id <> ?`+c.s.dialect.ForShare(),
		cu.Email.Address, cu.HasAccount, cu.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintCustomerEmail, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if cu.Reference != "" {
		err = c.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers
			WHERE reference_origin = ? AND reference = ? AND deleted_at IS NULL AND id <> ?`+c.s.dialect.ForShare(),
			cu.ReferenceOrigin, cu.Reference, cu.ID.String()).Scan(&one)
		if err == nil {
			return storage.ConstraintCustomerReference, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	return "", nil
}

func (c conn) insertTags(ctx context.Context, id uuid.UUID, tags []string) error {
	for _, tag := range tags {
		if _, err := c.exec(ctx, `INSERT INTO {{prefix}}customer_tags (customer_id, tag) VALUES (?, ?)`, id.String(), tag); err != nil {
			return err
		}
	}
	return nil
}

func (r customers) Get(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	return read(ctx, r.conn(ctx), func() (customer.Customer, error) {
		c, err := scanCustomer(r.conn(ctx).queryRow(ctx,
			`SELECT `+customerColumns+` FROM {{prefix}}customers WHERE id = ?`, id.String()))
		return c, noRows(err, "customer", id)
	})
}

// selectCustomerByEmail is a constant so that its text (see
// selectPostingByKey) does not follow the indentation of the code.
const selectCustomerByEmail = `SELECT ` + customerColumns + ` FROM {{prefix}}customers
		WHERE email = ? AND has_account = ? AND deleted_at IS NULL`

func (r customers) GetByEmail(ctx context.Context, canonicalEmail string, hasAccount bool) (customer.Customer, error) {
	if err := storage.CheckKey("canonicalEmail", canonicalEmail); err != nil {
		return customer.Customer{}, err
	}
	return read(ctx, r.conn(ctx), func() (customer.Customer, error) {
		c, err := scanCustomer(r.conn(ctx).queryRow(ctx, selectCustomerByEmail, canonicalEmail, hasAccount))
		return c, noRows(err, "customer with email", canonicalEmail)
	})
}

// selectLiveByEmail finds the live customer with an address, the
// registered one first: both rows share the unique index's prefix.
const selectLiveByEmail = `SELECT ` + customerColumns + ` FROM {{prefix}}customers
		WHERE email = ? AND deleted_at IS NULL ORDER BY has_account DESC LIMIT 1`

var _ storage.CustomerEmailLookup = customers{}

// LookupEmail implements storage.CustomerEmailLookup.
func (r customers) LookupEmail(ctx context.Context, canonicalEmail string) (customer.Customer, error) {
	if err := storage.CheckKey("canonicalEmail", canonicalEmail); err != nil {
		return customer.Customer{}, err
	}
	return read(ctx, r.conn(ctx), func() (customer.Customer, error) {
		c, err := scanCustomer(r.conn(ctx).queryRow(ctx, selectLiveByEmail, canonicalEmail))
		return c, noRows(err, "customer with email", canonicalEmail)
	})
}

const selectCustomerByReference = `SELECT ` + customerColumns + ` FROM {{prefix}}customers
		WHERE reference_origin = ? AND reference = ? AND deleted_at IS NULL AND reference <> ''`

func (r customers) GetByReference(ctx context.Context, origin, reference string) (customer.Customer, error) {
	if err := storage.CheckKey("origin", origin); err != nil {
		return customer.Customer{}, err
	}
	if err := storage.CheckKey("reference", reference); err != nil {
		return customer.Customer{}, err
	}
	return read(ctx, r.conn(ctx), func() (customer.Customer, error) {
		c := customer.Customer{}
		err := sql.ErrNoRows
		if reference != "" {
			c, err = scanCustomer(r.conn(ctx).queryRow(ctx, selectCustomerByReference, origin, reference))
		}
		if errors.Is(err, sql.ErrNoRows) {
			return c, fmt.Errorf("customer with reference %s/%s: %w", storage.Quote(origin), storage.Quote(reference), storage.ErrNotFound)
		}
		return c, err
	})
}

const updateCustomer = `UPDATE {{prefix}}customers SET email = ?, email_display = ?, has_account = ?, status = ?,
	state = ?, type = ?, first_name = ?, last_name = ?, search_name = ?, phone = ?, company = ?, vat_id = ?,
	note = ?, tags = ?, metadata = ?, reference = ?, reference_origin = ?, order_count = ?, created_at = ?,
	updated_at = ?, deleted_at = ?, version = ?, has_password = ?, email_skeleton = ? WHERE id = ?`

func (r customers) Update(ctx context.Context, id uuid.UUID, fn func(*customer.Customer) error) (customer.Customer, error) {
	var out customer.Customer
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanCustomer(cn.queryRow(ctx, `SELECT `+customerColumns+` FROM {{prefix}}customers
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "customer", id)
		}
		c, err := storage.UpdateCustomer(old, fn)
		if err != nil {
			return err
		}
		// Check the unique keys first when they change, so that the usual
		// conflict is reported without a failed statement (which would
		// abort a PostgreSQL transaction); the unique indexes still decide
		// races.
		if keysChanged(old, c) {
			if con, err := cn.customerKeyTaken(ctx, c); err != nil {
				return err
			} else if con != "" {
				return storage.Conflict(con, nil)
			}
		}
		args, err := customerArgs(c)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateCustomer, append(args[1:], customer.EmailSkeleton(c.Email.Address), c.ID.String())...); err != nil {
			return cn.uniqueConflict(err, customerConstraints, func() (storage.Constraint, error) {
				return cn.customerKeyTaken(ctx, c)
			})
		}
		if !equalStrings(old.Tags, c.Tags) {
			if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}customer_tags WHERE customer_id = ?`, id.String()); err != nil {
				return err
			}
			if err := cn.insertTags(ctx, id, c.Tags); err != nil {
				return err
			}
		}
		out = c
		return nil
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out.Clone(), nil
}

// selectCustomersBySkeleton reads the live customers with a look-alike key
// through the customers_live_skeleton index, after the cursor when the
// keyset condition is appended.
const selectCustomersBySkeleton = `SELECT ` + customerColumns + ` FROM {{prefix}}customers
		WHERE email_skeleton = ? AND has_account = ? AND deleted_at IS NULL`

func (r customers) ListByEmailSkeleton(ctx context.Context, skeleton string, hasAccount bool, p storage.PageRequest) (storage.Page[customer.Customer], error) {
	if err := storage.CheckKey("skeleton", skeleton); err != nil {
		return storage.Page[customer.Customer]{}, err
	}
	return read(ctx, r.conn(ctx), func() (storage.Page[customer.Customer], error) {
		var page storage.Page[customer.Customer]
		at, key, after, err := timeCursor(storage.ListEmailSkeleton, p)
		if err != nil || !storable(skeleton) {
			return page, err
		}
		q, args := selectCustomersBySkeleton, []any{skeleton, hasAccount}
		if after {
			q += ` AND ` + keysetAfter("created_at", "id")
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		rows, err := r.conn(ctx).query(ctx, q+` ORDER BY created_at, id LIMIT `+itoa(limit), args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 16), newCustomerRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(c customer.Customer) storage.Cursor {
			return timeCursorOf(storage.ListEmailSkeleton, c.CreatedAt, c.ID)
		}), nil
	})
}

// keysChanged reports whether an update touches a unique key of live
// customers.
func keysChanged(old, c customer.Customer) bool {
	return old.Email.Address != c.Email.Address || old.HasAccount != c.HasAccount ||
		old.Reference != c.Reference || old.ReferenceOrigin != c.ReferenceOrigin ||
		(old.DeletedAt == nil) != (c.DeletedAt == nil)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (r customers) List(ctx context.Context, f storage.CustomerFilter, p storage.PageRequest) (storage.Page[customer.Customer], error) {
	if err := storage.CheckCustomerFilter(f); err != nil {
		return storage.Page[customer.Customer]{}, err
	}
	return read(ctx, r.conn(ctx), func() (storage.Page[customer.Customer], error) {
		var page storage.Page[customer.Customer]
		at, key, after, err := timeCursor(storage.ListCustomers, p)
		if err != nil {
			return page, err
		}
		// A text filter that no stored value can match (see storable)
		// matches nothing, without a query PostgreSQL would fail.
		for _, s := range append([]string{f.Email, f.Name}, f.Tags...) {
			if !storable(s) {
				return page, nil
			}
		}
		cn := r.conn(ctx)
		// With a group, walk the membership index, whose (customer_created_at,
		// customer_id) mirror the customer's (created_at, id).
		orderAt, orderID := "c.created_at", "c.id"
		var q strings.Builder
		var args []any
		q.WriteString(`SELECT ` + qualify(customerColumns, "c") + ` FROM {{prefix}}customers c`)
		if f.GroupID != uuid.Nil {
			q.WriteString(` JOIN {{prefix}}memberships m ON m.customer_id = c.id AND m.group_id = ?`)
			args = append(args, f.GroupID.String())
			orderAt, orderID = "m.customer_created_at", "m.customer_id"
		}
		q.WriteString(` WHERE 1 = 1`)
		where := func(cond string, a ...any) {
			q.WriteString(" AND " + cond)
			args = append(args, a...)
		}
		if !f.IncludeDeleted {
			where(`c.deleted_at IS NULL`)
		}
		if f.GroupID != uuid.Nil && !f.GroupAt.IsZero() {
			where(memberValidAt("m."), micros(f.GroupAt), micros(f.GroupAt))
		}
		if f.Email != "" {
			where(`c.email = ?`, f.Email)
		}
		if name := storage.SearchKey(f.Name); name != "" {
			where(cn.s.dialect.Contains("c.search_name", "?"), name)
		}
		if f.Status != 0 {
			where(`c.status = ?`, f.Status.String())
		}
		if f.State != 0 {
			where(`c.state = ?`, f.State.String())
		}
		if f.Type != 0 {
			where(`c.type = ?`, f.Type.String())
		}
		if f.HasAccount != nil {
			where(`c.has_account = ?`, *f.HasAccount)
		}
		if !f.CreatedFrom.IsZero() {
			where(`c.created_at >= ?`, micros(f.CreatedFrom))
		}
		if !f.CreatedTo.IsZero() {
			where(`c.created_at < ?`, micros(f.CreatedTo))
		}
		for _, tag := range f.Tags {
			where(`EXISTS (SELECT 1 FROM {{prefix}}customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)`, tag)
		}
		if after {
			where(keysetAfter(orderAt, orderID), at, at, key)
		}
		size, limit := pageSize(p)
		q.WriteString(` ORDER BY ` + orderAt + `, ` + orderID + ` LIMIT ` + itoa(limit))
		rows, err := cn.query(ctx, q.String(), args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newCustomerRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(c customer.Customer) storage.Cursor {
			return timeCursorOf(storage.ListCustomers, c.CreatedAt, c.ID)
		}), nil
	})
}
