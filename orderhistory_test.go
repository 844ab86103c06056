package clientele_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

func historySvc(store storage.Store, opts ...clientele.Option) *clientele.Service {
	return clientele.New(store, append([]clientele.Option{clientele.WithClock(stepClock())}, opts...)...)
}

func euros(t testing.TB, amount string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, "EUR")
	require.NoError(t, err)
	return m
}

// TestOrderHistory_ReturnRefundedToStoreCredit is the must-show case: an
// order, a return, the return refunded to store credit, exactly once.
func TestOrderHistory_ReturnRefundedToStoreCredit(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := historySvc(store)
		ctx := context.Background()
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		o, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "o-1", CustomerID: ada.ID, Total: euros(t, "100.00")})
		require.NoError(t, err)

		ret, err := svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "r-1", OrderID: o.ID, Amount: euros(t, "40.00"), Reason: "too small"})
		require.NoError(t, err)
		assert.Equal(t, order.RequestRequested, ret.Status)
		ret, err = svc.Orders.SetReturnStatus(ctx, o.ID, "r-1", order.RequestReceived)
		require.NoError(t, err)
		assert.Equal(t, order.RequestReceived, ret.Status)

		p := order.RefundParams{ID: "rf-1", OrderID: o.ID, Amount: euros(t, "40.00"),
			Destination: order.DestinationStoreCredit, ReturnID: "r-1"}
		rf, err := svc.Orders.RecordRefund(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, order.RefundSucceeded, rf.Status)
		require.NotEqual(t, uuid.Nil, rf.PostingID, "the posting is kept on the refund")
		for range 3 {
			again, err := svc.Orders.RecordRefund(ctx, p)
			require.NoError(t, err)
			assert.Equal(t, rf, again, "a replay returns the stored refund")
		}
		acct, err := svc.Balances.Account(ctx, ada.ID, eur)
		require.NoError(t, err)
		assert.True(t, acct.Balance.Equal(euros(t, "40.00")), "credited once: %s", acct.Balance)
		hist, err := svc.Balances.History(ctx, ada.ID, acct.Balance.Currency(), page.Request{})
		require.NoError(t, err)
		require.Len(t, hist.Items, 1)
		assert.Equal(t, balance.KindRefund, hist.Items[0].Kind)
		assert.Equal(t, "o-1", hist.Items[0].Reference)
		assert.Equal(t, rf.PostingID, hist.Items[0].ID)

		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-1", OrderID: o.ID, Amount: euros(t, "41.00"),
			Destination: order.DestinationStoreCredit, ReturnID: "r-1"})
		require.ErrorIs(t, err, order.ErrDetailChanged)
		assert.Equal(t, errcode.Conflict, errcode.Of(err))
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-2", OrderID: o.ID, Amount: euros(t, "60.01"),
			Destination: order.DestinationOriginalPayment})
		require.ErrorIs(t, err, order.ErrRefundExceedsTotal, "40 + 60.01 > 100")
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-2", OrderID: o.ID, Amount: euros(t, "10.00"),
			Destination: order.DestinationOriginalPayment, ReturnID: "nope"})
		require.ErrorIs(t, err, order.ErrInvalid, "the return must exist")
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-2", OrderID: "nope", Amount: euros(t, "1.00"),
			Destination: order.DestinationOther})
		require.ErrorIs(t, err, order.ErrNotFound)

		// A pending refund reserves its amount; failing frees it.
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-3", OrderID: o.ID, Amount: euros(t, "60.00"),
			Destination: order.DestinationStoreCredit, Status: order.RefundPending})
		require.NoError(t, err)
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-4", OrderID: o.ID, Amount: euros(t, "0.01"),
			Destination: order.DestinationOther})
		require.ErrorIs(t, err, order.ErrRefundExceedsTotal)
		failed, err := svc.Orders.SetRefundStatus(ctx, o.ID, "rf-3", order.RefundFailed)
		require.NoError(t, err)
		assert.Equal(t, uuid.Nil, failed.PostingID)
		_, err = svc.Orders.SetRefundStatus(ctx, o.ID, "rf-3", order.RefundSucceeded)
		require.ErrorIs(t, err, order.ErrInvalidTransition)
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-4", OrderID: o.ID, Amount: euros(t, "0.01"),
			Destination: order.DestinationOther})
		require.NoError(t, err)

		d, err := svc.Orders.Details(ctx, o.ID)
		require.NoError(t, err)
		require.Len(t, d.Returns, 1)
		require.Len(t, d.Refunds, 3)
		assert.Empty(t, d.Exchanges)

		stats, err := svc.Orders.Stats(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, stats, 1)
		s := stats[0]
		assert.Equal(t, int64(1), s.OrderCount)
		assert.True(t, s.Spent.Equal(euros(t, "100.00")), "spent %s", s.Spent)
		assert.True(t, s.Refunded.Equal(euros(t, "40.01")), "refunded %s", s.Refunded)
		assert.True(t, s.Net().Equal(euros(t, "59.99")))
		assert.Equal(t, o.PlacedAt, s.FirstOrderAt)
		assert.Equal(t, o.PlacedAt, s.LastOrderAt)
	})
}

// TestOrderHistory_RefundRacing: 16 goroutines report one refund to store
// credit; the customer is credited once.
func TestOrderHistory_RefundRacing(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store)
		ctx := context.Background()
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "o-1", CustomerID: ada.ID, Total: euros(t, "50.00")})
		require.NoError(t, err)
		var wg sync.WaitGroup
		got := make([]order.Refund, 16)
		errs := make([]error, 16)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-1", OrderID: "o-1",
					Amount: euros(t, "50.00"), Destination: order.DestinationStoreCredit})
			}()
		}
		wg.Wait()
		for i := range got {
			require.NoError(t, errs[i])
			assert.Equal(t, got[0].PostingID, got[i].PostingID)
		}
		acct, err := svc.Balances.Account(ctx, ada.ID, eur)
		require.NoError(t, err)
		assert.True(t, acct.Balance.Equal(euros(t, "50.00")), "credited once: %s", acct.Balance)
		assert.Equal(t, int64(1), acct.Postings)
		stats, err := svc.Orders.Stats(ctx, ada.ID)
		require.NoError(t, err)
		assert.True(t, stats[0].Refunded.Equal(euros(t, "50.00")))
	})
}

// TestOrderHistory_CancelledOrdersCount: the option decides whether a
// cancelled order counts; not counting it moves the status back.
func TestOrderHistory_CancelledOrdersCount(t *testing.T) {
	tests := []struct {
		name      string
		count     bool
		wantCount int
		wantStat  customer.Status
		wantSpent string
	}{
		{"counted (default)", true, 2, customer.StatusRepeat, "30.00"},
		{"not counted", false, 1, customer.StatusAcquired, "20.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, store storage.Store) {
				svc := historySvc(store, clientele.WithCancelledOrdersCount(tt.count))
				ctx := context.Background()
				ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
				require.NoError(t, err)
				at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "a", CustomerID: ada.ID, Total: euros(t, "10.00"), PlacedAt: at})
				require.NoError(t, err)
				_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "b", CustomerID: ada.ID, Total: euros(t, "20.00"), PlacedAt: at.Add(time.Hour)})
				require.NoError(t, err)
				_, err = svc.Orders.SetStatus(ctx, "a", order.StatusCancelled)
				require.NoError(t, err)
				got, err := svc.Customers.Get(ctx, ada.ID)
				require.NoError(t, err)
				assert.Equal(t, tt.wantCount, got.OrderCount)
				assert.Equal(t, tt.wantStat, got.Status)
				stats, err := svc.Orders.Stats(ctx, ada.ID)
				require.NoError(t, err)
				require.Len(t, stats, 1)
				assert.Equal(t, int64(tt.wantCount), stats[0].OrderCount)
				assert.True(t, stats[0].Spent.Equal(euros(t, tt.wantSpent)), "spent %s", stats[0].Spent)
				if !tt.count {
					assert.Equal(t, at.Add(time.Hour), stats[0].FirstOrderAt, "the span drops the cancelled order")
				}
			})
		})
	}
}

// TestOrderHistory_StatsNeverDrift runs random operations and recomputes
// every customer's statistics from the orders and refunds.
func TestOrderHistory_StatsNeverDrift(t *testing.T) {
	for _, count := range []bool{true, false} {
		t.Run(fmt.Sprintf("cancelled_count=%v", count), func(t *testing.T) {
			eachStore(t, func(t *testing.T, store storage.Store) {
				svc := historySvc(store, clientele.WithCancelledOrdersCount(count))
				ctx := actor.NewContext(context.Background(), actor.Staff("u_1"))
				rng := rand.New(rand.NewPCG(1, uint64(map[bool]int{true: 1, false: 2}[count])))
				var customers []uuid.UUID
				for i := range 4 {
					c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("c%d@example.com", i)})
					require.NoError(t, err)
					customers = append(customers, c.ID)
				}
				curs := []string{"EUR", "USD"}
				var orders []string
				base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				for i := range 60 {
					switch op := rng.IntN(5); {
					case op == 0 || len(orders) == 0:
						id := fmt.Sprintf("o-%d", i)
						m, err := balance.ParseMoney(fmt.Sprintf("%d.%02d", rng.IntN(200), rng.IntN(100)), curs[rng.IntN(2)])
						require.NoError(t, err)
						_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: id, CustomerID: customers[rng.IntN(4)], Total: m,
							PlacedAt: base.Add(time.Duration(rng.IntN(1000)) * time.Hour)})
						require.NoError(t, err)
						orders = append(orders, id)
					case op == 1:
						_, _ = svc.Orders.SetStatus(ctx, orders[rng.IntN(len(orders))], order.StatusCancelled)
					case op == 2:
						_, err := svc.Orders.Reassign(ctx, orders[rng.IntN(len(orders))], customers[rng.IntN(4)])
						require.NoError(t, err)
					default:
						o, err := svc.Orders.Get(ctx, orders[rng.IntN(len(orders))])
						require.NoError(t, err)
						amount := balance.FromMinorUnits(o.Total.MinorUnits()/3+1, o.Total.Currency())
						dest := order.Destinations()[rng.IntN(3)]
						status := order.RefundStatuses()[rng.IntN(2)] // pending or succeeded
						_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: fmt.Sprintf("rf-%d", i), OrderID: o.ID,
							Amount: amount, Destination: dest, Status: status})
						if err != nil {
							require.ErrorIs(t, err, order.ErrRefundExceedsTotal)
						}
						d, err := svc.Orders.Details(ctx, o.ID)
						require.NoError(t, err)
						for _, r := range d.Refunds {
							if r.Status == order.RefundPending && rng.IntN(2) == 0 {
								_, err := svc.Orders.SetRefundStatus(ctx, o.ID, r.ID, order.RefundSucceeded)
								require.NoError(t, err)
							}
						}
					}
				}
				// Recompute.
				want := map[string]order.Stats{}
				for _, cid := range customers {
					for o, err := range svc.Orders.AllHistory(ctx, cid) {
						require.NoError(t, err)
						if !count && o.Status == order.StatusCancelled {
							continue
						}
						k := cid.String() + o.Total.Currency().Code()
						s, ok := want[k]
						if !ok {
							s = order.NewStats(cid, o.Total.Currency())
						}
						require.NoError(t, s.AddOrder(o.Total, o.PlacedAt))
						d, err := svc.Orders.Details(ctx, o.ID)
						require.NoError(t, err)
						for _, r := range d.Refunds {
							if r.Status == order.RefundSucceeded {
								require.NoError(t, s.AddRefund(r.Amount))
							}
						}
						want[k] = s
					}
				}
				for _, cid := range customers {
					got, err := svc.Orders.Stats(ctx, cid)
					require.NoError(t, err)
					for _, s := range got {
						w, ok := want[cid.String()+s.Currency.Code()]
						if !ok {
							w = order.NewStats(cid, s.Currency)
						}
						assert.Equal(t, w.OrderCount, s.OrderCount, "%v %s", cid, s.Currency)
						assert.True(t, w.Spent.Equal(s.Spent), "spent: want %s, got %s", w.Spent, s.Spent)
						assert.True(t, w.Refunded.Equal(s.Refunded), "refunded: want %s, got %s", w.Refunded, s.Refunded)
						assert.True(t, w.FirstOrderAt.Equal(s.FirstOrderAt) && w.LastOrderAt.Equal(s.LastOrderAt),
							"span: want %v..%v, got %v..%v", w.FirstOrderAt, w.LastOrderAt, s.FirstOrderAt, s.LastOrderAt)
						delete(want, cid.String()+s.Currency.Code())
					}
				}
				assert.Empty(t, want, "every customer's figures are stored")
			})
		})
	}
}

// TestOrderHistory_CustomersBySpend lists customers by what they spent.
func TestOrderHistory_CustomersBySpend(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := historySvc(store)
		ctx := context.Background()
		spent := []string{"500.00", "20.00", "750.00", "500.00", "0.00"}
		ids := make([]uuid.UUID, len(spent))
		for i, s := range spent {
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("c%d@example.com", i)})
			require.NoError(t, err)
			ids[i] = c.ID
			_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprint("o", i), CustomerID: c.ID, Total: euros(t, s)})
			require.NoError(t, err)
		}
		_, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "usd", CustomerID: ids[1], Total: balance.FromMinorUnits(900000, eur)})
		require.NoError(t, err)
		f := order.StatsFilter{Currency: eur, MinSpent: euros(t, "100.00")}
		var got []uuid.UUID
		p := page.Request{Limit: 1}
		for {
			pg, err := svc.Orders.CustomersBySpend(ctx, f, p)
			require.NoError(t, err)
			for _, s := range pg.Items {
				got = append(got, s.CustomerID)
			}
			if pg.Next == "" {
				break
			}
			p.Cursor = pg.Next
		}
		ties := []uuid.UUID{ids[0], ids[3]}
		if ties[1].String() < ties[0].String() {
			ties[0], ties[1] = ties[1], ties[0]
		}
		assert.Equal(t, []uuid.UUID{ids[1], ids[2], ties[0], ties[1]}, got, "spent descending, then ID (c1: 20 + 9000 EUR)")

		pg, err := svc.Orders.CustomersBySpend(ctx, order.StatsFilter{Currency: f.Currency, MaxSpent: euros(t, "600.00"), MinOrders: 1}, page.Request{})
		require.NoError(t, err)
		assert.Len(t, pg.Items, 3, "500, 500 and 0")

		_, err = svc.Orders.CustomersBySpend(ctx, order.StatsFilter{}, page.Request{})
		require.ErrorIs(t, err, order.ErrInvalid)
		_, err = svc.Orders.CustomersBySpend(ctx, f, page.Request{Cursor: "garbage"})
		require.ErrorIs(t, err, page.ErrInvalidCursor)
	})
}

// TestOrderHistory_ClaimMovesStats: a claim moves the guest's figures,
// refunds included, to the registered customer.
func TestOrderHistory_ClaimMovesStats(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := historySvc(store)
		ctx := actor.NewContext(context.Background(), actor.Staff("u_1"))
		guest, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		for i, total := range []string{"30.00", "12.50"} {
			_, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprint("g-", i), CustomerID: guest.ID, Total: euros(t, total)})
			require.NoError(t, err)
		}
		_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf", OrderID: "g-0", Amount: euros(t, "5.00"),
			Destination: order.DestinationOriginalPayment})
		require.NoError(t, err)
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "a-0", CustomerID: ada.ID, Total: euros(t, "7.50")})
		require.NoError(t, err)

		_, moved, err := svc.Orders.Claim(ctx, guest.ID, ada.ID)
		require.NoError(t, err)
		require.Equal(t, 2, moved)
		stats, err := svc.Orders.Stats(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, stats, 1)
		assert.Equal(t, int64(3), stats[0].OrderCount)
		assert.True(t, stats[0].Spent.Equal(euros(t, "50.00")), "spent %s", stats[0].Spent)
		assert.True(t, stats[0].Refunded.Equal(euros(t, "5.00")), "refunded %s", stats[0].Refunded)
		assert.True(t, stats[0].AverageOrderValue().Equal(euros(t, "16.67")), "50 / 3 rounds to 16.67")
		left, err := svc.Orders.Stats(ctx, guest.ID)
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, int64(0), left[0].OrderCount, "the guest keeps empty figures")
		assert.True(t, left[0].Spent.IsZero() && left[0].Refunded.IsZero())
		assert.True(t, left[0].FirstOrderAt.IsZero() && left[0].LastOrderAt.IsZero())
	})
}

// TestOrderHistory_ReplayedStatuses: a replay with a later status moves
// the detail, one with an earlier status (delivered late) changes nothing,
// and an impossible move is refused.
func TestOrderHistory_ReplayedStatuses(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: "o", CustomerID: c.ID, Total: money(t, "10.00")})
	require.NoError(t, err)
	p := order.RefundParams{ID: "rf", OrderID: "o", Amount: money(t, "4.00"), Destination: order.DestinationStoreCredit,
		Status: order.RefundPending}
	r, err := e.Orders.RecordRefund(e.ctx, p)
	require.NoError(t, err)
	assert.Equal(t, uuid.Nil, r.PostingID, "nothing credited while pending")
	p.Status = order.RefundSucceeded
	r, err = e.Orders.RecordRefund(e.ctx, p)
	require.NoError(t, err)
	assert.Equal(t, order.RefundSucceeded, r.Status)
	assert.NotEqual(t, uuid.Nil, r.PostingID, "credited when it succeeded")
	p.Status = order.RefundPending
	late, err := e.Orders.RecordRefund(e.ctx, p)
	require.NoError(t, err, "the pending report arrived late")
	assert.Equal(t, r, late)
	p.Status = order.RefundFailed
	_, err = e.Orders.RecordRefund(e.ctx, p)
	var te *order.DetailTransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "refund", te.Kind)
	avail, err := e.Balances.Available(e.ctx, c.ID, eur)
	require.NoError(t, err)
	assert.True(t, avail.Equal(money(t, "4.00")), "credited once: %s", avail)
}
