package clientele_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
)

func TestIterators(t *testing.T) {
	e := newEnv(t)
	const n = 2*page.DefaultLimit + 7 // three pages
	var want []uuid.UUID
	g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "all"})
	require.NoError(t, err)
	for i := range n {
		c := e.register(t, fmt.Sprintf("c%03d@example.com", i), func(p *customer.Params) { p.Tags = []string{"many"} })
		want = append(want, c.ID)
		_, err := e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{c.ID})
		require.NoError(t, err)
	}
	e.register(t, "other@example.com")

	ids := func(seq func(func(customer.Customer, error) bool)) []uuid.UUID {
		var out []uuid.UUID
		for c, err := range seq {
			require.NoError(t, err)
			out = append(out, c.ID)
		}
		return out
	}
	assert.Equal(t, want, ids(e.Customers.All(e.ctx, customer.Filter{Tags: []string{"MANY"}})), "filtered, normalized, every page")
	assert.Equal(t, want, ids(e.Groups.AllMembers(e.ctx, g.ID)))
	assert.Len(t, ids(e.Customers.All(e.ctx, customer.Filter{})), n+1)

	t.Run("break stops early", func(t *testing.T) {
		seen := 0
		for range e.Customers.All(e.ctx, customer.Filter{}) {
			seen++
			if seen == 3 {
				break
			}
		}
		assert.Equal(t, 3, seen)
	})
	t.Run("an error is yielded once and ends the walk", func(t *testing.T) {
		calls := 0
		for _, err := range e.Customers.All(e.ctx, customer.Filter{Email: "not an email"}) {
			calls++
			var ve *customer.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "email", ve.Field)
		}
		assert.Equal(t, 1, calls)
		for _, err := range e.Groups.AllMembers(e.ctx, uuid.New()) {
			assert.ErrorIs(t, err, group.ErrNotFound)
		}
	})
	t.Run("the other lists", func(t *testing.T) {
		c := e.register(t, "ledger@example.com")
		for i := range 60 {
			_, err := e.Balances.Credit(e.ctx, creditReq(c.ID, money(t, "1.00")))
			require.NoError(t, err, i)
		}
		var postings []balance.Posting
		for p, err := range e.Balances.AllHistory(e.ctx, c.ID, eur) {
			require.NoError(t, err)
			postings = append(postings, p)
		}
		require.Len(t, postings, 60)
		assert.Equal(t, int64(60), postings[59].Sequence)

		for i := range 55 {
			_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: fmt.Sprintf("o-%d", i), Number: fmt.Sprint(i),
				CustomerID: c.ID, Total: money(t, "5.00")})
			require.NoError(t, err)
		}
		orders := 0
		for _, err := range e.Orders.AllHistory(e.ctx, c.ID) {
			require.NoError(t, err)
			orders++
		}
		assert.Equal(t, 55, orders)

		groups := 0
		for _, err := range e.Groups.All(e.ctx) {
			require.NoError(t, err)
			groups++
		}
		assert.Equal(t, 1, groups)
		for _, err := range e.Groups.AllGroupsOf(e.ctx, want[0]) {
			require.NoError(t, err)
		}
		m, err := e.Merchants.Create(e.ctx, merchant.Params{Name: "Acme", BillingAddress: berlin})
		require.NoError(t, err)
		merchants := 0
		for _, err := range e.Merchants.All(e.ctx) {
			require.NoError(t, err)
			merchants++
		}
		assert.Equal(t, 1, merchants)
		markets := 0
		for _, err := range e.Markets.All(e.ctx, market.Filter{MerchantID: m.ID}) {
			require.NoError(t, err)
			markets++
		}
		assert.Equal(t, 0, markets)
	})
}
