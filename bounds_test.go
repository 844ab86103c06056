package clientele_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The services' own caps agree with the storage bounds: whatever a service
// accepts, its store accepts too, and what it refuses it refuses with its
// own documented error before storage sees it.
func TestServiceCapsAgreeWithStorageBounds(t *testing.T) {
	e := newEnv(t)
	tags := make([]string, storage.MaxFilterTags)
	for i := range tags {
		tags[i] = fmt.Sprintf("Tag-%d", i)
	}
	c := e.register(t, "ada@example.com", func(p *customer.Params) { p.Tags = tags })

	t.Run("list filtered by as many tags as a customer carries", func(t *testing.T) {
		page, err := e.Customers.List(e.ctx, storage.CustomerFilter{Tags: tags}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, c.ID, page.Items[0].ID)
	})
	t.Run("list filtered by 10,000 tags is a validation error", func(t *testing.T) {
		many := make([]string, 10_000)
		for i := range many {
			many[i] = fmt.Sprintf("t%d", i)
		}
		_, err := e.Customers.List(e.ctx, storage.CustomerFilter{Tags: many}, storage.PageRequest{})
		require.ErrorIs(t, err, customer.ErrInvalid)
	})
	t.Run("batches are bounded like the IDs a repository takes", func(t *testing.T) {
		assert.Equal(t, storage.MaxIDs, clientele.MaxBatch)
	})
	t.Run("an idempotency key too long for a posting is a validation error", func(t *testing.T) {
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"),
			IdempotencyKey: strings.Repeat("k", 1<<20)})
		require.ErrorIs(t, err, balance.ErrInvalid)
		assert.NotErrorIs(t, err, storage.ErrTooLarge)
		assert.Less(t, len(err.Error()), 512)
	})
	t.Run("a reference lookup by a megabyte is refused before any work", func(t *testing.T) {
		_, err := e.Customers.GetByReference(e.ctx, "shop", strings.Repeat("\n", 1<<20))
		require.ErrorIs(t, err, storage.ErrTooLarge)
		assert.Less(t, len(err.Error()), 256)
		_, err = e.Customers.GetByReference(e.ctx, "shop", strings.Repeat("r", storage.MaxKeyBytes))
		require.ErrorIs(t, err, customer.ErrNotFound)
	})
	t.Run("lookups by hostile keys quote them", func(t *testing.T) {
		_, err := e.Groups.GetByName(e.ctx, "vip\nlevel=error forged")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "\n")
		_, err = e.Orders.Get(e.ctx, strings.Repeat("\n", storage.MaxKeyBytes))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "\n")
		assert.Less(t, len(err.Error()), 512)
	})
}
