package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// The storage.OrderHistory capability: each order's returns, exchanges and
// refunds (one record shape, storage.OrderDetail, keyed by order, kind and
// ID) and each customer's order statistics per currency, listed by spend.

func orderHistoryCases() []testCase {
	return []testCase{
		{"DetailRoundTripEveryKind", needsHistory(histRoundTrip)},
		{"SpanOfOrders", needsHistory(histSpan)},
		{"DetailKeyUniquePerOrderAndKind", needsHistory(histConflict)},
		{"DetailNeedsOrder", needsHistory(histNeedsOrder)},
		{"DetailsOrderedByCreatedAtThenID", needsHistory(histDetailsOrder)},
		{"PutDetailOnlyStatusAndPosting", needsHistory(histPut)},
		{"DetailValidates", needsHistory(histValidates)},
		{"StatsCreatedEmptyOnFirstUpdate", needsHistory(histStatsCreate)},
		{"StatsFnErrorWritesNothing", needsHistory(histStatsFnError)},
		{"StatsPerCurrencyOrderedByCode", needsHistory(histStatsCurrencies)},
		{"StatsConcurrentUpdatesAllCount", needsHistory(histStatsConcurrent)},
		{"StatsPlainReadThenLockingWrite", needsHistory(histStatsAfterRead)},
		{"ListBySpendKeysetAndFilters", needsHistory(histListBySpend)},
		{"ListBySpendCursorChecks", needsHistory(histListCursor)},
		{"AtomicRollsBack", needsHistory(histAtomic)},
		{"HostileInput", needsHistory(histHostile)},
		{"CanceledContext", needsHistory(histCanceled)},
	}
}

// needsHistory skips an OrderHistory case on a store that lacks the
// capability.
func needsHistory(run func(t *testing.T, e *env, r storage.OrderDetails)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		h, ok := e.store.(storage.OrderHistory)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.OrderHistory capability", e.store)
		}
		run(t, e, h.OrderDetails())
	}
}

func (e *env) refund(o order.Order, id string, opts ...func(*order.RefundParams)) storage.OrderDetail {
	e.t.Helper()
	p := order.RefundParams{ID: id, OrderID: o.ID, Amount: balance.FromMinorUnits(100, o.Total.Currency()),
		Destination: order.DestinationOriginalPayment, Reason: "damaged", RefundedAt: e.now()}
	for _, opt := range opts {
		opt(&p)
	}
	r, err := order.NewRefund(p, o, e.now())
	require.NoError(e.t, err)
	return storage.DetailOfRefund(r)
}

func (e *env) returnOf(o order.Order, id string) storage.OrderDetail {
	e.t.Helper()
	r, err := order.NewReturn(order.ReturnParams{ID: id, OrderID: o.ID, Amount: o.Total, Reason: "too small",
		RequestedAt: e.now()}, o, e.now())
	require.NoError(e.t, err)
	return storage.DetailOfReturn(r)
}

func (e *env) exchangeOf(o order.Order, id string) storage.OrderDetail {
	e.t.Helper()
	x, err := order.NewExchange(order.ExchangeParams{ID: id, OrderID: o.ID, Type: order.TypeReplacement,
		Amount: balance.FromMinorUnits(1, o.Total.Currency()), RequestedAt: e.now()}, o, e.now())
	require.NoError(e.t, err)
	return storage.DetailOfExchange(x)
}

func assertDetail(t *testing.T, want, got storage.OrderDetail, msg string) {
	t.Helper()
	assert.True(t, want.Amount.Equal(got.Amount), "%s: amount %s, want %s", msg, got.Amount, want.Amount)
	want.Amount, got.Amount = balance.Money{}, balance.Money{}
	for _, p := range []*storage.OrderDetail{&want, &got} {
		p.At, p.CreatedAt, p.UpdatedAt = micros(p.At), micros(p.CreatedAt), micros(p.UpdatedAt)
	}
	assert.Equal(t, want, got, msg)
}

func histRoundTrip(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1", func(p *order.Params) { p.Total = money(t, "1234.567", "KWD") })
	ds := []storage.OrderDetail{
		e.returnOf(o, "R-1"), e.exchangeOf(o, "X-1"),
		e.refund(o, "F-1", func(p *order.RefundParams) { p.ReturnID = "R-1"; p.Destination = order.DestinationStoreCredit }),
	}
	ds[2].PostingID = e.id()
	for _, d := range ds {
		require.NoError(t, r.CreateDetail(e.ctx, d))
		got, err := r.Detail(e.ctx, o.ID, d.Kind, d.ID)
		require.NoError(t, err)
		assertDetail(t, d, got, "Detail "+string(d.Kind))
		list, err := r.Details(e.ctx, o.ID, d.Kind)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assertDetail(t, d, list[0], "Details "+string(d.Kind))
		require.NoError(t, got.Validate())
	}
	_, err := r.Detail(e.ctx, o.ID, storage.DetailReturn, "X-1")
	require.ErrorIs(t, err, storage.ErrNotFound, "the kind is part of the key")
	list, err := r.Details(e.ctx, "no-such-order", storage.DetailRefund)
	require.NoError(t, err)
	assert.Empty(t, list)
	assert.NotNil(t, list, "none is an empty slice")
}

func histConflict(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1")
	o2 := e.createOrder(c.ID, "ORD-2")
	require.NoError(t, r.CreateDetail(e.ctx, e.refund(o, "F-1")))
	err := r.CreateDetail(e.ctx, e.refund(o, "F-1", func(p *order.RefundParams) { p.Reason = "other" }))
	require.True(t, storage.IsConflict(err, storage.ConstraintOrderDetail), "got %v", err)
	require.NoError(t, r.CreateDetail(e.ctx, e.refund(o2, "F-1")), "another order may use the ID")
	require.NoError(t, r.CreateDetail(e.ctx, e.returnOf(o, "F-1")), "another kind may use the ID")
	got, err := r.Detail(e.ctx, o.ID, storage.DetailRefund, "F-1")
	require.NoError(t, err)
	assert.Equal(t, "damaged", got.Reason, "the conflict wrote nothing")
}

func histNeedsOrder(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.order(c.ID, "NOT-STORED")
	err := r.CreateDetail(e.ctx, e.refund(o, "F-1"))
	require.ErrorIs(t, err, storage.ErrNotFound)
	err = r.PutDetail(e.ctx, e.refund(o, "F-1"))
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func histDetailsOrder(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1", func(p *order.Params) { p.Total = money(t, "1000", "USD") })
	at := e.now()
	var want []string
	for _, id := range []string{"b", "a", "B", "é", "c"} {
		d := e.refund(o, id)
		d.CreatedAt, d.UpdatedAt = at, at
		if id == "c" {
			d.CreatedAt, d.UpdatedAt = at.Add(-1), at.Add(-1) // a microsecond earlier
		}
		require.NoError(t, r.CreateDetail(e.ctx, d))
	}
	want = []string{"c", "B", "a", "b", "é"} // time, then ID byte by byte
	list, err := r.Details(e.ctx, o.ID, storage.DetailRefund)
	require.NoError(t, err)
	var got []string
	for _, d := range list {
		got = append(got, d.ID)
	}
	assert.Equal(t, want, got)
}

func histPut(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1")
	d := e.refund(o, "F-1", func(p *order.RefundParams) {
		p.Status = order.RefundPending
		p.Destination = order.DestinationStoreCredit
	})
	require.NoError(t, r.CreateDetail(e.ctx, d))
	next := d
	next.Status, next.PostingID, next.UpdatedAt = "succeeded", e.id(), e.now()
	require.NoError(t, r.PutDetail(e.ctx, next))
	got, err := r.Detail(e.ctx, o.ID, d.Kind, d.ID)
	require.NoError(t, err)
	assertDetail(t, next, got, "after PutDetail")

	bad := next
	bad.Amount = balance.FromMinorUnits(1, o.Total.Currency())
	require.ErrorIs(t, r.PutDetail(e.ctx, bad), storage.ErrConflict, "the amount may not change")
	bad = next
	bad.Reason = "another"
	require.ErrorIs(t, r.PutDetail(e.ctx, bad), storage.ErrConflict, "the reason may not change")
	got, err = r.Detail(e.ctx, o.ID, d.Kind, d.ID)
	require.NoError(t, err)
	assertDetail(t, next, got, "nothing written")
}

func histValidates(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1")
	for name, mutate := range map[string]func(*storage.OrderDetail){
		"kind":        func(d *storage.OrderDetail) { d.Kind = "gift" },
		"status":      func(d *storage.OrderDetail) { d.Status = "lost" },
		"destination": func(d *storage.OrderDetail) { d.Destination = "" },
		"amount":      func(d *storage.OrderDetail) { d.Amount = balance.Money{} },
		"id":          func(d *storage.OrderDetail) { d.ID = "" },
	} {
		d := e.refund(o, "F-"+name)
		mutate(&d)
		require.ErrorIs(t, r.CreateDetail(e.ctx, d), order.ErrInvalid, name)
	}
	list, err := r.Details(e.ctx, o.ID, storage.DetailRefund)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func (e *env) addOrderStats(r storage.OrderDetails, customerID uuid.UUID, total balance.Money) order.Stats {
	e.t.Helper()
	at := e.now()
	s, err := r.UpdateStats(e.ctx, customerID, total.Currency(), func(s *order.Stats) error { return s.AddOrder(total, at) })
	require.NoError(e.t, err)
	return s
}

func histStatsCreate(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, got)
	eur := money(t, "0", "EUR").Currency()
	var seen order.Stats
	at := e.now()
	s, err := r.UpdateStats(e.ctx, c.ID, eur, func(s *order.Stats) error {
		seen = *s
		s.CustomerID = e.id() // kept by the adapter
		return s.AddOrder(money(t, "19.99", "EUR"), at)
	})
	require.NoError(t, err)
	assert.Equal(t, int64(0), seen.OrderCount)
	assert.True(t, seen.Spent.Equal(balance.Zero(eur)), "fn sees the empty figures")
	assert.Equal(t, c.ID, s.CustomerID)
	assert.Equal(t, int64(1), s.OrderCount)
	assert.Equal(t, micros(at), s.FirstOrderAt)
	got, err = r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, s, got[0])

	_, err = r.UpdateStats(e.ctx, uuid.New(), eur, func(*order.Stats) error { return nil })
	require.ErrorIs(t, err, storage.ErrCustomerNotLive, "an unknown customer")
	_, err = r.UpdateStats(e.ctx, c.ID, eur, func(s *order.Stats) error { s.OrderCount = -1; return nil })
	require.ErrorIs(t, err, order.ErrInvalid)
}

func histStatsFnError(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	before := e.addOrderStats(r, c.ID, money(t, "10", "EUR"))
	boom := errors.New("boom")
	_, err := r.UpdateStats(e.ctx, c.ID, before.Currency, func(s *order.Stats) error {
		s.OrderCount = 99
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.UpdateStats(e.ctx, c.ID, money(t, "0", "USD").Currency(), func(*order.Stats) error { return boom })
	require.ErrorIs(t, err, boom)
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []order.Stats{before}, got, "nothing written, no empty USD figures either")
}

func histStatsCurrencies(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	for _, code := range []string{"USD", "EUR", "JPY"} {
		e.addOrderStats(r, c.ID, money(t, "10", code))
	}
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	var codes []string
	for _, s := range got {
		codes = append(codes, s.Currency.Code())
	}
	assert.Equal(t, []string{"EUR", "JPY", "USD"}, codes)
}

func histStatsConcurrent(t *testing.T, e *env, r storage.OrderDetails) {
	const n = 16
	c := e.newCustomer()
	at := e.now()
	errs := race(n, func(int) error {
		_, err := r.UpdateStats(e.ctx, c.ID, money(t, "0", "EUR").Currency(), func(s *order.Stats) error {
			return s.AddOrder(money(t, "1.00", "EUR"), at)
		})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, int64(n), got[0].OrderCount, "every update counted, the first ones racing to create the row")
	assert.True(t, got[0].Spent.Equal(money(t, "16.00", "EUR")))
}

// histStatsAfterRead reads the figures plainly in a transaction before the
// locking write: the write must still see (and keep) every commit.
func histStatsAfterRead(t *testing.T, e *env, r storage.OrderDetails) {
	const n = 8
	c := e.newCustomer()
	e.addOrderStats(r, c.ID, money(t, "1.00", "EUR"))
	at := e.now()
	errs := race(n, func(int) error {
		return e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			dd := tx.(storage.OrderHistory).OrderDetails()
			if _, err := dd.Stats(ctx, c.ID); err != nil {
				return err
			}
			_, err := dd.UpdateStats(ctx, c.ID, money(t, "0", "EUR").Currency(), func(s *order.Stats) error {
				return s.AddOrder(money(t, "1.00", "EUR"), at)
			})
			return err
		})
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(n+1), got[0].OrderCount)
}

func histListBySpend(t *testing.T, e *env, r storage.OrderDetails) {
	eur := money(t, "0", "EUR").Currency()
	type row struct {
		id     uuid.UUID
		spent  string
		orders int
	}
	var rows []row
	for i, spent := range []string{"500", "20", "750", "500", "500", "0.01"} {
		c := e.newCustomer()
		rows = append(rows, row{c.ID, spent, 1 + i%2})
		for range 1 + i%2 {
			e.addOrderStats(r, c.ID, money(t, spent, "EUR"))
		}
		e.addOrderStats(r, c.ID, money(t, "99999", "USD")) // another currency, never listed
	}
	all := func(f order.StatsFilter, limit int) []order.Stats {
		var out []order.Stats
		p := storage.PageRequest{Limit: limit}
		for {
			pg, err := r.ListBySpend(e.ctx, f, p)
			require.NoError(t, err)
			if limit > 0 {
				require.LessOrEqual(t, len(pg.Items), limit)
			}
			out = append(out, pg.Items...)
			if pg.Next == "" {
				return out
			}
			p.Cursor = pg.Next
		}
	}
	got := all(order.StatsFilter{Currency: eur}, 1)
	require.Len(t, got, len(rows))
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		require.True(t, a.Spent.MinorUnits() > b.Spent.MinorUnits() ||
			(a.Spent.Equal(b.Spent) && strings.Compare(a.CustomerID.String(), b.CustomerID.String()) < 0),
			"spent descending, then customer ID: %v", got)
	}
	assert.Equal(t, all(order.StatsFilter{Currency: eur}, 0), all(order.StatsFilter{Currency: eur}, 2), "pages agree")
	count := func(f order.StatsFilter) int { f.Currency = eur; return len(all(f, 2)) }
	assert.Equal(t, 4, count(order.StatsFilter{MinSpent: money(t, "500.00", "EUR")}), "500, 750, 500+500 and 500")
	assert.Equal(t, 2, count(order.StatsFilter{MaxSpent: money(t, "40.00", "EUR")}), "20+20 and 0.01")
	assert.Equal(t, 3, count(order.StatsFilter{MinOrders: 2}))
	assert.Equal(t, 0, count(order.StatsFilter{LastOrderBefore: baseTime}))
	assert.Equal(t, len(rows), count(order.StatsFilter{LastOrderAfter: baseTime}))
	_, err := r.ListBySpend(e.ctx, order.StatsFilter{}, storage.PageRequest{})
	require.ErrorIs(t, err, order.ErrInvalid, "a currency is required")
	_, err = r.ListBySpend(e.ctx, order.StatsFilter{Currency: eur, MinSpent: money(t, "1", "USD")}, storage.PageRequest{})
	require.ErrorIs(t, err, order.ErrInvalid, "bounds in the filter's currency")
	pg, err := r.ListBySpend(e.ctx, order.StatsFilter{Currency: money(t, "0", "JPY").Currency()}, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, pg.Items)
}

func histListCursor(t *testing.T, e *env, r storage.OrderDetails) {
	eur := money(t, "0", "EUR").Currency()
	for _, cur := range []string{
		"garbage",
		storage.Cursor{List: storage.ListOrders, Key: "x"}.String(),
		storage.Cursor{List: storage.ListSpend, Key: "not-a-uuid", Seq: 5}.String(),
	} {
		_, err := r.ListBySpend(e.ctx, order.StatsFilter{Currency: eur}, storage.PageRequest{Cursor: cur})
		require.ErrorIs(t, err, storage.ErrInvalidCursor, "cursor %q", cur)
	}
}

func histAtomic(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1")
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		dd := tx.(storage.OrderHistory).OrderDetails()
		if err := dd.CreateDetail(ctx, e.refund(o, "F-1")); err != nil {
			return err
		}
		if _, err := dd.UpdateStats(ctx, c.ID, o.Total.Currency(), func(s *order.Stats) error {
			return s.AddOrder(o.Total, o.PlacedAt)
		}); err != nil {
			return err
		}
		if _, err := dd.Detail(ctx, o.ID, storage.DetailRefund, "F-1"); err != nil {
			return fmt.Errorf("the transaction reads its own write: %w", err)
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.Detail(e.ctx, o.ID, storage.DetailRefund, "F-1")
	require.ErrorIs(t, err, storage.ErrNotFound, "rolled back")
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, got, "rolled back")
}

func histHostile(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	for i, s := range append([]string{`'; DROP TABLE order_details; --`, `%_%`, strings.Repeat("x", order.MaxIDLength)}, hostileStrings...) {
		if strings.TrimSpace(s) != s || len(s) > order.MaxIDLength {
			continue
		}
		o := e.createOrder(c.ID, fmt.Sprintf("ORD-%d", i))
		d := e.refund(o, s, func(p *order.RefundParams) { p.Reason = s })
		require.NoError(t, r.CreateDetail(e.ctx, d), "%q", s)
		got, err := r.Detail(e.ctx, o.ID, storage.DetailRefund, s)
		require.NoError(t, err, "%q", s)
		assert.Equal(t, s, got.ID, "byte for byte")
		assert.Equal(t, s, got.Reason, "byte for byte")
	}
	for name, key := range map[string]string{"invalid UTF-8": "a\xffb", "NUL": "a\x00b"} {
		_, err := r.Detail(e.ctx, "ORD-0", storage.DetailRefund, key)
		require.ErrorIs(t, err, storage.ErrNotFound, name)
		list, err := r.Details(e.ctx, key, storage.DetailRefund)
		require.NoError(t, err, name)
		assert.Empty(t, list, name)
	}
	huge := strings.Repeat("k", storage.MaxKeyBytes+1)
	var le *storage.LimitError
	_, err := r.Detail(e.ctx, huge, storage.DetailRefund, "x")
	require.ErrorAs(t, err, &le)
	_, err = r.Detail(e.ctx, "x", storage.DetailRefund, huge)
	require.ErrorAs(t, err, &le)
	_, err = r.Details(e.ctx, huge, storage.DetailRefund)
	require.ErrorAs(t, err, &le)
	s := e.addOrderStats(r, c.ID, balance.FromMinorUnits(1<<62, money(t, "0", "EUR").Currency()))
	got, err := r.Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []order.Stats{s}, got, "huge amounts round-trip")
}

func histCanceled(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-1")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	eur := money(t, "0", "EUR").Currency()
	require.ErrorIs(t, r.CreateDetail(ctx, e.refund(o, "F-1")), context.Canceled, "CreateDetail")
	require.ErrorIs(t, r.PutDetail(ctx, e.refund(o, "F-1")), context.Canceled, "PutDetail")
	_, err := r.Detail(ctx, o.ID, storage.DetailRefund, "F-1")
	require.ErrorIs(t, err, context.Canceled, "Detail")
	_, err = r.Details(ctx, o.ID, storage.DetailRefund)
	require.ErrorIs(t, err, context.Canceled, "Details")
	_, err = r.Stats(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Stats")
	_, err = r.UpdateStats(ctx, c.ID, eur, func(*order.Stats) error { return nil })
	require.ErrorIs(t, err, context.Canceled, "UpdateStats")
	_, err = r.ListBySpend(ctx, order.StatsFilter{Currency: eur}, storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled, "ListBySpend")
	list, err := r.Details(e.ctx, o.ID, storage.DetailRefund)
	require.NoError(t, err)
	assert.Empty(t, list, "nothing written")
}

func histSpan(t *testing.T, e *env, r storage.OrderDetails) {
	c := e.newCustomer()
	usd := balance.MustCurrency("USD")
	first, last, err := r.Span(e.ctx, c.ID, usd, true)
	require.NoError(t, err)
	assert.True(t, first.IsZero() && last.IsZero(), "no orders: zero times")
	a := e.createOrder(c.ID, "span-a")
	e.createOrder(c.ID, "span-eur", func(p *order.Params) { p.Total = money(t, "1.00", "EUR") })
	b := e.createOrder(c.ID, "span-b")
	x := e.createOrder(c.ID, "span-x", func(p *order.Params) { p.Status = order.StatusCancelled })
	e.createOrder(e.newCustomer().ID, "span-other")
	first, last, err = r.Span(e.ctx, c.ID, usd, true)
	require.NoError(t, err)
	assert.True(t, first.Equal(a.PlacedAt), "first %v", first)
	assert.True(t, last.Equal(x.PlacedAt), "cancelled included: last %v", last)
	first, last, err = r.Span(e.ctx, c.ID, usd, false)
	require.NoError(t, err)
	assert.True(t, first.Equal(a.PlacedAt))
	assert.True(t, last.Equal(b.PlacedAt), "cancelled left out: last %v", last)
	err = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		h, ok := tx.(storage.OrderHistory)
		require.True(t, ok)
		f, l, err := h.OrderDetails().Span(ctx, c.ID, usd, false)
		assert.True(t, f.Equal(a.PlacedAt) && l.Equal(b.PlacedAt), "in a transaction too")
		return err
	})
	require.NoError(t, err)
}
