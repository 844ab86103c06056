package memory

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

type orders struct{ repos }

func (r orders) Create(ctx context.Context, o order.Order) (order.Order, error) {
	o, err := storage.NewOrder(o)
	if err != nil {
		return order.Order{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.orders[o.ID]; ok {
			return storage.Conflict(storage.ConstraintOrderID, nil)
		}
		if err := d.liveCustomer(o.CustomerID); err != nil {
			return err
		}
		put(t, d.orders, o.ID, o)
		insert(t, treeFor(t, d.ordersByCustomer, o.CustomerID, lessOrderKey), orderKey{o.PlacedAt, o.ID})
		return nil
	})
	if err != nil {
		return order.Order{}, err
	}
	return o, nil
}

func (r orders) Get(ctx context.Context, id string) (out order.Order, err error) {
	if err := storage.CheckKey("id", id); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		o, ok := d.orders[id]
		if !ok {
			return orderNotFound(id)
		}
		out = o
		return nil
	})
	return out, err
}

func (r orders) Update(ctx context.Context, id string, fn func(*order.Order) error) (out order.Order, err error) {
	if err := storage.CheckKey("id", id); err != nil {
		return out, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.orders[id]
		if !ok {
			return orderNotFound(id)
		}
		o, err := storage.UpdateOrder(old, fn)
		if err != nil {
			return err
		}
		if o.CustomerID != old.CustomerID {
			// A claim reassigns the order to another customer, who
			// must be live.
			if err := d.liveCustomer(o.CustomerID); err != nil {
				return err
			}
		}
		if o.CustomerID != old.CustomerID || !o.PlacedAt.Equal(old.PlacedAt) {
			remove(t, d.ordersByCustomer[old.CustomerID], orderKey{old.PlacedAt, id})
			insert(t, treeFor(t, d.ordersByCustomer, o.CustomerID, lessOrderKey), orderKey{o.PlacedAt, id})
		}
		put(t, d.orders, id, o)
		out = o
		return nil
	})
	return out, err
}

func (r orders) List(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (out storage.Page[order.Order], err error) {
	err = r.read(ctx, func(d *db) error {
		tree := d.ordersByCustomer[customerID]
		if tree == nil {
			_, err := storage.ParseCursor(storage.ListOrders, p.Cursor)
			return err
		}
		out, err = pageAfter(tree, lessOrderKey, storage.ListOrders, p,
			func(c storage.Cursor) (orderKey, error) { return orderKey{c.Time, c.Key}, nil },
			func(k orderKey) storage.Cursor { return storage.Cursor{Time: k.at, Key: k.id} },
			every(func(k orderKey) order.Order { return d.orders[k.id] }))
		return err
	})
	return out, err
}

func orderNotFound(id string) error {
	return fmt.Errorf("order %s: %w", storage.Quote(id), storage.ErrNotFound)
}
