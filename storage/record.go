package storage

import (
	"time"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
)

// The steps every adapter's Create and Update share, given one home so that
// third-party adapters get them right too:
//
//   - NewX prepares a record for Create: a deep copy (the caller's value and
//     the store's never share slices, maps or pointers), its times in UTC at
//     microsecond precision (Micro), Version 1, then the domain's Validate.
//   - UpdateX is the updater prologue of Update: fn runs on a copy of the
//     stored record old; the result is copied again (fn may keep references
//     into what it was given), keeps old's ID and CreatedAt, gets Version
//     old.Version+1 and UTC microsecond times, and is validated. fn's error
//     is returned as it is.
//
// The adapter then writes what they return, and returns a copy of it.

// Micro returns t in UTC with the precision every adapter keeps
// (microseconds), so that a record reads back the same from every adapter.
func Micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func microPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	m := Micro(*t)
	return &m
}

// update runs the updater prologue: fn on a copy of old, then a copy of the
// result finished by finish and checked by validate.
func update[T any](old T, fn func(*T) error, clone func(T) T, finish func(old T, n *T), validate func(T) error) (T, error) {
	var zero T
	work := clone(old)
	if err := fn(&work); err != nil {
		return zero, err
	}
	n := clone(work)
	finish(old, &n)
	if err := validate(n); err != nil {
		return zero, err
	}
	return n, nil
}

func storedCustomer(c *customer.Customer) {
	c.CreatedAt, c.UpdatedAt, c.DeletedAt = Micro(c.CreatedAt), Micro(c.UpdatedAt), microPtr(c.DeletedAt)
}

// NewCustomer prepares c for Customers.Create (see the steps above).
func NewCustomer(c customer.Customer) (customer.Customer, error) {
	c = c.Clone()
	storedCustomer(&c)
	c.Version = 1
	if err := c.Validate(); err != nil {
		return customer.Customer{}, err
	}
	return c, nil
}

// UpdateCustomer is the updater prologue of Customers.Update.
func UpdateCustomer(old customer.Customer, fn func(*customer.Customer) error) (customer.Customer, error) {
	return update(old, fn, customer.Customer.Clone, func(old customer.Customer, c *customer.Customer) {
		storedCustomer(c)
		c.ID, c.CreatedAt, c.Version = old.ID, old.CreatedAt, old.Version+1
	}, customer.Customer.Validate)
}

// NewGroup prepares g for Groups.Create.
func NewGroup(g group.Group) (group.Group, error) {
	g = g.Clone()
	g.CreatedAt, g.UpdatedAt, g.Version = Micro(g.CreatedAt), Micro(g.UpdatedAt), 1
	if err := g.Validate(); err != nil {
		return group.Group{}, err
	}
	return g, nil
}

// UpdateGroup is the updater prologue of Groups.Update.
func UpdateGroup(old group.Group, fn func(*group.Group) error) (group.Group, error) {
	return update(old, fn, group.Group.Clone, func(old group.Group, g *group.Group) {
		g.ID, g.CreatedAt, g.UpdatedAt, g.Version = old.ID, old.CreatedAt, Micro(g.UpdatedAt), old.Version+1
		g.OwnerMerchantID = old.OwnerMerchantID
	}, group.Group.Validate)
}

// NewMerchant prepares m for Merchants.Create.
func NewMerchant(m merchant.Merchant) (merchant.Merchant, error) {
	m = m.Clone()
	m.CreatedAt, m.UpdatedAt, m.Version = Micro(m.CreatedAt), Micro(m.UpdatedAt), 1
	if err := m.Validate(); err != nil {
		return merchant.Merchant{}, err
	}
	return m, nil
}

// UpdateMerchant is the updater prologue of Merchants.Update.
func UpdateMerchant(old merchant.Merchant, fn func(*merchant.Merchant) error) (merchant.Merchant, error) {
	return update(old, fn, merchant.Merchant.Clone, func(old merchant.Merchant, m *merchant.Merchant) {
		m.ID, m.CreatedAt, m.UpdatedAt, m.Version = old.ID, old.CreatedAt, Micro(m.UpdatedAt), old.Version+1
	}, merchant.Merchant.Validate)
}

// NewMarket prepares m for Markets.Create.
func NewMarket(m market.Market) (market.Market, error) {
	m = m.Clone()
	m.CreatedAt, m.UpdatedAt, m.Version = Micro(m.CreatedAt), Micro(m.UpdatedAt), 1
	if err := m.Validate(); err != nil {
		return market.Market{}, err
	}
	return m, nil
}

// UpdateMarket is the updater prologue of Markets.Update.
func UpdateMarket(old market.Market, fn func(*market.Market) error) (market.Market, error) {
	return update(old, fn, market.Market.Clone, func(old market.Market, m *market.Market) {
		m.ID, m.CreatedAt, m.UpdatedAt, m.Version = old.ID, old.CreatedAt, Micro(m.UpdatedAt), old.Version+1
	}, market.Market.Validate)
}

func storedOrder(o *order.Order) {
	o.PlacedAt, o.CreatedAt, o.UpdatedAt = Micro(o.PlacedAt), Micro(o.CreatedAt), Micro(o.UpdatedAt)
}

// NewOrder prepares o for Orders.Create (orders carry no Version).
func NewOrder(o order.Order) (order.Order, error) {
	o = o.Clone()
	storedOrder(&o)
	if err := o.Validate(); err != nil {
		return order.Order{}, err
	}
	return o, nil
}

// UpdateOrder is the updater prologue of Orders.Update: the result keeps
// old's ID and CreatedAt (fn may change the customer: a claim).
func UpdateOrder(old order.Order, fn func(*order.Order) error) (order.Order, error) {
	return update(old, fn, order.Order.Clone, func(old order.Order, o *order.Order) {
		storedOrder(o)
		o.ID, o.CreatedAt = old.ID, old.CreatedAt
	}, order.Order.Validate)
}
