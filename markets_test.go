package clientele_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

var berlin = address.Address{Company: "Acme GmbH", Line1: "Torstraße 1", City: "Berlin", PostalCode: "10119", Country: "de"}

func (e env) merchant(t testing.TB, name string) merchant.Merchant {
	t.Helper()
	m, err := e.Merchants.Create(e.ctx, merchant.Params{Name: name, BillingAddress: berlin})
	require.NoError(t, err)
	return m
}

func (e env) market(t testing.TB, merchantID uuid.UUID, code string, groups ...uuid.UUID) market.Market {
	t.Helper()
	m, err := e.Markets.Create(e.ctx, marketParams(merchantID, code, groups...))
	require.NoError(t, err)
	return m
}

func marketParams(merchantID uuid.UUID, code string, groups ...uuid.UUID) market.Params {
	return market.Params{MerchantID: merchantID, Code: code, Name: "Market " + code,
		BusinessModel: market.BusinessModelB2C, Currency: eur, AccessGroups: groups}
}

func TestMerchants(t *testing.T) {
	e := newEnv(t)
	acme := e.merchant(t, " Acme ")
	assert.Equal(t, "Acme", acme.Name)
	assert.Equal(t, "DE", acme.BillingAddress.Country)
	assert.Equal(t, int64(1), acme.Version)

	t.Run("create errors", func(t *testing.T) {
		_, err := e.Merchants.Create(e.ctx, merchant.Params{Name: "", BillingAddress: berlin})
		require.ErrorIs(t, err, merchant.ErrInvalid)
		_, err = e.Merchants.Create(e.ctx, merchant.Params{Name: "X", BillingAddress: address.Address{Line1: "x"}})
		require.ErrorIs(t, err, merchant.ErrInvalid)
		require.ErrorIs(t, err, address.ErrInvalid)
	})
	t.Run("get", func(t *testing.T) {
		got, err := e.Merchants.Get(e.ctx, acme.ID)
		require.NoError(t, err)
		assert.Equal(t, acme, got)
		_, err = e.Merchants.Get(e.ctx, uuid.New())
		require.ErrorIs(t, err, merchant.ErrNotFound)
	})
	t.Run("update", func(t *testing.T) {
		got, err := e.Merchants.Update(e.ctx, acme.ID, merchant.Patch{
			Name: ptr("Acme Outfitters"), BillingAddress: &address.Patch{City: ptr("Hamburg")}})
		require.NoError(t, err)
		assert.Equal(t, "Acme Outfitters", got.Name)
		assert.Equal(t, "Hamburg", got.BillingAddress.City)
		assert.Equal(t, "Torstraße 1", got.BillingAddress.Line1, "patch semantics")
		assert.Equal(t, int64(2), got.Version)
		_, err = e.Merchants.Update(e.ctx, acme.ID, merchant.Patch{BillingAddress: &address.Patch{Country: ptr("")}})
		require.ErrorIs(t, err, merchant.ErrInvalid)
		_, err = e.Merchants.Update(e.ctx, uuid.New(), merchant.Patch{Name: ptr("x")})
		require.ErrorIs(t, err, merchant.ErrNotFound)
	})
	t.Run("list", func(t *testing.T) {
		other := e.merchant(t, "Other")
		pg, err := e.Merchants.List(e.ctx, page.Request{Limit: 1})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		assert.Equal(t, acme.ID, pg.Items[0].ID)
		pg, err = e.Merchants.List(e.ctx, page.Request{Limit: 1, Cursor: pg.Next})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		assert.Equal(t, other.ID, pg.Items[0].ID)
		assert.Empty(t, pg.Next)
	})
	t.Run("a merchant with markets cannot be deleted", func(t *testing.T) {
		m := e.market(t, acme.ID, "eu")
		err := e.Merchants.Delete(e.ctx, acme.ID)
		require.ErrorIs(t, err, merchant.ErrHasMarkets)
		require.ErrorIs(t, err, storage.ErrConflict, "the storage cause stays reachable")
		_, err = e.Merchants.Get(e.ctx, acme.ID)
		require.NoError(t, err, "nothing was deleted")

		require.NoError(t, e.Markets.Delete(e.ctx, m.ID))
		require.NoError(t, e.Merchants.Delete(e.ctx, acme.ID))
		_, err = e.Merchants.Get(e.ctx, acme.ID)
		require.ErrorIs(t, err, merchant.ErrNotFound)
		require.ErrorIs(t, e.Merchants.Delete(e.ctx, acme.ID), merchant.ErrNotFound)
	})
}

func TestMarkets(t *testing.T) {
	e := newEnv(t)
	acme, other := e.merchant(t, "Acme"), e.merchant(t, "Other")
	vip, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
	require.NoError(t, err)
	eu := e.market(t, acme.ID, " EU-Store ")
	assert.Equal(t, "eu-store", eu.Code)
	assert.False(t, eu.IsPrivate())

	t.Run("create errors", func(t *testing.T) {
		tests := []struct {
			name string
			p    market.Params
			want error
		}{
			{"code taken, any case", marketParams(other.ID, "EU-STORE"), market.ErrCodeTaken},
			{"unknown merchant", marketParams(uuid.New(), "x1"), merchant.ErrNotFound},
			{"unknown access group", marketParams(acme.ID, "x2", uuid.New()), group.ErrNotFound},
			{"invalid code", marketParams(acme.ID, "eu store"), market.ErrInvalid},
			{"no currency", market.Params{MerchantID: acme.ID, Code: "x3", Name: "X", BusinessModel: market.BusinessModelB2B}, market.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Markets.Create(e.ctx, tt.p)
				require.ErrorIs(t, err, tt.want)
			})
		}
		pg, err := e.Markets.List(e.ctx, market.Filter{}, page.Request{})
		require.NoError(t, err)
		assert.Len(t, pg.Items, 1, "nothing created")
	})
	t.Run("get", func(t *testing.T) {
		got, err := e.Markets.Get(e.ctx, eu.ID)
		require.NoError(t, err)
		assert.Equal(t, eu, got)
		got, err = e.Markets.GetByCode(e.ctx, " EU-store")
		require.NoError(t, err)
		assert.Equal(t, eu.ID, got.ID)
		_, err = e.Markets.Get(e.ctx, uuid.New())
		require.ErrorIs(t, err, market.ErrNotFound)
		_, err = e.Markets.GetByCode(e.ctx, "nope")
		require.ErrorIs(t, err, market.ErrNotFound)
	})
	t.Run("update", func(t *testing.T) {
		usd := balance.MustCurrency("USD")
		got, err := e.Markets.Update(e.ctx, eu.ID, market.Patch{Name: ptr("Europe"), Currency: &usd, AccessGroups: &[]uuid.UUID{vip.ID, vip.ID}})
		require.NoError(t, err)
		assert.Equal(t, "Europe", got.Name)
		assert.Equal(t, usd, got.Currency)
		assert.Equal(t, []uuid.UUID{vip.ID}, got.AccessGroups)
		assert.True(t, got.IsPrivate())
		assert.Equal(t, "eu-store", got.Code)

		_, err = e.Markets.Update(e.ctx, eu.ID, market.Patch{AccessGroups: &[]uuid.UUID{uuid.New()}})
		require.ErrorIs(t, err, group.ErrNotFound)
		_, err = e.Markets.Update(e.ctx, eu.ID, market.Patch{Name: ptr("")})
		require.ErrorIs(t, err, market.ErrInvalid)
		_, err = e.Markets.Update(e.ctx, uuid.New(), market.Patch{Name: ptr("x")})
		require.ErrorIs(t, err, market.ErrNotFound)
		stored, err := e.Markets.Get(e.ctx, eu.ID)
		require.NoError(t, err)
		assert.Equal(t, got, stored, "failed updates write nothing")
	})
	t.Run("list filters", func(t *testing.T) {
		second := e.market(t, other.ID, "us", vip.ID)
		third := e.market(t, acme.ID, "apac")
		for _, tt := range []struct {
			name string
			f    market.Filter
			want []uuid.UUID
		}{
			{"all", market.Filter{}, []uuid.UUID{eu.ID, second.ID, third.ID}},
			{"merchant", market.Filter{MerchantID: acme.ID}, []uuid.UUID{eu.ID, third.ID}},
			{"group", market.Filter{GroupID: vip.ID}, []uuid.UUID{eu.ID, second.ID}},
			{"merchant and group", market.Filter{MerchantID: other.ID, GroupID: vip.ID}, []uuid.UUID{second.ID}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got []uuid.UUID
				p := page.Request{Limit: 1}
				for pages := 0; ; pages++ {
					require.Less(t, pages, 10, "pagination does not end")
					pg, err := e.Markets.List(e.ctx, tt.f, p)
					require.NoError(t, err)
					for _, m := range pg.Items {
						got = append(got, m.ID)
					}
					if pg.Next == "" {
						break
					}
					p.Cursor = pg.Next
				}
				assert.Equal(t, tt.want, got)
			})
		}
	})
	t.Run("delete", func(t *testing.T) {
		m := e.market(t, acme.ID, "temp")
		require.NoError(t, e.Markets.Delete(e.ctx, m.ID))
		require.ErrorIs(t, e.Markets.Delete(e.ctx, m.ID), market.ErrNotFound)
		_, err := e.Markets.GetByCode(e.ctx, "temp")
		require.ErrorIs(t, err, market.ErrNotFound)
		e.market(t, acme.ID, "temp") // the code is free again
	})
}

// TestGroupsDelete_InUse: a group that a market restricts access to cannot
// be deleted until the market lets it go.
func TestGroupsDelete_InUse(t *testing.T) {
	e := newEnv(t)
	vip, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
	require.NoError(t, err)
	m := e.market(t, e.merchant(t, "Acme").ID, "vip", vip.ID)

	err = e.Groups.Delete(e.ctx, vip.ID)
	require.ErrorIs(t, err, group.ErrInUse)
	assert.True(t, storage.IsConflict(err, storage.ConstraintMarketAccessGroup))
	_, err = e.Groups.Get(e.ctx, vip.ID)
	require.NoError(t, err, "nothing was deleted")

	_, err = e.Markets.Update(e.ctx, m.ID, market.Patch{AccessGroups: &[]uuid.UUID{}})
	require.NoError(t, err)
	require.NoError(t, e.Groups.Delete(e.ctx, vip.ID))
}

// TestMarketsCanAccess is the must-show access matrix, through the service.
func TestMarketsCanAccess(t *testing.T) {
	e := newEnv(t)
	acme := e.merchant(t, "Acme")
	vip, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
	require.NoError(t, err)
	staff, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "Staff"})
	require.NoError(t, err)

	public := e.market(t, acme.ID, "public")
	private := e.market(t, acme.ID, "private", vip.ID, staff.ID)
	closed := e.market(t, acme.ID, "closed")
	_, err = e.Markets.Update(e.ctx, closed.ID, market.Patch{Disabled: ptr(true)})
	require.NoError(t, err)

	guestMember := e.guest(t, "guest@example.com")
	member := e.register(t, "member@example.com")
	staffer := e.register(t, "staff@example.com")
	nonMember := e.register(t, "outsider@example.com")
	disabledMember := e.register(t, "disabled@example.com")
	invited, err := e.Customers.Invite(e.ctx, customer.Params{Email: "invited@example.com"})
	require.NoError(t, err)
	deletedMember := e.register(t, "deleted@example.com")
	for g, ids := range map[uuid.UUID][]uuid.UUID{
		vip.ID:   {guestMember.ID, member.ID, disabledMember.ID, invited.ID, deletedMember.ID},
		staff.ID: {staffer.ID},
	} {
		res, err := e.Groups.AddMembers(e.ctx, g, ids)
		require.NoError(t, err)
		for _, r := range res {
			require.NoError(t, r.Err)
		}
	}
	_, err = e.Customers.Disable(e.ctx, disabledMember.ID)
	require.NoError(t, err)
	require.NoError(t, e.Customers.Delete(e.ctx, deletedMember.ID))

	visitors := []struct {
		name string
		id   uuid.UUID
	}{
		{"anonymous", uuid.Nil},
		{"guest member", guestMember.ID},
		{"registered member", member.ID},
		{"member of another access group", staffer.ID},
		{"registered non-member", nonMember.ID},
		{"disabled member", disabledMember.ID},
		{"invited member", invited.ID},
		{"deleted member", deletedMember.ID},
		{"unknown customer", uuid.New()},
	}
	// want[market][visitor]: nil admits, otherwise the reason.
	// A deleted or unknown customer is not found (a typo'd ID must not pass
	// for an anonymous visit), whatever the market.
	nf := customer.ErrNotFound
	want := map[string][]error{
		"public":  {nil, nil, nil, nil, nil, nil, nil, nf, nf},
		"private": {market.ErrPrivate, market.ErrPrivate, nil, nil, market.ErrNotMember, market.ErrPrivate, market.ErrPrivate, nf, nf},
		"closed":  {market.ErrDisabled, market.ErrDisabled, market.ErrDisabled, market.ErrDisabled, market.ErrDisabled, market.ErrDisabled, market.ErrDisabled, nf, nf},
	}
	for _, m := range []market.Market{public, private, closed} {
		for i, v := range visitors {
			t.Run(fmt.Sprintf("%s market × %s", m.Code, v.name), func(t *testing.T) {
				wantErr := want[m.Code][i]
				ok, err := e.Markets.CanAccess(e.ctx, m.ID, v.id)
				if errors.Is(wantErr, customer.ErrNotFound) {
					require.ErrorIs(t, err, customer.ErrNotFound, "CanAccess cannot decide")
					require.ErrorIs(t, e.Markets.Access(e.ctx, m.ID, v.id), customer.ErrNotFound)
					assert.False(t, ok)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, wantErr == nil, ok)

				err = e.Markets.Access(e.ctx, m.ID, v.id)
				if wantErr == nil {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, wantErr)
					assert.ErrorIs(t, err, market.ErrAccessDenied)
				}
			})
		}
	}
	t.Run("unknown market", func(t *testing.T) {
		ok, err := e.Markets.CanAccess(e.ctx, uuid.New(), member.ID)
		assert.False(t, ok)
		require.ErrorIs(t, err, market.ErrNotFound)
		require.ErrorIs(t, e.Markets.Access(e.ctx, uuid.New(), member.ID), market.ErrNotFound)
	})
	t.Run("access follows membership and state changes", func(t *testing.T) {
		_, err := e.Groups.RemoveMembers(e.ctx, vip.ID, []uuid.UUID{member.ID})
		require.NoError(t, err)
		ok, err := e.Markets.CanAccess(e.ctx, private.ID, member.ID)
		require.NoError(t, err)
		assert.False(t, ok)
		_, err = e.Customers.Enable(e.ctx, disabledMember.ID)
		require.NoError(t, err)
		ok, err = e.Markets.CanAccess(e.ctx, private.ID, disabledMember.ID)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}
