package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// TestHotPathsUnderRaces: the paths that lost a read for a check under the
// write's lock (issue 15) keep their answers when requests race each other
// and a delete, on every engine: one guest for 16 racing CreateGuest, one
// order for 16 racing RecordPlaced of it, one posting for 16 racing
// credits with one key, and a posting, a membership or an address either
// made before a racing delete or refused with customer.ErrNotFound.
func TestHotPathsUnderRaces(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store, clientele.WithIDGenerator(uuid.New))
		ctx := context.Background()
		const n = 16

		// Guests.
		guests := make([]customer.Customer, n)
		created := make([]bool, n)
		for i, err := range race(n, func(i int) (err error) {
			guests[i], created[i], err = svc.Customers.CreateGuest(ctx, customer.Params{Email: "Racing.Guest@example.com"})
			return err
		}) {
			require.NoError(t, err, "guest %d", i)
			assert.Equal(t, guests[0].ID, guests[i].ID, "guest %d", i)
		}
		made := 0
		for _, c := range created {
			if c {
				made++
			}
		}
		assert.Equal(t, 1, made, "one call created the guest")

		// One order, recorded by 16 requests at once.
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "racer@example.com"})
		require.NoError(t, err)
		ten, err := balance.ParseMoney("10.00", "EUR")
		require.NoError(t, err)
		orders := make([]order.Order, n)
		for i, err := range race(n, func(i int) (err error) {
			orders[i], err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "racing-1", CustomerID: c.ID, Total: ten})
			return err
		}) {
			require.NoError(t, err, "order %d", i)
			assert.Equal(t, "racing-1", orders[i].ID)
		}
		st, err := svc.Orders.Stats(ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.Equal(t, int64(1), st[0].OrderCount, "the order counts once")
		got, err := svc.Customers.Get(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, got.OrderCount)

		// 16 credits with one key: one posting.
		posts := make([]balance.Posting, n)
		for i, err := range race(n, func(i int) (err error) {
			posts[i], err = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: ten, IdempotencyKey: "racing-credit"})
			return err
		}) {
			require.NoError(t, err, "credit %d", i)
			assert.Equal(t, posts[0].ID, posts[i].ID, "credit %d", i)
		}
		avail, err := svc.Balances.Available(ctx, c.ID, balance.MustCurrency("EUR"))
		require.NoError(t, err)
		assert.True(t, avail.Equal(ten), "available %s", avail)

		// Writes racing the customer's deletion.
		g, err := svc.Groups.Create(ctx, group.Params{Name: "Racing"})
		require.NoError(t, err)
		one, err := balance.ParseMoney("0.10", "EUR")
		require.NoError(t, err)
		var members []clientele.MemberResult
		var mu sync.Mutex
		errs := race(n, func(i int) error {
			switch {
			case i == 0:
				return svc.Customers.Delete(ctx, c.ID)
			case i%3 == 0:
				rs, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
				if err == nil {
					mu.Lock()
					members = append(members, rs...)
					mu.Unlock()
				}
				return err
			case i%3 == 1:
				_, err := svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: one})
				return err
			default:
				_, err := svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: one,
					Reference: fmt.Sprintf("#%d", i), IdempotencyKey: fmt.Sprintf("pay-%d", i)})
				return err
			}
		})
		require.NoError(t, errs[0], "the delete")
		for i, err := range errs[1:] {
			if err != nil {
				assert.ErrorIs(t, err, customer.ErrNotFound, "call %d", i+1)
			}
		}
		for _, r := range members {
			if r.Outcome == clientele.MemberFailed {
				assert.ErrorIs(t, r.Err, customer.ErrNotFound)
			} else {
				assert.Contains(t, []clientele.MemberOutcome{clientele.MemberAdded, clientele.MemberAlreadyMember}, r.Outcome)
			}
		}
		// After the delete, every write is refused.
		_, err = svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: one})
		assert.ErrorIs(t, err, customer.ErrNotFound)
		rs, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID, uuid.New()})
		require.NoError(t, err)
		for _, r := range rs {
			assert.Equal(t, clientele.MemberFailed, r.Outcome)
			assert.ErrorIs(t, r.Err, customer.ErrNotFound)
		}
		_, err = svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: one})
		assert.ErrorIs(t, err, customer.ErrNotFound, "nothing to write still says the customer is gone")
		_, err = svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: one, IdempotencyKey: "pay-3"})
		assert.ErrorIs(t, err, customer.ErrNotFound, "a replay too")
		_, _, err = svc.Addresses.Add(ctx, c.ID, addr("1 Racing Way"))
		assert.True(t, errors.Is(err, customer.ErrNotFound), "%v", err)
	})
}
