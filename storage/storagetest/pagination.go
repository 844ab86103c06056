package storagetest

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

func paginationCases() []testCase {
	return []testCase{
		{"CustomersEveryItemOnce", paginationCustomers},
		{"CustomersFilteredEveryItemOnce", paginationCustomersFiltered},
		{"GroupMembersEveryItemOnce", paginationGroupMembers},
		{"GroupsEveryItemOnce", paginationGroups},
		{"MerchantsEveryItemOnce", paginationMerchants},
		{"MarketsEveryItemOnce", paginationMarkets},
		{"OrdersEveryItemOnce", paginationOrders},
		{"PostingsEveryItemOnce", paginationPostings},
		{"NoNextWhenExhausted", paginationNoNextWhenExhausted},
		{"InvalidCursor", paginationInvalidCursor},
		{"CursorOfAnotherList", paginationCursorOfAnotherList},
		{"DefaultLimit", paginationDefaultLimit},
		{"MaxLimit", paginationMaxLimit},
		{"KeysetStableUnderWrites", paginationKeysetStable},
	}
}

// pageLimits are the page sizes every walk is tried with.
var pageLimits = []int{1, 2, 3, 5, 7, 100}

// sameTimes returns n creation times with many duplicates, so that the ID
// half of the sort key decides the order.
func (e *env) sameTimes(n int) []time.Time {
	t0 := e.now()
	out := make([]time.Time, n)
	for i := range out {
		out[i] = t0.Add(time.Duration(i%3) * time.Microsecond) // three distinct instants
	}
	return out
}

func paginationCustomers(t *testing.T, e *env) {
	var cs []customer.Customer
	for i, at := range e.sameTimes(17) {
		kind := registered
		if i%4 == 0 {
			kind = guest
		}
		cs = append(cs, e.createCustomer(e.customerAt(kind, at)))
	}
	want := expectedCustomerIDs(cs...)
	for _, limit := range pageLimits {
		assertIDs(t, want, customerIDs(e.listCustomers(storage.CustomerFilter{}, limit)), "pages of %d", limit)
	}
}

func paginationCustomersFiltered(t *testing.T, e *env) {
	var match []customer.Customer
	for i, at := range e.sameTimes(30) {
		var opts []customerOption
		if i%3 == 1 {
			opts = append(opts, withTags("match"))
		}
		c := e.createCustomer(e.customerAt(registered, at, opts...))
		if i%3 == 1 {
			match = append(match, c)
		}
	}
	want := expectedCustomerIDs(match...)
	for _, limit := range pageLimits {
		assertIDs(t, want, customerIDs(e.listCustomers(storage.CustomerFilter{Tags: []string{"match"}}, limit)), "pages of %d", limit)
	}
}

func paginationGroupMembers(t *testing.T, e *env) {
	g := e.createGroup("Paged")
	var members []customer.Customer
	for i, at := range e.sameTimes(13) {
		c := e.createCustomer(e.customerAt(registered, at))
		if i != 5 {
			e.addMember(g.ID, c.ID)
			members = append(members, c)
		}
	}
	want := expectedCustomerIDs(members...)
	for _, limit := range pageLimits {
		assertIDs(t, want, customerIDs(e.listCustomers(storage.CustomerFilter{GroupID: g.ID}, limit)), "pages of %d", limit)
	}

	c := e.newCustomer()
	var gs []group.Group
	for i, at := range e.sameTimes(11) {
		x := e.groupAt(fmt.Sprintf("Member group %d", i), at)
		_, err := e.store.Groups().Create(e.ctx, x)
		require.NoError(t, err)
		e.addMember(x.ID, c.ID)
		gs = append(gs, x)
	}
	wantGroups := expectedGroupIDs(gs...)
	for _, limit := range pageLimits {
		assertIDs(t, wantGroups, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID}, limit)), "MemberID, pages of %d", limit)
	}
}

func paginationGroups(t *testing.T, e *env) {
	var gs []group.Group
	for i, at := range e.sameTimes(14) {
		g := e.groupAt(fmt.Sprintf("Group %02d", i), at)
		_, err := e.store.Groups().Create(e.ctx, g)
		require.NoError(t, err)
		gs = append(gs, g)
	}
	want := expectedGroupIDs(gs...)
	for _, limit := range pageLimits {
		assertIDs(t, want, groupIDs(e.listGroups(storage.GroupFilter{}, limit)), "pages of %d", limit)
	}
}

func paginationMerchants(t *testing.T, e *env) {
	var ms []merchant.Merchant
	for _, at := range e.sameTimes(12) {
		ms = append(ms, e.createMerchantAt(at))
	}
	want := expectedMerchantIDs(ms...)
	for _, limit := range pageLimits {
		assertIDs(t, want, merchantIDs(e.listMerchants(limit)), "pages of %d", limit)
	}
}

func paginationMarkets(t *testing.T, e *env) {
	m1 := e.createMerchant()
	m2 := e.createMerchant()
	var all, ofM1 []market.Market
	for i, at := range e.sameTimes(15) {
		owner := m1
		if i%2 == 1 {
			owner = m2
		}
		mk := e.createMarket(owner.ID, marketCreatedAt(at))
		all = append(all, mk)
		if owner.ID == m1.ID {
			ofM1 = append(ofM1, mk)
		}
	}
	for _, limit := range pageLimits {
		assertIDs(t, expectedMarketIDs(all...), marketIDs(e.listMarkets(storage.MarketFilter{}, limit)), "pages of %d", limit)
		assertIDs(t, expectedMarketIDs(ofM1...), marketIDs(e.listMarkets(storage.MarketFilter{MerchantID: m1.ID}, limit)), "MerchantID, pages of %d", limit)
	}
}

func paginationOrders(t *testing.T, e *env) {
	c := e.newCustomer()
	var os []order.Order
	for i, at := range e.sameTimes(16) {
		os = append(os, e.createOrder(c.ID, fmt.Sprintf("order-%c", 'p'-i), func(p *order.Params) { p.PlacedAt = at }))
	}
	want := expectedOrderIDs(os...)
	for _, limit := range pageLimits {
		assert.Equal(t, want, orderIDs(e.listOrders(c.ID, limit)), "pages of %d", limit)
	}
}

func paginationPostings(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	var ids []uuid.UUID
	for range 15 {
		ids = append(ids, e.post(a, e.usd("0.10")).ID)
	}
	for _, limit := range pageLimits {
		got := e.postings(a.ID, limit)
		var gotIDs []uuid.UUID
		for i, p := range got {
			gotIDs = append(gotIDs, p.ID)
			assert.Equal(t, int64(i+1), p.Sequence)
		}
		assertIDs(t, ids, gotIDs, "pages of %d", limit)
	}
}

func paginationNoNextWhenExhausted(t *testing.T, e *env) {
	for range 6 {
		e.newCustomer()
	}
	first, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 3})
	require.NoError(t, err)
	require.Len(t, first.Items, 3)
	require.NotEmpty(t, first.Next, "a page followed by more items has a Next cursor")
	second, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 3, Cursor: first.Next})
	require.NoError(t, err)
	assert.Len(t, second.Items, 3)
	assert.Empty(t, second.Next, "the page that ends the list has no Next, even when it is full")

	whole, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 6})
	require.NoError(t, err)
	assert.Len(t, whole.Items, 6)
	assert.Empty(t, whole.Next)
}

// garbageCursors are page cursors no store issued.
var garbageCursors = []string{
	"garbage!",
	"%%%",
	"'; DROP TABLE customers; --",
	base64.RawURLEncoding.EncodeToString([]byte("not json")),
	base64.StdEncoding.EncodeToString([]byte(`{"t":"yesterday"}`)) + "==",
	"\x00\xff",
}

func paginationInvalidCursor(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("1.00"))
	g := e.createGroup("G")
	e.addMember(g.ID, c.ID)
	m := e.createMerchant()
	e.createMarket(m.ID)
	e.createOrder(c.ID, "O-1")

	lists := map[string]func(ctx context.Context, p storage.PageRequest) error{
		"Customers.List": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Customers().List(ctx, storage.CustomerFilter{}, p)
			return err
		},
		"Customers.List(GroupID)": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Customers().List(ctx, storage.CustomerFilter{GroupID: g.ID}, p)
			return err
		},
		"Groups.List": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Groups().List(ctx, storage.GroupFilter{}, p)
			return err
		},
		"Groups.List(MemberID)": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Groups().List(ctx, storage.GroupFilter{MemberID: c.ID}, p)
			return err
		},
		"Merchants.List": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Merchants().List(ctx, p)
			return err
		},
		"Markets.List": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Markets().List(ctx, storage.MarketFilter{}, p)
			return err
		},
		"Orders.List": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Orders().List(ctx, c.ID, p)
			return err
		},
		"Balances.Postings": func(ctx context.Context, p storage.PageRequest) error {
			_, err := e.store.Balances().Postings(ctx, a.ID, p)
			return err
		},
	}
	for name, list := range lists {
		require.NoError(t, list(e.ctx, storage.PageRequest{}), "%s: the first page", name)
		for _, cur := range garbageCursors {
			err := list(e.ctx, storage.PageRequest{Cursor: cur})
			require.Error(t, err, "%s with cursor %q", name, cur)
			assert.ErrorIs(t, err, storage.ErrInvalidCursor, "%s with cursor %q", name, cur)
		}
	}
}

// paginationCursorOfAnotherList: a cursor is bound to the list that issued
// it. Each list's real Next cursor, given to every other list, returns
// ErrInvalidCursor, and the error's text neither repeats the token nor
// shows a decoder's message.
func paginationCursorOfAnotherList(t *testing.T, e *env) {
	c1, c2 := e.newCustomer(), e.newCustomer()
	a := e.createAccount(c1.ID, "USD")
	e.post(a, e.usd("1.00"))
	e.post(a, e.usd("2.00"))
	g1, g2 := e.createGroup("G1"), e.createGroup("G2")
	m1, m2 := e.createMerchant(), e.createMerchant()
	e.createMarket(m1.ID)
	e.createMarket(m2.ID)
	e.createOrder(c1.ID, "O-1")
	e.createOrder(c1.ID, "O-2")
	_, _, _ = c2, g1, g2

	type list struct {
		name string
		call func(ctx context.Context, p storage.PageRequest) (next string, err error)
	}
	lists := []list{
		{storage.ListCustomers, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Customers().List(ctx, storage.CustomerFilter{}, p)
			return pg.Next, err
		}},
		{storage.ListGroups, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Groups().List(ctx, storage.GroupFilter{}, p)
			return pg.Next, err
		}},
		{storage.ListMerchants, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Merchants().List(ctx, p)
			return pg.Next, err
		}},
		{storage.ListMarkets, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Markets().List(ctx, storage.MarketFilter{}, p)
			return pg.Next, err
		}},
		{storage.ListOrders, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Orders().List(ctx, c1.ID, p)
			return pg.Next, err
		}},
		{storage.ListPostings, func(ctx context.Context, p storage.PageRequest) (string, error) {
			pg, err := e.store.Balances().Postings(ctx, a.ID, p)
			return pg.Next, err
		}},
	}
	cursors := map[string]string{}
	for _, l := range lists {
		next, err := l.call(e.ctx, storage.PageRequest{Limit: 1})
		require.NoError(t, err, l.name)
		require.NotEmpty(t, next, "%s: a page of 1 of 2 items has a Next cursor", l.name)
		c, err := storage.ParseCursor(l.name, next)
		require.NoError(t, err, "%s issues cursors named %q", l.name, l.name)
		assert.Equal(t, l.name, c.List)
		cursors[l.name] = next
		_, err = l.call(e.ctx, storage.PageRequest{Limit: 1, Cursor: next})
		require.NoError(t, err, "%s takes its own cursor", l.name)
	}
	for _, l := range lists {
		for from, cur := range cursors {
			if from == l.name {
				continue
			}
			_, err := l.call(e.ctx, storage.PageRequest{Cursor: cur})
			require.ErrorIs(t, err, storage.ErrInvalidCursor, "%s given a cursor of %s", l.name, from)
			assert.NotContains(t, err.Error(), cur, "the error repeats the token")
		}
		_, err := l.call(e.ctx, storage.PageRequest{Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"x":1}`))})
		require.ErrorIs(t, err, storage.ErrInvalidCursor)
		assert.NotContains(t, err.Error(), "json", "a decoder's text leaks")
		assert.NotContains(t, err.Error(), "unknown field", "a decoder's text leaks")
	}
}

func paginationDefaultLimit(t *testing.T, e *env) {
	require.NoError(t, e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		for range storage.DefaultPageLimit + 1 {
			if _, err := tx.Customers().Create(ctx, e.registered()); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, limit := range []int{0, -1, -1000} {
		page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: limit})
		require.NoError(t, err)
		assert.Len(t, page.Items, storage.DefaultPageLimit, "Limit %d means DefaultPageLimit", limit)
		assert.NotEmpty(t, page.Next)
	}
}

func paginationMaxLimit(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	ps := make([]balance.Posting, storage.MaxPageLimit+1)
	for i := range ps {
		ps[i] = e.posting(a, e.usd("0.01"))
	}
	require.NoError(t, e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		for _, p := range ps {
			if _, err := tx.Balances().Post(ctx, p); err != nil {
				return err
			}
		}
		return nil
	}))
	page, err := e.store.Balances().Postings(e.ctx, a.ID, storage.PageRequest{Limit: storage.MaxPageLimit + 500})
	require.NoError(t, err)
	assert.Len(t, page.Items, storage.MaxPageLimit, "a Limit above MaxPageLimit means MaxPageLimit")
	require.NotEmpty(t, page.Next)
	rest, err := e.store.Balances().Postings(e.ctx, a.ID, storage.PageRequest{Limit: storage.MaxPageLimit + 500, Cursor: page.Next})
	require.NoError(t, err)
	require.Len(t, rest.Items, 1)
	assert.Equal(t, int64(storage.MaxPageLimit+1), rest.Items[0].Sequence)
	assert.Empty(t, rest.Next)
}

func paginationKeysetStable(t *testing.T, e *env) {
	var gs []group.Group
	for i := range 6 {
		gs = append(gs, e.createGroup(fmt.Sprintf("Stable %d", i)))
	}
	first, err := e.store.Groups().List(e.ctx, storage.GroupFilter{}, storage.PageRequest{Limit: 3})
	require.NoError(t, err)
	assertIDs(t, groupIDs(gs[:3]), groupIDs(first.Items))
	require.NotEmpty(t, first.Next)

	// Between pages: insert a group before the cursor, delete the group the
	// cursor points at, and add one at the end.
	early := e.groupAt("Early", baseTime.Add(-time.Hour))
	_, err = e.store.Groups().Create(e.ctx, early)
	require.NoError(t, err)
	require.NoError(t, e.store.Groups().Delete(e.ctx, gs[2].ID))
	late := e.createGroup("Late")

	rest := walk(t, 3, func(p storage.PageRequest) (storage.Page[group.Group], error) {
		if p.Cursor == "" {
			p.Cursor = first.Next
		}
		return e.store.Groups().List(e.ctx, storage.GroupFilter{}, p)
	})
	want := append(groupIDs(gs[3:]), late.ID)
	assertIDs(t, want, groupIDs(rest), "the cursor is a position in the order, not an offset or a record")

	// The same for customers, where the cursor's customer is soft-deleted.
	var cs []customer.Customer
	for range 5 {
		cs = append(cs, e.newCustomer())
	}
	page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 2})
	require.NoError(t, err)
	e.deleteCustomer(cs[1].ID)
	e.createCustomer(e.customerAt(registered, baseTime.Add(-time.Hour)))
	next, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 10, Cursor: page.Next})
	require.NoError(t, err)
	assertIDs(t, customerIDs(cs[2:]), customerIDs(next.Items))
}
