package clientele_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/verification"
)

func countCustomers(t *testing.T, e env) int {
	t.Helper()
	n := 0
	for _, err := range e.Customers.All(e.ctx, customer.Filter{IncludeDeleted: true}) {
		require.NoError(t, err)
		n++
	}
	return n
}

func TestIdempotencyKeyOnCreates(t *testing.T) {
	e := newEnv(t)
	key := clientele.IdempotencyKey("req-1")

	t.Run("register", func(t *testing.T) {
		p := customer.Params{Email: "ada@example.com", FirstName: "Ada"}
		first, err := e.Customers.Register(e.ctx, p, key)
		require.NoError(t, err)
		again, err := e.Customers.Register(e.ctx, p, key)
		require.NoError(t, err, "a retry with the same key and request replays, no ErrEmailTaken")
		assert.Equal(t, first, again)
		assert.Equal(t, 1, countCustomers(t, e))

		_, err = e.Customers.Register(e.ctx, customer.Params{Email: "ada@example.com", FirstName: "Eve"}, key)
		require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused, "the same key with another request")
		assert.Equal(t, errcode.Conflict, errcode.Of(err))

		_, err = e.Customers.Register(e.ctx, p)
		require.ErrorIs(t, err, customer.ErrEmailTaken, "without the key it is a new request")

		// The replay returns the record as it is now.
		upd, err := e.Customers.Update(e.ctx, first.ID, customer.Patch{LastName: ptr("Lovelace")})
		require.NoError(t, err)
		again, err = e.Customers.Register(e.ctx, p, key)
		require.NoError(t, err)
		assert.Equal(t, upd, again)
	})
	t.Run("keys are scoped per operation", func(t *testing.T) {
		inv, err := e.Customers.Invite(e.ctx, customer.Params{Email: "bob@example.com"}, key)
		require.NoError(t, err, "req-1 registered Ada; as an invitation it is another request")
		again, err := e.Customers.Invite(e.ctx, customer.Params{Email: "bob@example.com"}, key)
		require.NoError(t, err)
		assert.Equal(t, inv.ID, again.ID)

		g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"}, key)
		require.NoError(t, err)
		g2, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"}, key)
		require.NoError(t, err, "no ErrNameTaken on a retry")
		assert.Equal(t, g.ID, g2.ID)
		_, err = e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
		require.ErrorIs(t, err, group.ErrNameTaken)

		m, err := e.Merchants.Create(e.ctx, merchant.Params{Name: "Acme", BillingAddress: berlin}, key)
		require.NoError(t, err)
		m2, err := e.Merchants.Create(e.ctx, merchant.Params{Name: "Acme", BillingAddress: berlin}, key)
		require.NoError(t, err)
		assert.Equal(t, m.ID, m2.ID, "merchants have no natural key: without the key this would be a duplicate")

		mp := market.Params{MerchantID: m.ID, Code: "eu", Name: "EU", Currency: eur, BusinessModel: market.BusinessModelB2C}
		mk, err := e.Markets.Create(e.ctx, mp, key)
		require.NoError(t, err)
		mk2, err := e.Markets.Create(e.ctx, mp, key)
		require.NoError(t, err)
		assert.Equal(t, mk.ID, mk2.ID)
		mp.Name = "Europe"
		_, err = e.Markets.Create(e.ctx, mp, key)
		require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
	})
	t.Run("address", func(t *testing.T) {
		c := e.register(t, "addr@example.com")
		a := address.Address{Line1: "1 Main St", City: "Berlin", Country: "DE", FirstName: "Ada"}
		entry, _, err := e.Addresses.Add(e.ctx, c.ID, a, key)
		require.NoError(t, err)
		again, book, err := e.Addresses.Add(e.ctx, c.ID, a, key)
		require.NoError(t, err)
		assert.Equal(t, entry, again)
		assert.Len(t, book.Entries, 1, "added once")

		other := e.register(t, "other@example.com")
		_, _, err = e.Addresses.Add(e.ctx, other.ID, a, key)
		require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused, "the customer is part of the request")

		_, err = e.Addresses.Remove(e.ctx, c.ID, entry.ID)
		require.NoError(t, err)
		_, _, err = e.Addresses.Add(e.ctx, c.ID, a, key)
		require.ErrorIs(t, err, address.ErrNotFound, "the entry the key added is gone")
	})
	t.Run("keys are validated; the empty key is none", func(t *testing.T) {
		_, err := e.Customers.Register(e.ctx, customer.Params{Email: "blank@example.com"}, clientele.IdempotencyKey("  "))
		require.ErrorIs(t, err, errcode.Invalid)
		_, err = e.Customers.Register(e.ctx, customer.Params{Email: "blank@example.com"}, clientele.IdempotencyKey(""))
		require.NoError(t, err)
	})
}

// lacking hides every capability of a store (of the store, its
// transactions and its customers repository), as a third-party adapter
// written against the core contract would have none.
type lacking struct{ storage.Store }

func (l lacking) Customers() storage.Customers {
	return struct{ storage.Customers }{l.Store.Customers()}
}

func (l lacking) Atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return l.Store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error { return fn(ctx, lackingTx{tx}) })
}

type lackingTx struct{ storage.Tx }

func (l lacking) Groups() storage.Groups {
	return struct{ storage.Groups }{l.Store.Groups()}
}

func (l lackingTx) Groups() storage.Groups {
	return struct{ storage.Groups }{l.Tx.Groups()}
}

func (l lackingTx) Customers() storage.Customers {
	return struct{ storage.Customers }{l.Tx.Customers()}
}

func (l lacking) Balances() storage.Balances {
	return struct{ storage.Balances }{l.Store.Balances()}
}

func (l lackingTx) Balances() storage.Balances {
	return struct{ storage.Balances }{l.Tx.Balances()}
}

// TestCapabilitiesLacking runs the services on a store without any
// capability: what needs one answers ErrUnsupported, everything else works.
func TestCapabilitiesLacking(t *testing.T) {
	store := lacking{memory.New()}
	_, ok := any(store).(storage.Idempotency)
	require.False(t, ok)
	_, ok = store.Customers().(storage.CustomerSkeletons)
	require.False(t, ok)
	ctx := context.Background()

	strict := clientele.New(store)
	_, err := strict.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.ErrorIs(t, err, clientele.ErrUnsupported, "refusing look-alikes needs CustomerSkeletons")
	_, _, err = strict.Customers.CreateGuest(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err, "guests are never checked for look-alikes")

	svc := clientele.New(store, clientele.WithConfusableEmails(true))
	_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"}, clientele.IdempotencyKey("k"))
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	assert.Equal(t, errcode.Unsupported, errcode.Of(err))
	assert.Equal(t, 501, errcode.Of(err).HTTPStatus())
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err, "without a key the store works as before")
	_, err = svc.Customers.Get(ctx, c.ID)
	require.NoError(t, err)

	// The order history's details and statistics need OrderHistory; the
	// coarse history keeps working without them.
	_, ok = any(store).(storage.OrderHistory)
	require.False(t, ok)
	_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "o-1", CustomerID: c.ID, Total: money(t, "10.00")})
	require.NoError(t, err)
	_, err = svc.Orders.SetStatus(ctx, "o-1", order.StatusCancelled)
	require.NoError(t, err)
	_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf", OrderID: "o-1", Amount: money(t, "1.00"), Destination: order.DestinationOther})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "r", OrderID: "o-1", Amount: money(t, "1.00")})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Orders.Stats(ctx, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Orders.Details(ctx, "o-1")
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Orders.CustomersBySpend(ctx, order.StatsFilter{Currency: eur}, page.Request{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, ok = store.Balances().(storage.CreditLots)
	require.False(t, ok)
	expiring := clientele.PostingRequest{CustomerID: c.ID, Amount: balance.FromMinorUnits(100, balance.MustCurrency("EUR")),
		ExpiresAt: time.Now().Add(time.Hour)}
	_, err = svc.Balances.Credit(ctx, expiring)
	require.ErrorIs(t, err, clientele.ErrUnsupported, "expiring credit needs CreditLots")
	expiring.ExpiresAt = time.Time{}
	_, err = svc.Balances.Credit(ctx, expiring)
	require.NoError(t, err, "credit that never expires works without lots")
	_, err = svc.Balances.Debit(ctx, expiring)
	require.NoError(t, err)
	_, err = svc.Balances.Lots(ctx, c.ID, balance.MustCurrency("EUR"))
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Balances.ExpireCredit(ctx, time.Time{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)

	// Companies need the storage.Companies capability; every call says so.
	_, ok = any(store).(storage.Companies)
	require.False(t, ok)
	_, err = svc.Companies.Create(ctx, c.ID, company.Params{Name: "Acme", Currency: eur, BillingEmail: "b@acme.example"})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Companies.PlaceOrder(ctx, c.ID, uuid.New(), order.Params{ID: "co-1", Total: money(t, "1.00")})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, _, err = svc.Companies.AutoJoin(ctx, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)

	// Verifications need their capability.
	_, err = svc.Verifications.Get(ctx, verification.CustomerSubject(c.ID))
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Verifications.Submit(clientele.WithActor(ctx, actor.Staff("ana")), verification.CustomerSubject(c.ID))
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Verifications.PendingQueue(ctx, verification.Customer, page.Request{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	// Marketplace roles need MerchantRoles; plain groups keep working.
	_, ok = any(store).(storage.MerchantRoles)
	require.False(t, ok)
	_, err = svc.Vendors.Roles(ctx, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Vendors.VendorCustomers(ctx, c.ID, uuid.New(), page.Request{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Vendors.AddMember(ctx, c.ID, uuid.New(), c.ID, merchant.Staff)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Vendors.MerchantsOf(ctx, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Groups.Create(ctx, clientele.GroupParams{Name: "Plain"})
	require.NoError(t, err)
	// Timed memberships need TimedMemberships; memberships without a
	// window, their lists and market access work without it.
	_, ok = store.Groups().(storage.TimedMemberships)
	require.False(t, ok)
	plain, err := svc.Groups.GetByName(ctx, "Plain")
	require.NoError(t, err)
	_, err = svc.Groups.AddMembersFor(ctx, plain.ID, []uuid.UUID{c.ID}, group.Validity{Until: time.Now().Add(time.Hour)})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Groups.SetMemberValidity(ctx, plain.ID, c.ID, group.Validity{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Groups.Membership(ctx, plain.ID, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	res, err := svc.Groups.AddMembers(ctx, plain.ID, []uuid.UUID{c.ID})
	require.NoError(t, err)
	require.Equal(t, clientele.MemberAdded, res[0].Outcome)
	inPlain, err := svc.Groups.GroupsOf(ctx, c.ID, page.Request{})
	require.NoError(t, err)
	require.Len(t, inPlain.Items, 1)
	_, err = svc.Customers.Erase(ctx, c.ID)
	require.NoError(t, err, "erasure works without the capability")
}

func TestIdempotencyKeyOnGuestsAndOrders(t *testing.T) {
	e := newEnv(t)
	key := clientele.IdempotencyKey("checkout-42")
	g, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "guest@example.com"}, key)
	require.NoError(t, err)
	assert.True(t, created)
	again, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "guest@example.com"}, key)
	require.NoError(t, err)
	assert.False(t, created, "a replay created nothing")
	assert.Equal(t, g.ID, again.ID)
	_, _, err = e.Customers.CreateGuest(e.ctx, customer.Params{Email: "other@example.com"}, key)
	require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
	found, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "GUEST@example.com"}, clientele.IdempotencyKey("another"))
	require.NoError(t, err, "a new key for an existing guest finds it")
	assert.False(t, created)
	assert.Equal(t, g.ID, found.ID)

	p := order.Params{ID: "o-1", Number: "#1", CustomerID: g.ID, Total: money(t, "10.00")}
	o, err := e.Orders.RecordPlaced(e.ctx, p, key)
	require.NoError(t, err, "the same key in another scope")
	o2, err := e.Orders.RecordPlaced(e.ctx, p, key)
	require.NoError(t, err)
	assert.Equal(t, o.ID, o2.ID)
	c, err := e.Customers.Get(e.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, c.OrderCount, "counted once")
	p2 := p
	p2.ID = "o-2"
	_, err = e.Orders.RecordPlaced(e.ctx, p2, key)
	require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
}

// TestIdempotencyKeyConcurrent races retries of one keyed request with
// other requests for the same records, on every engine.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		const n = 12
		var wg sync.WaitGroup
		guests := make([]uuid.UUID, n)
		regs := make([]uuid.UUID, n)
		errs := make([]error, 2*n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var opts []clientele.CallOption
				if i%2 == 0 {
					opts = append(opts, clientele.IdempotencyKey("same"))
				}
				c, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "race@example.com"}, opts...)
				guests[i], errs[i] = c.ID, err
				r, err := svc.Customers.Register(ctx, customer.Params{Email: "race@example.com"}, clientele.IdempotencyKey("reg"))
				regs[i], errs[n+i] = r.ID, err
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.NoError(t, errs[n+i])
			assert.Equal(t, guests[0], guests[i], "one guest")
			assert.Equal(t, regs[0], regs[i], "one registered customer")
		}
	})
}
