package storagetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

func orderCases() []testCase {
	return []testCase{
		{"CreateRoundTrip", orderCreateRoundTrip},
		{"CreateDuplicateIDConflicts", orderCreateDuplicateID},
		{"CreateUnknownCustomer", orderCreateUnknownCustomer},
		{"GetMissing", orderGetMissing},
		{"UpdateStoresResult", orderUpdate},
		{"UpdateFnErrorWritesNothing", orderUpdateFnError},
		{"UpdateKeepsIDAndCreatedAt", orderUpdateKeepsIdentity},
		{"UpdateMissing", orderUpdateMissing},
		{"UpdateReassignsCustomer", orderUpdateReassign},
		{"UpdateReassignUnknownCustomer", orderUpdateReassignUnknown},
		{"ListOrderedByPlacedAtID", orderListOrder},
		{"ListFollowsPlacedAtUpdates", orderListFollowsUpdates},
		{"ListEmpty", orderListEmpty},
	}
}

// listOrders returns a customer's whole order history.
func (e *env) listOrders(customerID uuid.UUID, limit int) []order.Order {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[order.Order], error) {
		return e.store.Orders().List(e.ctx, customerID, p)
	})
}

func orderIDs(os []order.Order) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

// expectedOrderIDs returns the IDs of os in history order: (PlacedAt, ID).
func expectedOrderIDs(os ...order.Order) []string {
	os = slices.Clone(os)
	slices.SortStableFunc(os, func(a, b order.Order) int {
		if c := a.PlacedAt.Compare(b.PlacedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return orderIDs(os)
}

func (e *env) getOrder(id string) order.Order {
	e.t.Helper()
	o, err := e.store.Orders().Get(e.ctx, id)
	require.NoError(e.t, err, "getting order %q", id)
	return o
}

func orderCreateRoundTrip(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.order(c.ID, "ORD-1001", func(p *order.Params) {
		p.Number = "1001/2025"
		p.Status = order.StatusFulfilled
		p.Total = money(t, "1234.567", "KWD")
		p.MarketID = e.id()
		p.Channel = "pos"
		p.PlacedAt = e.now().Add(-48 * time.Hour)
	})
	out, err := e.store.Orders().Create(e.ctx, o)
	require.NoError(t, err)
	assertOrder(t, o, out, "Create's result")
	assertOrder(t, o, e.getOrder(o.ID), "Get")
	list := e.listOrders(c.ID, 0)
	require.Len(t, list, 1)
	assertOrder(t, o, list[0], "List")
}

func orderCreateDuplicateID(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.newCustomer()
	first := e.createOrder(c.ID, "ORD-1")
	_, err := e.store.Orders().Create(e.ctx, e.order(c.ID, "ORD-1", func(p *order.Params) { p.Number = "again" }))
	requireConflict(t, err, storage.ConstraintOrderID, "the same customer")
	_, err = e.store.Orders().Create(e.ctx, e.order(other.ID, "ORD-1"))
	requireConflict(t, err, storage.ConstraintOrderID, "another customer")
	assertOrder(t, first, e.getOrder("ORD-1"), "nothing is written on conflict")
	assert.Empty(t, e.listOrders(other.ID, 0))
	assert.Len(t, e.listOrders(c.ID, 0), 1)
	// IDs are compared exactly.
	e.createOrder(c.ID, "ord-1")
}

func orderCreateUnknownCustomer(t *testing.T, e *env) {
	ghost := e.id()
	_, err := e.store.Orders().Create(e.ctx, e.order(ghost, "ORD-X"))
	requireNotLive(t, err)
	_, err = e.store.Orders().Get(e.ctx, "ORD-X")
	requireNotFound(t, err, "nothing is written")
}

func orderGetMissing(t *testing.T, e *env) {
	_, err := e.store.Orders().Get(e.ctx, "no-such-order")
	requireNotFound(t, err)
	_, err = e.store.Orders().Get(e.ctx, "")
	requireNotFound(t, err)
}

func orderUpdate(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-2")
	now := e.now()
	out, err := e.store.Orders().Update(e.ctx, o.ID, func(o *order.Order) error {
		return o.SetStatus(order.StatusCompleted, now)
	})
	require.NoError(t, err)
	want := o
	want.Status = order.StatusCompleted
	want.UpdatedAt = now
	assertOrder(t, want, out, "Update's result")
	assertOrder(t, want, e.getOrder(o.ID), "Get")
}

func orderUpdateFnError(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-3")
	want := &sentinel{"order update refused"}
	_, err := e.store.Orders().Update(e.ctx, o.ID, func(o *order.Order) error {
		o.Number = "changed"
		o.Status = order.StatusCancelled
		return want
	})
	requireSame(t, want, err)
	assertOrder(t, o, e.getOrder(o.ID), "nothing is written when fn fails")
}

func orderUpdateKeepsIdentity(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-4")
	out, err := e.store.Orders().Update(e.ctx, o.ID, func(x *order.Order) error {
		x.ID = "ORD-4-renamed"
		x.CreatedAt = x.CreatedAt.Add(time.Hour)
		x.Number = "renumbered"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, o.ID, out.ID, "fn cannot change the ID")
	assertUTC(t, "CreatedAt", o.CreatedAt, out.CreatedAt)
	assert.Equal(t, "renumbered", out.Number)
	assertOrder(t, out, e.getOrder(o.ID))
	_, err = e.store.Orders().Get(e.ctx, "ORD-4-renamed")
	requireNotFound(t, err)
	assert.Equal(t, []string{o.ID}, orderIDs(e.listOrders(c.ID, 0)))
}

func orderUpdateMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Orders().Update(e.ctx, "missing", func(*order.Order) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing order")
}

func orderUpdateReassign(t *testing.T, e *env) {
	g := e.createCustomer(e.guest(withEmail("claim@example.com")))
	r := e.newCustomer(withEmail("claim@example.com"))
	o1 := e.createOrder(g.ID, "ORD-A")
	o2 := e.createOrder(g.ID, "ORD-B")
	now := e.now()
	out, err := e.store.Orders().Update(e.ctx, o1.ID, func(o *order.Order) error {
		return o.Reassign(r.ID, now)
	})
	require.NoError(t, err)
	assert.Equal(t, r.ID, out.CustomerID)
	assert.Equal(t, r.ID, e.getOrder(o1.ID).CustomerID)
	assert.Equal(t, []string{o2.ID}, orderIDs(e.listOrders(g.ID, 0)), "the order left the guest's history")
	assert.Equal(t, []string{o1.ID}, orderIDs(e.listOrders(r.ID, 0)), "and joined the registered customer's")
}

func orderUpdateReassignUnknown(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-C")
	_, err := e.store.Orders().Update(e.ctx, o.ID, func(o *order.Order) error {
		return o.Reassign(e.id(), e.now())
	})
	requireNotLive(t, err, "reassigning to a customer that does not exist")
	assertOrder(t, o, e.getOrder(o.ID), "nothing is written")
	assert.Equal(t, []string{o.ID}, orderIDs(e.listOrders(c.ID, 0)))
}

func orderListOrder(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.newCustomer()
	t0 := e.now()
	at := func(d time.Duration) orderOption {
		return func(p *order.Params) { p.PlacedAt = t0.Add(d) }
	}
	var os []order.Order
	for _, x := range []struct {
		id string
		d  time.Duration
	}{
		{"b", 0}, {"a", 0}, {"c", -time.Microsecond}, {"B", 0}, {"aa", 0}, {"z", time.Hour}, {"a0", time.Microsecond},
	} {
		os = append(os, e.createOrder(c.ID, x.id, at(x.d)))
	}
	e.createOrder(other.ID, "other", at(0))
	want := expectedOrderIDs(os...)
	require.Equal(t, []string{"c", "B", "a", "aa", "b", "a0", "z"}, want)
	for _, limit := range []int{0, 1, 2, 3} {
		assert.Equal(t, want, orderIDs(e.listOrders(c.ID, limit)), "ordered by (PlacedAt, ID), pages of %d", limit)
	}
}

func orderListFollowsUpdates(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createOrder(c.ID, "A")
	b := e.createOrder(c.ID, "B")
	require.Equal(t, []string{"A", "B"}, orderIDs(e.listOrders(c.ID, 0)))
	_, err := e.store.Orders().Update(e.ctx, a.ID, func(o *order.Order) error {
		o.PlacedAt = b.PlacedAt.Add(time.Minute)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"B", "A"}, orderIDs(e.listOrders(c.ID, 0)), "the history follows a changed PlacedAt")
	assert.Equal(t, []string{"B", "A"}, orderIDs(e.listOrders(c.ID, 1)))
}

func orderListEmpty(t *testing.T, e *env) {
	c := e.newCustomer()
	for _, id := range []uuid.UUID{c.ID, e.id()} {
		page, err := e.store.Orders().List(e.ctx, id, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next)
	}
}
