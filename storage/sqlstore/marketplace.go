package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/storage"
)

// Marketplace roles (storage.MerchantRoles, schema version 13): tables
// merchant_members, operator_staff and vendor_customers, and the
// owner_merchant_id column of groups. The merchant's row is the lock of
// its members: every membership write locks it first (FOR UPDATE), and
// the owners a change checks are then read with a locking read, which
// sees the latest committed rows (InnoDB, TiDB) or fails with a
// serialization failure where a snapshot would hide a concurrent removal
// (PostgreSQL), which Atomic retries.

type marketplace struct{ base }

// Marketplace returns the marketplace roles repository: the store has the
// storage.MerchantRoles capability (schema version 13).
func (s *Store) Marketplace() storage.Marketplace { return marketplace{base{s: s}} }

// Marketplace returns the transaction's marketplace roles repository.
func (r repos) Marketplace() storage.Marketplace { return marketplace{base{fixed: &r.c}} }

var (
	_ storage.MerchantRoles = (*Store)(nil)
	_ storage.MerchantRoles = repos{}
)

const (
	merchantMemberColumns = `merchant_id, customer_id, role, created_at, updated_at`
	operatorColumns       = `customer_id, role, since`
	relationColumns       = `merchant_id, customer_id, since, source`
)

func scanMerchantMember(r scanner) (merchant.Member, error) {
	var (
		m                merchant.Member
		role             string
		created, updated int64
	)
	if err := r.Scan(scanUUID{&m.MerchantID}, scanUUID{&m.CustomerID}, &role, &created, &updated); err != nil {
		return merchant.Member{}, err
	}
	var err error
	if m.Role, err = merchant.ParseRole(role); err != nil {
		return merchant.Member{}, err
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return m, nil
}

func scanOperator(r scanner) (operator.Staff, error) {
	var (
		s     operator.Staff
		role  string
		since int64
	)
	if err := r.Scan(scanUUID{&s.CustomerID}, &role, &since); err != nil {
		return operator.Staff{}, err
	}
	var err error
	if s.Role, err = operator.ParseRole(role); err != nil {
		return operator.Staff{}, err
	}
	s.Since = fromMicros(since)
	return s, nil
}

func scanRelation(r scanner) (merchant.CustomerRelation, error) {
	var (
		rel    merchant.CustomerRelation
		source string
		since  int64
	)
	if err := r.Scan(scanUUID{&rel.MerchantID}, scanUUID{&rel.CustomerID}, &since, &source); err != nil {
		return merchant.CustomerRelation{}, err
	}
	var err error
	if rel.Source, err = merchant.ParseSource(source); err != nil {
		return merchant.CustomerRelation{}, err
	}
	rel.Since = fromMicros(since)
	return rel, nil
}

const (
	insertMember   = `INSERT INTO {{prefix}}merchant_members (` + merchantMemberColumns + `) VALUES (?, ?, ?, ?, ?)`
	insertOperator = `INSERT INTO {{prefix}}operator_staff (` + operatorColumns + `) VALUES (?, ?, ?)`
	insertRelation = `INSERT INTO {{prefix}}vendor_customers (` + relationColumns + `) VALUES (?, ?, ?, ?)`
	selectMember   = `SELECT ` + merchantMemberColumns + ` FROM {{prefix}}merchant_members WHERE merchant_id = ? AND customer_id = ?`
	selectOperator = `SELECT ` + operatorColumns + ` FROM {{prefix}}operator_staff WHERE customer_id = ?`
	selectRelation = `SELECT ` + relationColumns + ` FROM {{prefix}}vendor_customers WHERE merchant_id = ? AND customer_id = ?`
)

// lockMerchantShare reads the merchant's row with a shared lock, so that it
// stays while the transaction refers to it; ErrNotFound when there is none.
func (c conn) lockMerchantShare(ctx context.Context, id uuid.UUID) error {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}merchants WHERE id = ?`+c.s.dialect.ForShare(), id.String()).Scan(&one)
	return noRows(err, "merchant", id)
}

func (r marketplace) AddMember(ctx context.Context, m merchant.Member) (merchant.Member, error) {
	m, err := storage.NewMerchantMember(m)
	if err != nil {
		return merchant.Member{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.lockMerchant(ctx, m.MerchantID); err != nil {
			return err
		}
		if err := cn.lockLiveCustomer(ctx, m.CustomerID, cn.s.dialect.ForShare()); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertMember), m.MerchantID.String(), m.CustomerID.String(),
			m.Role.String(), micros(m.CreatedAt), micros(m.UpdatedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintMerchantMember, nil)
		}
		return nil
	})
	if err != nil {
		return merchant.Member{}, err
	}
	return m, nil
}

// lockedMember locks the merchant, then reads the membership for update.
func (c conn) lockedMember(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.Member, error) {
	if err := c.lockMerchant(ctx, merchantID); err != nil {
		return merchant.Member{}, err
	}
	m, err := scanMerchantMember(c.queryRow(ctx, selectMember+c.s.dialect.ForUpdate(), merchantID.String(), customerID.String()))
	return m, noRows(err, "member", customerID)
}

// checkOwners applies storage.CheckOwners to a change of old to next,
// counting the merchant's owners with a locking read.
func (c conn) checkOwners(ctx context.Context, old merchant.Member, next merchant.Role) error {
	if old.Role != merchant.Owner || next == merchant.Owner {
		return nil
	}
	rows, err := c.query(ctx, `SELECT customer_id FROM {{prefix}}merchant_members WHERE merchant_id = ? AND role = ?`+
		c.s.dialect.ForUpdate(), old.MerchantID.String(), merchant.Owner.String())
	if err != nil {
		return err
	}
	ids, err := collect(rows, 0, func(r scanner) (uuid.UUID, error) {
		var id uuid.UUID
		return id, r.Scan(scanUUID{&id})
	})
	if err != nil {
		return err
	}
	return storage.CheckOwners(old, next, len(ids))
}

func (r marketplace) UpdateMember(ctx context.Context, merchantID, customerID uuid.UUID, role merchant.Role, now time.Time) (before, after merchant.Member, err error) {
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := cn.lockedMember(ctx, merchantID, customerID)
		if err != nil {
			return err
		}
		next := old
		next.Role, next.UpdatedAt = role, storage.Micro(now)
		if err := next.Validate(); err != nil {
			return err
		}
		before, after = old, old
		if role == old.Role {
			return nil
		}
		if err := cn.checkOwners(ctx, old, role); err != nil {
			return err
		}
		if _, err := cn.exec(ctx, `UPDATE {{prefix}}merchant_members SET role = ?, updated_at = ?
			WHERE merchant_id = ? AND customer_id = ?`, role.String(), micros(next.UpdatedAt), merchantID.String(), customerID.String()); err != nil {
			return err
		}
		after = next
		return nil
	})
	if err != nil {
		return merchant.Member{}, merchant.Member{}, err
	}
	return before, after, nil
}

func (r marketplace) RemoveMember(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.Member, error) {
	var out merchant.Member
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := cn.lockedMember(ctx, merchantID, customerID)
		if err != nil {
			return err
		}
		if err := cn.checkOwners(ctx, old, 0); err != nil {
			return err
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}merchant_members WHERE merchant_id = ? AND customer_id = ?`,
			merchantID.String(), customerID.String()); err != nil {
			return err
		}
		out = old
		return nil
	})
	return out, err
}

func (r marketplace) Member(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.Member, error) {
	return read(ctx, r.conn(ctx), func() (merchant.Member, error) {
		m, err := scanMerchantMember(r.conn(ctx).queryRow(ctx, selectMember, merchantID.String(), customerID.String()))
		return m, noRows(err, "member", customerID)
	})
}

// keysetPage reads one page of a list ordered by (at, id) after the
// cursor: from holds the FROM and WHERE clauses (with args), at and id the
// ordering columns.
func keysetPage[T any](ctx context.Context, cn conn, list string, p storage.PageRequest, columns, from string, args []any,
	at, id string, scan func(scanner) (T, error), cursor func(T) storage.Cursor) (storage.Page[T], error) {
	var page storage.Page[T]
	cat, key, after, err := timeCursor(list, p)
	if err != nil {
		return page, err
	}
	q := `SELECT ` + columns + ` FROM ` + from
	if after {
		q += ` AND ` + keysetAfter(at, id)
		args = append(args, cat, cat, key)
	}
	size, limit := pageSize(p)
	q += ` ORDER BY ` + at + `, ` + id + ` LIMIT ` + itoa(limit)
	rows, err := cn.query(ctx, q, args...)
	if err != nil {
		return page, err
	}
	items, err := collect(rows, 0, scan)
	if err != nil {
		return page, err
	}
	return pageOf(items, size, cursor), nil
}

func (r marketplace) Members(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (storage.Page[merchant.Member], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[merchant.Member], error) {
		return keysetPage(ctx, r.conn(ctx), storage.ListMerchantMembers, p, merchantMemberColumns,
			`{{prefix}}merchant_members WHERE merchant_id = ?`, []any{merchantID.String()}, "created_at", "customer_id", scanMerchantMember,
			func(m merchant.Member) storage.Cursor {
				return timeCursorOf(storage.ListMerchantMembers, m.CreatedAt, m.CustomerID)
			})
	})
}

func (r marketplace) MembershipsOf(ctx context.Context, customerID uuid.UUID) ([]merchant.Member, error) {
	return read(ctx, r.conn(ctx), func() ([]merchant.Member, error) {
		rows, err := r.conn(ctx).query(ctx, `SELECT `+merchantMemberColumns+` FROM {{prefix}}merchant_members
			WHERE customer_id = ? ORDER BY created_at, merchant_id LIMIT `+itoa(storage.MaxMemberships), customerID.String())
		if err != nil {
			return nil, err
		}
		out, err := collect(rows, 0, scanMerchantMember)
		slices.SortStableFunc(out, func(a, b merchant.Member) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareUUIDs(a.MerchantID, b.MerchantID)
		})
		return out, err
	})
}

func (r marketplace) PutOperator(ctx context.Context, s operator.Staff) (prev operator.Staff, existed bool, err error) {
	if s, err = storage.NewOperator(s); err != nil {
		return prev, false, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer's row serializes the grants of one customer.
		if err := cn.lockLiveCustomer(ctx, s.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		old, err := scanOperator(cn.queryRow(ctx, selectOperator+cn.s.dialect.ForUpdate(), s.CustomerID.String()))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			prev, existed = operator.Staff{}, false
			_, err = cn.exec(ctx, insertOperator, s.CustomerID.String(), s.Role.String(), micros(s.Since))
			return err
		case err != nil:
			return err
		}
		prev, existed = old, true
		_, err = cn.exec(ctx, `UPDATE {{prefix}}operator_staff SET role = ?, since = ? WHERE customer_id = ?`,
			s.Role.String(), micros(s.Since), s.CustomerID.String())
		return err
	})
	return prev, existed, err
}

func (r marketplace) RemoveOperator(ctx context.Context, customerID uuid.UUID) (operator.Staff, error) {
	var out operator.Staff
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanOperator(cn.queryRow(ctx, selectOperator+cn.s.dialect.ForUpdate(), customerID.String()))
		if err != nil {
			return noRows(err, "operator staff", customerID)
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}operator_staff WHERE customer_id = ?`, customerID.String()); err != nil {
			return err
		}
		out = old
		return nil
	})
	return out, err
}

func (r marketplace) Operator(ctx context.Context, customerID uuid.UUID) (operator.Staff, error) {
	return read(ctx, r.conn(ctx), func() (operator.Staff, error) {
		s, err := scanOperator(r.conn(ctx).queryRow(ctx, selectOperator, customerID.String()))
		return s, noRows(err, "operator staff", customerID)
	})
}

func (r marketplace) Operators(ctx context.Context, p storage.PageRequest) (storage.Page[operator.Staff], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[operator.Staff], error) {
		return keysetPage(ctx, r.conn(ctx), storage.ListOperators, p, operatorColumns,
			`{{prefix}}operator_staff WHERE 1 = 1`, nil, "since", "customer_id", scanOperator,
			func(s operator.Staff) storage.Cursor {
				return timeCursorOf(storage.ListOperators, s.Since, s.CustomerID)
			})
	})
}

func (r marketplace) RelateCustomer(ctx context.Context, rel merchant.CustomerRelation) (out merchant.CustomerRelation, created bool, err error) {
	if rel, err = storage.NewRelation(rel); err != nil {
		return out, false, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		created = false
		if err := cn.lockMerchantShare(ctx, rel.MerchantID); err != nil {
			return err
		}
		if err := cn.lockLiveCustomer(ctx, rel.CustomerID, cn.s.dialect.ForShare()); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertRelation), rel.MerchantID.String(), rel.CustomerID.String(),
			micros(rel.Since), rel.Source.String())
		if err != nil {
			return err
		}
		if n == 1 {
			out, created = rel, true
			return nil
		}
		out, err = scanRelation(cn.queryRow(ctx, selectRelation+cn.s.dialect.ForShare(), rel.MerchantID.String(), rel.CustomerID.String()))
		return err
	})
	return out, created, err
}

func (r marketplace) CustomerRelation(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.CustomerRelation, error) {
	return read(ctx, r.conn(ctx), func() (merchant.CustomerRelation, error) {
		rel, err := scanRelation(r.conn(ctx).queryRow(ctx, selectRelation, merchantID.String(), customerID.String()))
		return rel, noRows(err, "vendor customer", customerID)
	})
}

func (r marketplace) VendorCustomers(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (storage.Page[merchant.CustomerRelation], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[merchant.CustomerRelation], error) {
		return keysetPage(ctx, r.conn(ctx), storage.ListVendorCustomers, p, relationColumns,
			`{{prefix}}vendor_customers WHERE merchant_id = ?`, []any{merchantID.String()}, "since", "customer_id", scanRelation,
			func(rel merchant.CustomerRelation) storage.Cursor {
				return timeCursorOf(storage.ListVendorCustomers, rel.Since, rel.CustomerID)
			})
	})
}

func (r marketplace) OwnedGroups(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (storage.Page[group.Group], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[group.Group], error) {
		return keysetPage(ctx, r.conn(ctx), storage.ListOwnedGroups, p, groupColumns,
			`{{prefix}}groups WHERE owner_merchant_id = ?`, []any{merchantID.String()}, "created_at", "id", scanGroup,
			func(g group.Group) storage.Cursor { return timeCursorOf(storage.ListOwnedGroups, g.CreatedAt, g.ID) })
	})
}

func (r marketplace) MoveRoles(ctx context.Context, from, to uuid.UUID) (int, error) {
	var n int
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		n = 0
		if err := cn.lockLiveCustomer(ctx, to, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		rows, err := cn.query(ctx, `SELECT `+merchantMemberColumns+` FROM {{prefix}}merchant_members WHERE customer_id = ?`+
			cn.s.dialect.ForUpdate(), from.String())
		if err != nil {
			return err
		}
		members, err := collect(rows, 0, scanMerchantMember)
		if err != nil {
			return err
		}
		for _, m := range members {
			have, err := scanMerchantMember(cn.queryRow(ctx, selectMember+cn.s.dialect.ForUpdate(), m.MerchantID.String(), to.String()))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				_, err = cn.exec(ctx, `UPDATE {{prefix}}merchant_members SET customer_id = ? WHERE merchant_id = ? AND customer_id = ?`,
					to.String(), m.MerchantID.String(), from.String())
			case err == nil:
				if role := storage.StrongerRole(have.Role, m.Role); role != have.Role {
					if _, err := cn.exec(ctx, `UPDATE {{prefix}}merchant_members SET role = ?, updated_at = ? WHERE merchant_id = ? AND customer_id = ?`,
						role.String(), micros(m.UpdatedAt), m.MerchantID.String(), to.String()); err != nil {
						return err
					}
				}
				_, err = cn.exec(ctx, `DELETE FROM {{prefix}}merchant_members WHERE merchant_id = ? AND customer_id = ?`,
					m.MerchantID.String(), from.String())
			}
			if err != nil {
				return err
			}
			n++
		}
		rows, err = cn.query(ctx, `SELECT `+relationColumns+` FROM {{prefix}}vendor_customers WHERE customer_id = ?`+
			cn.s.dialect.ForUpdate(), from.String())
		if err != nil {
			return err
		}
		rels, err := collect(rows, 0, scanRelation)
		if err != nil {
			return err
		}
		for _, rel := range rels {
			have, err := scanRelation(cn.queryRow(ctx, selectRelation+cn.s.dialect.ForUpdate(), rel.MerchantID.String(), to.String()))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				_, err = cn.exec(ctx, `UPDATE {{prefix}}vendor_customers SET customer_id = ? WHERE merchant_id = ? AND customer_id = ?`,
					to.String(), rel.MerchantID.String(), from.String())
			case err == nil:
				if rel.Since.Before(have.Since) {
					if _, err := cn.exec(ctx, `UPDATE {{prefix}}vendor_customers SET since = ?, source = ? WHERE merchant_id = ? AND customer_id = ?`,
						micros(rel.Since), rel.Source.String(), rel.MerchantID.String(), to.String()); err != nil {
						return err
					}
				}
				_, err = cn.exec(ctx, `DELETE FROM {{prefix}}vendor_customers WHERE merchant_id = ? AND customer_id = ?`,
					rel.MerchantID.String(), from.String())
			}
			if err != nil {
				return err
			}
			n++
		}
		s, err := scanOperator(cn.queryRow(ctx, selectOperator+cn.s.dialect.ForUpdate(), from.String()))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		have, err := scanOperator(cn.queryRow(ctx, selectOperator+cn.s.dialect.ForUpdate(), to.String()))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = cn.exec(ctx, `UPDATE {{prefix}}operator_staff SET customer_id = ? WHERE customer_id = ?`, to.String(), from.String())
		case err == nil:
			if s.Role > have.Role {
				if _, err := cn.exec(ctx, `UPDATE {{prefix}}operator_staff SET role = ? WHERE customer_id = ?`, s.Role.String(), to.String()); err != nil {
					return err
				}
			}
			_, err = cn.exec(ctx, `DELETE FROM {{prefix}}operator_staff WHERE customer_id = ?`, from.String())
		}
		if err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

func (r marketplace) DeleteRoles(ctx context.Context, customerID uuid.UUID) (int, error) {
	var n int
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		n = 0
		for _, table := range []string{"merchant_members", "vendor_customers", "operator_staff"} {
			k, err := cn.exec(ctx, `DELETE FROM {{prefix}}`+table+` WHERE customer_id = ?`, customerID.String())
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// dropMerchantRoles deletes the merchant's members and vendor relations (a
// merchant's deletion, under its lock). Its groups keep their owner's ID,
// which scopes their names (group.Group.Key): they stay, for the operator's
// Groups service, under the name they had.
func (c conn) dropMerchantRoles(ctx context.Context, merchantID uuid.UUID) error {
	for _, q := range []string{
		`DELETE FROM {{prefix}}merchant_members WHERE merchant_id = ?`,
		`DELETE FROM {{prefix}}vendor_customers WHERE merchant_id = ?`,
	} {
		if _, err := c.exec(ctx, q, merchantID.String()); err != nil {
			return err
		}
	}
	return nil
}
