package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// orderDetails implements storage.OrderDetails (the storage.OrderHistory
// capability) over the order_details and order_stats tables of migration
// 0009.
type orderDetails struct{ base }

// OrderDetails returns the order details and statistics repository: the
// store has the storage.OrderHistory capability.
func (s *Store) OrderDetails() storage.OrderDetails { return orderDetails{base{s: s}} }

// OrderDetails returns the order details and statistics repository (the
// storage.OrderHistory capability).
func (r repos) OrderDetails() storage.OrderDetails { return orderDetails{base{fixed: &r.c}} }

const detailColumns = `order_id, kind, id, status, type, amount, currency, destination, reason, return_id,
	posting_id, at, created_at, updated_at`

func detailArgs(d storage.OrderDetail) []any {
	return []any{d.OrderID, string(d.Kind), d.ID, d.Status, d.Type, d.Amount.MinorUnits(), d.Amount.Currency().Code(),
		d.Destination, d.Reason, d.ReturnID, nullUUID(d.PostingID), micros(d.At), micros(d.CreatedAt),
		micros(d.UpdatedAt)}
}

func scanDetail(r scanner) (storage.OrderDetail, error) {
	var (
		d                   storage.OrderDetail
		kind, cur           string
		amount              int64
		at, created, update int64
	)
	err := r.Scan(&d.OrderID, &kind, &d.ID, &d.Status, &d.Type, &amount, &cur, &d.Destination, &d.Reason,
		&d.ReturnID, scanUUID{&d.PostingID}, &at, &created, &update)
	if err != nil {
		return d, err
	}
	d.Kind = storage.DetailKind(kind)
	c, err := currencyOf(cur)
	if err != nil {
		return d, err
	}
	if d.Amount, err = moneyOf(amount, c); err != nil {
		return d, err
	}
	d.At, d.CreatedAt, d.UpdatedAt = fromMicros(at), fromMicros(created), fromMicros(update)
	return d, nil
}

const insertDetail = `INSERT INTO {{prefix}}order_details (` + detailColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r orderDetails) CreateDetail(ctx context.Context, d storage.OrderDetail) error {
	d, err := storage.StoredDetail(d)
	if err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}orders WHERE id = ?`+cn.s.dialect.ForShare(), d.OrderID).Scan(&one)
		if err != nil {
			return noRows(err, "order", d.OrderID)
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertDetail), detailArgs(d)...)
		if err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("order %s: %w", storage.Quote(d.OrderID), errors.Join(storage.ErrNotFound, err))
			}
			return cn.uniqueConflict(err, nil, func() (storage.Constraint, error) {
				return storage.ConstraintOrderDetail, nil // the table's only key
			})
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintOrderDetail, nil)
		}
		return nil
	})
}

const selectDetail = `SELECT ` + detailColumns + ` FROM {{prefix}}order_details WHERE order_id = ? AND kind = ? AND id = ?`

func (r orderDetails) PutDetail(ctx context.Context, d storage.OrderDetail) error {
	d, err := storage.StoredDetail(d)
	if err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanDetail(cn.queryRow(ctx, selectDetail+cn.s.dialect.ForUpdate(), d.OrderID, string(d.Kind), d.ID))
		if err != nil {
			return noRows(err, string(d.Kind), d.ID)
		}
		if err := storage.CheckDetailChange(old, d); err != nil {
			return err
		}
		_, err = cn.exec(ctx, `UPDATE {{prefix}}order_details SET status = ?, posting_id = ?, updated_at = ?
			WHERE order_id = ? AND kind = ? AND id = ?`,
			d.Status, nullUUID(d.PostingID), micros(d.UpdatedAt), d.OrderID, string(d.Kind), d.ID)
		return err
	})
}

// lockShare is the shared locking clause for a read inside a transaction
// (the latest committed state, see storage.OrderDetails), and nothing
// outside one.
func (c conn) lockShare() string {
	if c.tx == nil {
		return ""
	}
	return c.s.dialect.ForShare()
}

func (r orderDetails) Detail(ctx context.Context, orderID string, kind storage.DetailKind, id string) (storage.OrderDetail, error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return storage.OrderDetail{}, err
	}
	if err := storage.CheckKey("id", id); err != nil {
		return storage.OrderDetail{}, err
	}
	if !storable(orderID) || !storable(id) {
		return storage.OrderDetail{}, notFound(string(kind), id)
	}
	cn := r.conn(ctx)
	return read(ctx, cn, func() (storage.OrderDetail, error) {
		d, err := scanDetail(cn.queryRow(ctx, selectDetail+cn.lockShare(), orderID, string(kind), id))
		return d, noRows(err, string(kind), id)
	})
}

func (r orderDetails) Details(ctx context.Context, orderID string, kind storage.DetailKind) ([]storage.OrderDetail, error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return nil, err
	}
	if !storable(orderID) {
		return []storage.OrderDetail{}, nil
	}
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]storage.OrderDetail, error) {
		rows, err := cn.query(ctx, `SELECT `+detailColumns+` FROM {{prefix}}order_details
			WHERE order_id = ? AND kind = ? ORDER BY created_at, `+cn.s.dialect.Binary("id")+cn.lockShare(),
			orderID, string(kind))
		if err != nil {
			return nil, err
		}
		out, err := collect(rows, 0, scanDetail)
		if out == nil && err == nil {
			out = []storage.OrderDetail{}
		}
		return out, err
	})
}

const statsColumns = `customer_id, currency, order_count, spent, refunded, first_order_at, last_order_at`

func scanStats(r scanner) (order.Stats, error) {
	var (
		s             order.Stats
		cur           string
		spent, refund int64
		first, last   sql.NullInt64
	)
	if err := r.Scan(scanUUID{&s.CustomerID}, &cur, &s.OrderCount, &spent, &refund, &first, &last); err != nil {
		return s, err
	}
	c, err := currencyOf(cur)
	if err != nil {
		return s, err
	}
	s.Currency = c
	if s.Spent, err = moneyOf(spent, c); err != nil {
		return s, err
	}
	if s.Refunded, err = moneyOf(refund, c); err != nil {
		return s, err
	}
	if first.Valid {
		s.FirstOrderAt = fromMicros(first.Int64)
	}
	if last.Valid {
		s.LastOrderAt = fromMicros(last.Int64)
	}
	return s, nil
}

func nullTime(us int64, zero bool) sql.NullInt64 { return sql.NullInt64{Int64: us, Valid: !zero} }

func (r orderDetails) Span(ctx context.Context, customerID uuid.UUID, c balance.Currency, withCancelled bool) (first, last time.Time, err error) {
	cn := r.conn(ctx)
	q := `SELECT placed_at FROM {{prefix}}orders WHERE customer_id = ? AND currency = ?`
	args := []any{customerID.String(), c.Code()}
	if !withCancelled {
		q += ` AND status <> ?`
		args = append(args, order.StatusCancelled.String())
	}
	type span struct{ first, last time.Time }
	sp, err := read(ctx, cn, func() (span, error) {
		var sp span
		for i, dir := range []string{"ASC", "DESC"} {
			var at int64
			err := cn.queryRow(ctx, q+` ORDER BY placed_at `+dir+` LIMIT 1`+cn.lockShare(), args...).Scan(&at)
			if errors.Is(err, sql.ErrNoRows) {
				return span{}, nil
			} else if err != nil {
				return span{}, err
			}
			if i == 0 {
				sp.first = fromMicros(at)
			} else {
				sp.last = fromMicros(at)
			}
		}
		return sp, nil
	})
	return sp.first, sp.last, err
}

func (r orderDetails) Stats(ctx context.Context, customerID uuid.UUID) ([]order.Stats, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]order.Stats, error) {
		rows, err := cn.query(ctx, `SELECT `+statsColumns+` FROM {{prefix}}order_stats WHERE customer_id = ?
			ORDER BY `+cn.s.dialect.Binary("currency"), customerID.String())
		if err != nil {
			return nil, err
		}
		out, err := collect(rows, 0, scanStats)
		if out == nil && err == nil {
			out = []order.Stats{}
		}
		return out, err
	})
}

const insertEmptyStats = `INSERT INTO {{prefix}}order_stats (` + statsColumns + `) VALUES (?, ?, 0, 0, 0, NULL, NULL)`

func (r orderDetails) UpdateStats(ctx context.Context, customerID uuid.UUID, c balance.Currency, fn func(*order.Stats) error) (order.Stats, error) {
	var out order.Stats
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		lock := func() (order.Stats, error) {
			return scanStats(cn.queryRow(ctx, `SELECT `+statsColumns+` FROM {{prefix}}order_stats
				WHERE customer_id = ? AND currency = ?`+cn.s.dialect.ForUpdate(), customerID.String(), c.Code()))
		}
		old, err := lock()
		if errors.Is(err, sql.ErrNoRows) {
			// Create the row, then lock it: concurrent first updates
			// wait on the insert instead of failing on the key.
			if _, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertEmptyStats), customerID.String(), c.Code()); err != nil {
				if cn.s.dialect.Classify(err) == ErrForeignKey {
					return fmt.Errorf("customer %v: %w", customerID, errors.Join(storage.ErrCustomerNotLive, err))
				}
				return err
			}
			old, err = lock()
		}
		if err != nil {
			return err
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
		zero := s.OrderCount == 0
		_, err = cn.exec(ctx, `UPDATE {{prefix}}order_stats SET order_count = ?, spent = ?, refunded = ?,
			first_order_at = ?, last_order_at = ? WHERE customer_id = ? AND currency = ?`,
			s.OrderCount, s.Spent.MinorUnits(), s.Refunded.MinorUnits(), nullTime(micros(s.FirstOrderAt), zero),
			nullTime(micros(s.LastOrderAt), zero), customerID.String(), c.Code())
		out = s
		return err
	})
	return out, err
}

func (r orderDetails) ListBySpend(ctx context.Context, f order.StatsFilter, p storage.PageRequest) (storage.Page[order.Stats], error) {
	if err := f.Validate(); err != nil {
		return storage.Page[order.Stats]{}, err
	}
	var (
		spent int64
		key   string
	)
	if p.Cursor != "" {
		cur, err := storage.ParseCursor(storage.ListSpend, p.Cursor)
		if err != nil {
			return storage.Page[order.Stats]{}, err
		}
		id, err := uuid.Parse(cur.Key)
		if err != nil || !cur.Time.IsZero() {
			return storage.Page[order.Stats]{}, fmt.Errorf("%w: not a spend list position", storage.ErrInvalidCursor)
		}
		spent, key = cur.Seq, id.String()
	}
	cn := r.conn(ctx)
	return read(ctx, cn, func() (storage.Page[order.Stats], error) {
		q := `SELECT ` + statsColumns + ` FROM {{prefix}}order_stats WHERE currency = ?`
		args := []any{f.Currency.Code()}
		if key != "" {
			q += ` AND spent <= ? AND (spent < ? OR (spent = ? AND customer_id > ?))`
			args = append(args, spent, spent, spent, key)
		}
		if !f.MinSpent.Currency().IsZero() {
			q += ` AND spent >= ?`
			args = append(args, f.MinSpent.MinorUnits())
		}
		if !f.MaxSpent.Currency().IsZero() {
			q += ` AND spent <= ?`
			args = append(args, f.MaxSpent.MinorUnits())
		}
		if f.MinOrders > 0 {
			q += ` AND order_count >= ?`
			args = append(args, f.MinOrders)
		}
		if !f.LastOrderBefore.IsZero() {
			q += ` AND last_order_at < ?`
			args = append(args, micros(f.LastOrderBefore))
		}
		if !f.LastOrderAfter.IsZero() {
			q += ` AND last_order_at > ?`
			args = append(args, micros(f.LastOrderAfter))
		}
		size, limit := pageSize(p)
		q += ` ORDER BY spent DESC, customer_id LIMIT ` + itoa(limit)
		rows, err := cn.query(ctx, q, args...)
		if err != nil {
			return storage.Page[order.Stats]{}, err
		}
		items, err := collect(rows, 0, scanStats)
		if err != nil {
			return storage.Page[order.Stats]{}, err
		}
		if items == nil {
			items = []order.Stats{}
		}
		return pageOf(items, size, func(s order.Stats) storage.Cursor {
			return storage.Cursor{List: storage.ListSpend, Seq: s.Spent.MinorUnits(), Key: s.CustomerID.String()}
		}), nil
	})
}
