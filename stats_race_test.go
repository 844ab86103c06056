package clientele_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// An order moved away while another is recorded for its former owner: the
// former owner's statistics must still span its orders (the span of what
// remains was read from a snapshot on TiDB, which missed the new order).
func TestStatsSpanUnderReassignRace(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := staff(context.Background())
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 6 {
			x, y := e.MustRegister(), e.MustRegister()
			total := clienteletest.MustMoney(t, "10.00 EUR")
			for j, at := range []time.Time{base, base.Add(time.Hour)} {
				_, err := e.Service.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("span-%d-%d-%s", i, j, x.ID),
					CustomerID: x.ID, Total: total, PlacedAt: at})
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, err := e.Service.Orders.Reassign(ctx, fmt.Sprintf("span-%d-1-%s", i, x.ID), y.ID)
				assert.NoError(t, err)
			}()
			go func() {
				defer wg.Done()
				_, err := e.Service.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("span-%d-2-%s", i, x.ID),
					CustomerID: x.ID, Total: total, PlacedAt: base.Add(2 * time.Hour)})
				assert.NoError(t, err)
			}()
			wg.Wait()
			stats, err := e.Service.Orders.Stats(context.Background(), x.ID)
			require.NoError(t, err)
			require.Len(t, stats, 1)
			hist, err := e.Service.Orders.History(context.Background(), x.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, hist.Items, 2)
			assert.EqualValues(t, 2, stats[0].OrderCount)
			assert.True(t, stats[0].FirstOrderAt.Equal(base), "first %v", stats[0].FirstOrderAt)
			assert.True(t, stats[0].LastOrderAt.Equal(base.Add(2*time.Hour)), "last %v", stats[0].LastOrderAt)
		}
	})
}
