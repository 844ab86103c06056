package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// TestOutboxUnderLoad: 16 writers update 64 customers while 3 holders of
// one consumer drain the outbox. Every committed change is delivered at
// least once, none is skipped, no two holders hold a batch at once, and
// for every customer the delivery order (Sequence) keeps the order of its
// versions. It runs for 1 s per engine; CLIENTELE_OUTBOX_LOAD=10s runs it
// longer and the log says how many events per second went through
// (docs/BENCHMARKS.md).
func TestOutboxUnderLoad(t *testing.T) {
	run := time.Second
	if v := os.Getenv("CLIENTELE_OUTBOX_LOAD"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err)
		run = d
	}
	eachStore(t, func(t *testing.T, store storage.Store) {
		if _, ok := store.(storage.Outbox); !ok {
			t.Skip("the store keeps no events")
		}
		const writers, holders, customers = 16, 3, 64
		svc := clientele.New(store, WithRandomIDs())
		ctx := context.Background()
		ids := make([]uuid.UUID, customers)
		for i := range ids {
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("load%d@example.com", i)})
			require.NoError(t, err)
			ids[i] = c.ID
		}

		// What the writers committed: customer -> versions.
		var (
			mu        sync.Mutex
			committed = map[string]map[int64]bool{}
			writes    atomic.Int64
		)
		for _, id := range ids {
			committed[id.String()] = map[int64]bool{1: true}
		}
		// What the consumer received.
		var (
			dmu       sync.Mutex
			delivered = map[uuid.UUID]event.Event{}
			inFlight  atomic.Int32
			overlap   atomic.Bool
		)
		consumeCtx, stopConsumers := context.WithCancel(ctx)
		var cwg sync.WaitGroup
		start := time.Now()
		for h := range holders {
			cwg.Add(1)
			go func() {
				defer cwg.Done()
				err := svc.Events.Consume(consumeCtx, "load", func(_ context.Context, evs []event.Event) error {
					if inFlight.Add(1) > 1 {
						overlap.Store(true)
					}
					defer inFlight.Add(-1)
					dmu.Lock()
					for _, e := range evs {
						delivered[e.ID] = e
					}
					dmu.Unlock()
					return nil
				}, clientele.ConsumeOptions{Batch: 200, Lease: 5 * time.Second, Poll: 5 * time.Millisecond, Holder: fmt.Sprintf("holder-%d", h)})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("consume: %v", err)
				}
			}()
		}

		writeCtx, stopWriters := context.WithTimeout(ctx, run)
		defer stopWriters()
		var wwg sync.WaitGroup
		for w := range writers {
			wwg.Add(1)
			go func() {
				defer wwg.Done()
				for i := 0; writeCtx.Err() == nil; i++ {
					id := ids[(w*7+i)%customers]
					c, err := svc.Customers.Update(ctx, id, customer.Patch{Note: ptr(fmt.Sprintf("w%d-%d", w, i))})
					if err != nil {
						t.Errorf("update: %v", err)
						return
					}
					writes.Add(1)
					mu.Lock()
					committed[id.String()][c.Version] = true
					mu.Unlock()
				}
			}()
		}
		wwg.Wait()
		wrote := time.Since(start)

		// Wait until every committed change was delivered.
		want := int(writes.Load()) + customers
		deadline := time.Now().Add(60 * time.Second)
		for {
			dmu.Lock()
			n := len(delivered)
			dmu.Unlock()
			if n >= want || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		drained := time.Since(start)
		stopConsumers()
		cwg.Wait()

		assert.False(t, overlap.Load(), "two holders held a batch at the same time")
		dmu.Lock()
		defer dmu.Unlock()
		got := map[string]map[int64]int64{} // customer -> version -> sequence
		for _, e := range delivered {
			if got[e.AggregateID] == nil {
				got[e.AggregateID] = map[int64]int64{}
			}
			got[e.AggregateID][e.Version] = e.Sequence
		}
		for id, versions := range committed {
			for v := range versions {
				_, ok := got[id][v]
				assert.True(t, ok, "customer %s version %d committed but never delivered", id, v)
			}
			// Sequence order keeps version order.
			var lastV, lastSeq int64
			for v := int64(1); v <= int64(len(versions))+1; v++ {
				seq, ok := got[id][v]
				if !ok {
					continue
				}
				assert.Greater(t, seq, lastSeq, "customer %s: version %d delivered before version %d", id, v, lastV)
				lastV, lastSeq = v, seq
			}
		}
		t.Logf("%d writers, %d holders: %d changes committed in %v (%.0f/s); all %d events delivered after %v (%.0f events/s)",
			writers, holders, writes.Load(), wrote.Round(time.Millisecond), float64(writes.Load())/wrote.Seconds(),
			len(delivered), drained.Round(time.Millisecond), float64(len(delivered))/drained.Seconds())
	})
}
