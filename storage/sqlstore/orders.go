package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

type orders struct{ base }

const orderColumns = `id, customer_id, number, status, total, currency, market_id, channel, placed_at,
	created_at, updated_at`

var orderConstraints = map[string]storage.Constraint{
	"orders_pkey": storage.ConstraintOrderID,
}

// orderArgs returns o's column values in orderColumns order.
func orderArgs(o order.Order) []any {
	return []any{
		o.ID, o.CustomerID.String(), o.Number, o.Status.String(), o.Total.MinorUnits(), o.Total.Currency().Code(),
		nullUUID(o.MarketID), o.Channel, micros(o.PlacedAt), micros(o.CreatedAt), micros(o.UpdatedAt),
	}
}

// scanOrder reads orderColumns from a single row.
func scanOrder(r scanner) (order.Order, error) { return newOrderRow().scan(r) }

// orderRow holds what scanning orderColumns writes into; a list scans
// every row into one (see customerRow).
type orderRow struct {
	o                       order.Order
	status, cur             string
	total                   int64
	placed, created, update int64
	dest                    []any
}

func newOrderRow() *orderRow {
	r := &orderRow{}
	o := &r.o
	r.dest = []any{&o.ID, scanUUID{&o.CustomerID}, &o.Number, &r.status, &r.total, &r.cur, scanUUID{&o.MarketID},
		&o.Channel, &r.placed, &r.created, &r.update}
	return r
}

// scan reads the next row of s.
func (r *orderRow) scan(s scanner) (order.Order, error) {
	r.o = order.Order{}
	err := s.Scan(r.dest...)
	if err != nil {
		return order.Order{}, err
	}
	o := r.o
	if o.Status, err = order.ParseStatus(r.status); err != nil {
		return order.Order{}, err
	}
	c, err := currencyOf(r.cur)
	if err != nil {
		return order.Order{}, err
	}
	if o.Total, err = moneyOf(r.total, c); err != nil {
		return order.Order{}, err
	}
	o.PlacedAt, o.CreatedAt, o.UpdatedAt = fromMicros(r.placed), fromMicros(r.created), fromMicros(r.update)
	return o, nil
}

const insertOrder = `INSERT INTO {{prefix}}orders (` + orderColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r orders) Create(ctx context.Context, o order.Order) (order.Order, error) {
	o, err := storage.NewOrder(o)
	if err != nil {
		return order.Order{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer must be live, read under its lock (see live.go).
		if err := cn.lockLiveCustomer(ctx, o.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertOrder), orderArgs(o)...)
		if err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("customer %v: %w", o.CustomerID, errors.Join(storage.ErrCustomerNotLive, err))
			}
			return cn.uniqueConflict(err, orderConstraints, func() (storage.Constraint, error) {
				return storage.ConstraintOrderID, nil // the order ID is the table's only key
			})
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintOrderID, nil)
		}
		return nil
	})
	if err != nil {
		return order.Order{}, err
	}
	return o.Clone(), nil
}

func (r orders) Get(ctx context.Context, id string) (order.Order, error) {
	if err := storage.CheckKey("id", id); err != nil {
		return order.Order{}, err
	}
	return read(ctx, r.conn(ctx), func() (order.Order, error) {
		o, err := scanOrder(r.conn(ctx).queryRow(ctx, `SELECT `+orderColumns+` FROM {{prefix}}orders WHERE id = ?`, id))
		return o, noRows(err, "order", id)
	})
}

const updateOrder = `UPDATE {{prefix}}orders SET customer_id = ?, number = ?, status = ?, total = ?, currency = ?,
	market_id = ?, channel = ?, placed_at = ?, created_at = ?, updated_at = ? WHERE id = ?`

func (r orders) Update(ctx context.Context, id string, fn func(*order.Order) error) (order.Order, error) {
	if err := storage.CheckKey("id", id); err != nil {
		return order.Order{}, err
	}
	var out order.Order
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanOrder(cn.queryRow(ctx, `SELECT `+orderColumns+` FROM {{prefix}}orders
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id))
		if err != nil {
			return noRows(err, "order", id)
		}
		o, err := storage.UpdateOrder(old, fn)
		if err != nil {
			return err
		}
		if o.CustomerID != old.CustomerID {
			// A claim moves the order to another customer, who must be
			// live, read under its lock (see live.go).
			if err := cn.lockLiveCustomer(ctx, o.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
				return err
			}
		}
		args := orderArgs(o)
		if _, err := cn.exec(ctx, updateOrder, append(args[1:], o.ID)...); err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("customer %v: %w", o.CustomerID, errors.Join(storage.ErrCustomerNotLive, err))
			}
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return order.Order{}, err
	}
	return out.Clone(), nil
}

// orderCursor decodes a (PlacedAt, order ID) cursor; ok is false for the
// first page.
func orderCursor(p storage.PageRequest) (at int64, id string, ok bool, err error) {
	if p.Cursor == "" {
		return 0, "", false, nil
	}
	c, err := storage.ParseCursor(storage.ListOrders, p.Cursor)
	if err != nil {
		return 0, "", false, err
	}
	if c.Key == "" || c.Seq != 0 || !storable(c.Key) {
		return 0, "", false, fmt.Errorf("%w: not an order history position", storage.ErrInvalidCursor)
	}
	return micros(c.Time), c.Key, true, nil
}

func (r orders) List(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (storage.Page[order.Order], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[order.Order], error) {
		var page storage.Page[order.Order]
		at, key, after, err := orderCursor(p)
		if err != nil {
			return page, err
		}
		// Order IDs are the host's text: compare and sort them byte by byte,
		// as every engine and the memory adapter do.
		id := r.conn(ctx).s.dialect.Binary("id")
		q := `SELECT ` + orderColumns + ` FROM {{prefix}}orders WHERE customer_id = ?`
		args := []any{customerID.String()}
		if after {
			q += ` AND ` + keysetAfter("placed_at", id)
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		q += ` ORDER BY placed_at, ` + id + ` LIMIT ` + itoa(limit)
		rows, err := r.conn(ctx).query(ctx, q, args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newOrderRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(o order.Order) storage.Cursor {
			return storage.Cursor{List: storage.ListOrders, Time: o.PlacedAt, Key: o.ID}
		}), nil
	})
}
