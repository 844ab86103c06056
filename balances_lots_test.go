package clientele_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// movableClock is a service clock a test moves by hand.
type movableClock struct{ now atomic.Int64 }

func newMovableClock(t time.Time) *movableClock {
	c := &movableClock{}
	c.now.Store(t.UnixMicro())
	return c
}

func (c *movableClock) read() time.Time     { return time.UnixMicro(c.now.Load()).UTC() }
func (c *movableClock) add(d time.Duration) { c.now.Add(d.Microseconds()) }

func TestBalancesExpiringCredit(t *testing.T) {
	clock := newMovableClock(epoch)
	e := newEnv(t, clientele.WithClock(clock.read))
	c := e.register(t, "ada@example.com")
	day := 24 * time.Hour
	credit := func(amount string, expires time.Time, key string) balance.Posting {
		t.Helper()
		r := creditReq(c.ID, money(t, amount))
		r.ExpiresAt, r.IdempotencyKey, r.Kind = expires, key, balance.KindGiftCard
		p, err := e.Balances.Credit(e.ctx, r)
		require.NoError(t, err)
		return p
	}
	never := credit("10.00", time.Time{}, "")
	later := credit("10.00", epoch.Add(2*day), "")
	soon := credit("10.00", epoch.Add(day), "gc-1")
	assert.True(t, soon.ExpiresAt.Equal(epoch.Add(day)))

	t.Run("a replay compares the expiry", func(t *testing.T) {
		r := creditReq(c.ID, money(t, "10.00"))
		r.Kind, r.IdempotencyKey, r.ExpiresAt = balance.KindGiftCard, "gc-1", epoch.Add(day)
		again, err := e.Balances.Credit(e.ctx, r)
		require.NoError(t, err)
		assert.Equal(t, soon.ID, again.ID)
		r.ExpiresAt = epoch.Add(3 * day)
		_, err = e.Balances.Credit(e.ctx, r)
		require.ErrorIs(t, err, balance.ErrIdempotencyKeyReused)
	})
	t.Run("expiry must be in the future, and on a credit", func(t *testing.T) {
		r := creditReq(c.ID, money(t, "1.00"))
		r.ExpiresAt = clock.read()
		_, err := e.Balances.Credit(e.ctx, r)
		requireField(t, err, "expires_at")
		r.ExpiresAt = clock.read().Add(day)
		_, err = e.Balances.Debit(e.ctx, r)
		requireField(t, err, "expires_at")
	})

	_, err := e.Balances.Debit(e.ctx, creditReq(c.ID, money(t, "12.00")))
	require.NoError(t, err)
	lots, err := e.Balances.Lots(e.ctx, c.ID, eur)
	require.NoError(t, err)
	require.Len(t, lots, 3)
	assert.Equal(t, []uuid.UUID{soon.ID, later.ID, never.ID}, []uuid.UUID{lots[0].ID, lots[1].ID, lots[2].ID})
	assert.Equal(t, "0.00", lots[0].Remaining.AmountString(), "the soonest expiry is spent first")
	assert.Equal(t, "8.00", lots[1].Remaining.AmountString())
	assert.Equal(t, "10.00", lots[2].Remaining.AmountString())

	// Two days on, the 8.00 left of "later" has expired: only the
	// never-expiring 10.00 is available, although nothing ran an expiry.
	clock.add(2 * day)
	pay, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "25.00")})
	require.NoError(t, err)
	assert.Equal(t, "10.00", pay.Applied.AmountString(), "expired credit is not available")
	hist := e.allPostings(t, c.ID)
	require.Len(t, hist, 6)
	x := hist[4]
	assert.Equal(t, balance.KindExpiry, x.Kind, "the expiry is posted before the payment")
	assert.Equal(t, "-8.00", x.Amount.AmountString())
	assert.Equal(t, balance.ExpiryKey(later.ID), x.IdempotencyKey)
	acct, err := e.Balances.Account(e.ctx, c.ID, eur)
	require.NoError(t, err)
	assert.True(t, acct.Balance.IsZero())
	run, err := e.Balances.ExpireCredit(e.ctx, time.Time{})
	require.NoError(t, err)
	assert.Zero(t, run.Lots, "nothing left to expire")
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, balance.ErrInvalid)
	var ve *balance.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field)
}

// TestExpireCredit runs an expiry over more lots than one batch, on every
// engine, from four goroutines at once: each lot expires exactly once
// between them, and the totals add up.
func TestExpireCredit(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		clock := newMovableClock(epoch)
		svc := clientele.New(store, clientele.WithClock(clock.read), clientele.WithIDGenerator(sequentialIDs()))
		ctx := context.Background()
		const customers, perCustomer = 45, 5
		if testing.Short() {
			t.Skip("seeds 225 lots")
		}
		day := 24 * time.Hour
		var ids []uuid.UUID
		for i := range customers {
			c, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("g%d@example.com", i)})
			require.NoError(t, err)
			ids = append(ids, c.ID)
			for j := range perCustomer {
				r := creditReq(c.ID, money(t, "1.00"))
				r.ExpiresAt = epoch.Add(time.Duration(1+j%2) * day) // day 1 or day 2
				_, err := svc.Balances.Credit(ctx, r)
				require.NoError(t, err)
			}
			if i%9 == 0 {
				_, err := svc.Balances.Credit(ctx, creditReq(c.ID, money(t, "0.50"))) // never expires
				require.NoError(t, err)
			}
		}
		clock.add(3 * day)
		var wg sync.WaitGroup
		var total atomic.Int64
		var units atomic.Int64
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run, err := svc.Balances.ExpireCredit(ctx, time.Time{})
				if !assert.NoError(t, err) {
					return
				}
				total.Add(int64(run.Lots))
				for _, m := range run.Amounts {
					units.Add(m.MinorUnits())
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int64(customers*perCustomer), total.Load(), "every lot expired exactly once")
		assert.Equal(t, int64(customers*perCustomer*100), units.Load())
		for i, id := range ids {
			acct, err := svc.Balances.Account(ctx, id, eur)
			require.NoError(t, err)
			want := "0.00"
			if i%9 == 0 {
				want = "0.50"
			}
			assert.Equal(t, want, acct.Balance.AmountString())
		}
		run, err := svc.Balances.ExpireCredit(ctx, time.Time{})
		require.NoError(t, err)
		assert.Zero(t, run.Lots)
	})
}
