package clientele_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
)

func TestIfVersion(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	require.Equal(t, int64(1), c.Version)

	t.Run("customer", func(t *testing.T) {
		c2, err := e.Customers.Update(e.ctx, c.ID, customer.Patch{FirstName: ptr("Ada")}, clientele.IfVersion(c.Version))
		require.NoError(t, err)
		assert.Equal(t, c.Version+1, c2.Version)

		_, err = e.Customers.Update(e.ctx, c.ID, customer.Patch{FirstName: ptr("Eve")}, clientele.IfVersion(c.Version))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		assert.Equal(t, errcode.Stale, errcode.Of(err))
		assert.Equal(t, 412, errcode.Of(err).HTTPStatus())
		var vm *clientele.VersionMismatchError
		require.ErrorAs(t, err, &vm)
		assert.Equal(t, clientele.VersionMismatchError{Expected: c.Version, Actual: c2.Version}, *vm)
		got, err := e.Customers.Get(e.ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Ada", got.FirstName, "a stale update writes nothing")
		assert.Equal(t, c2.Version, got.Version)

		_, err = e.Customers.Disable(e.ctx, c.ID, clientele.IfVersion(c.Version))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		d, err := e.Customers.Disable(e.ctx, c.ID, clientele.IfVersion(got.Version))
		require.NoError(t, err)
		_, err = e.Customers.Enable(e.ctx, c.ID, clientele.IfVersion(got.Version))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		_, err = e.Customers.Enable(e.ctx, c.ID, clientele.IfVersion(d.Version))
		require.NoError(t, err)

		_, err = e.Customers.Update(e.ctx, c.ID, customer.Patch{LastName: ptr("L")}, clientele.IfVersion(0))
		require.NoError(t, err, "zero means no check")
	})

	t.Run("group, merchant, market", func(t *testing.T) {
		g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
		require.NoError(t, err)
		g2, err := e.Groups.Rename(e.ctx, g.ID, "VIPs", clientele.IfVersion(g.Version))
		require.NoError(t, err)
		_, err = e.Groups.SetDescription(e.ctx, g.ID, "x", clientele.IfVersion(g.Version))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		_, err = e.Groups.Update(e.ctx, g.ID, group.Patch{Description: ptr("y")}, clientele.IfVersion(g2.Version))
		require.NoError(t, err)

		m, err := e.Merchants.Create(e.ctx, merchant.Params{Name: "Acme", BillingAddress: berlin})
		require.NoError(t, err)
		_, err = e.Merchants.Update(e.ctx, m.ID, merchant.Patch{Name: ptr("Acme 2")}, clientele.IfVersion(m.Version+1))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		_, err = e.Merchants.Update(e.ctx, m.ID, merchant.Patch{Name: ptr("Acme 2")}, clientele.IfVersion(m.Version))
		require.NoError(t, err)

		mk, err := e.Markets.Create(e.ctx, market.Params{MerchantID: m.ID, Code: "eu", Name: "EU", Currency: eur, BusinessModel: market.BusinessModelB2C})
		require.NoError(t, err)
		_, err = e.Markets.Update(e.ctx, mk.ID, market.Patch{Name: ptr("Europe")}, clientele.IfVersion(mk.Version+5))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)
		_, err = e.Markets.Update(e.ctx, mk.ID, market.Patch{Name: ptr("Europe")}, clientele.IfVersion(mk.Version))
		require.NoError(t, err)
	})

	t.Run("of two racing updates from one version, one wins", func(t *testing.T) {
		cur, err := e.Customers.Get(e.ctx, c.ID)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Customers.Update(e.ctx, c.ID, customer.Patch{Note: ptr(string(rune('a' + i)))}, clientele.IfVersion(cur.Version))
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				require.ErrorIs(t, err, clientele.ErrVersionMismatch)
			}
		}
		assert.Equal(t, 1, wins)
	})
}
