package clientele_test

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage/memory"
)

// epoch is where every test clock starts.
var epoch = time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)

var eur = balance.MustCurrency("EUR")

// stepClock returns a clock that starts at epoch and moves on by one
// millisecond on every reading, so that records get distinct, increasing
// times. It is safe for concurrent use.
func stepClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return epoch.Add(time.Duration(n.Add(1)-1) * time.Millisecond) }
}

// fixedClock always returns t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// sequentialIDs returns a generator of readable, increasing UUIDs
// (00000000-0000-4000-8000-000000000001, ...). It is safe for concurrent use.
func sequentialIDs() func() uuid.UUID {
	var n atomic.Uint64
	return func() uuid.UUID {
		var id uuid.UUID
		binary.BigEndian.PutUint64(id[8:], n.Add(1))
		id[6] = 0x40  // version 4
		id[8] |= 0x80 // RFC 4122 variant
		return id
	}
}

// env is a service over a fresh memory store.
type env struct {
	*clientele.Service
	store *memory.Store
	ctx   context.Context
}

func newEnv(t testing.TB, opts ...clientele.Option) env {
	t.Helper()
	store := memory.New()
	opts = append([]clientele.Option{clientele.WithClock(stepClock()), clientele.WithIDGenerator(sequentialIDs())}, opts...)
	return env{Service: clientele.New(store, opts...), store: store, ctx: context.Background()}
}

func (e env) register(t testing.TB, email string, opts ...func(*customer.Params)) customer.Customer {
	t.Helper()
	p := customer.Params{Email: email}
	for _, o := range opts {
		o(&p)
	}
	c, err := e.Customers.Register(e.ctx, p)
	require.NoError(t, err)
	return c
}

func (e env) guest(t testing.TB, email string) customer.Customer {
	t.Helper()
	c, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: email})
	require.NoError(t, err)
	return c
}

func money(t testing.TB, amount string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, "EUR")
	require.NoError(t, err)
	return m
}

// allPostings reads a customer's whole EUR ledger through Balances.History.
func (e env) allPostings(t testing.TB, customerID uuid.UUID) []balance.Posting {
	t.Helper()
	var all []balance.Posting
	p := page.Request{Limit: 7}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10_000, "pagination does not end")
		pg, err := e.Balances.History(e.ctx, customerID, eur, p)
		require.NoError(t, err)
		all = append(all, pg.Items...)
		if pg.Next == "" {
			return all
		}
		p.Cursor = pg.Next
	}
}

func ptr[T any](v T) *T { return &v }

func creditReq(id uuid.UUID, m balance.Money) clientele.PostingRequest {
	return clientele.PostingRequest{CustomerID: id, Amount: m}
}

// WithRandomIDs makes a test env use random IDs, for tests with many
// goroutines where readable IDs do not matter.
func WithRandomIDs() clientele.Option { return clientele.WithIDGenerator(uuid.New) }

// staff returns ctx with a staff actor, for the calls that need one
// (Orders.Claim).
func staff(ctx context.Context) context.Context { return staffCtx(ctx) }

func staffCtx(ctx context.Context) context.Context {
	return actor.NewContext(ctx, actor.Staff("support-1"))
}
