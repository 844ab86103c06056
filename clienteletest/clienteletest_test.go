package clienteletest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

func TestSeqIDAndIDs(t *testing.T) {
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", clienteletest.SeqID(1).String())
	assert.Equal(t, "00000000-0000-4000-8000-0000000001ff", clienteletest.SeqID(511).String())
	assert.Equal(t, uuid.Version(4), clienteletest.SeqID(7).Version())
	assert.Equal(t, uuid.RFC4122, clienteletest.SeqID(7).Variant())

	var ids clienteletest.IDs
	assert.Equal(t, clienteletest.SeqID(1), ids.Next())
	assert.Equal(t, clienteletest.SeqID(2), ids.Next())
}

func TestClock(t *testing.T) {
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))
	c := clienteletest.NewClock(start, time.Minute)
	assert.Equal(t, start.UTC(), c.Now())
	assert.Equal(t, time.UTC, c.Peek().Location())
	assert.Equal(t, start.Add(time.Minute).UTC(), c.Now())
	c.Advance(time.Hour)
	assert.Equal(t, start.Add(62*time.Minute).UTC(), c.Peek())
	c.Set(start)
	assert.Equal(t, start.UTC(), c.Peek())
}

func TestEnvIsDeterministic(t *testing.T) {
	a, b := clienteletest.New(t), clienteletest.New(t)
	ca, cb := a.MustRegister(), b.MustRegister()
	assert.Equal(t, ca.ID, cb.ID)
	assert.Equal(t, clienteletest.SeqID(1), ca.ID)
	assert.Equal(t, clienteletest.Epoch, ca.CreatedAt)
	assert.Equal(t, ca.Email, cb.Email)
}

func TestBuildersGiveValidDistinctDefaults(t *testing.T) {
	env := clienteletest.New(t)
	first, second := env.MustRegister(), env.MustRegister()
	assert.NotEqual(t, first.Email.Address, second.Email.Address)
	assert.True(t, first.HasAccount)
	assert.Equal(t, customer.StateActive, first.State)

	biz := env.MustRegister(clienteletest.Business("Bauhaus GmbH", "DE123456789"),
		clienteletest.Tags("B2B", "b2b"), clienteletest.Metadata("crm", "42"),
		clienteletest.Reference("crm", "C-42"), clienteletest.Phone("+49 30 123456"))
	assert.Equal(t, customer.TypeBusiness, biz.Type)
	assert.True(t, biz.PricesExcludeVAT())
	assert.Equal(t, []string{"b2b"}, biz.Tags)
	assert.Equal(t, "42", biz.Metadata["crm"])
	assert.Equal(t, "+4930123456", biz.Phone)

	guest := env.MustGuest(clienteletest.Email("Guest@Example.com"))
	assert.False(t, guest.HasAccount)
	assert.Equal(t, guest.ID, env.MustGuest(clienteletest.Email("guest@example.com")).ID, "find-or-create")

	city := "Hamburg"
	addr := clienteletest.Address(address.Patch{City: &city})
	require.NoError(t, addr.Validate())
	assert.Equal(t, "Hamburg", addr.City)
	entry := env.MustAddAddress(first.ID, address.Patch{})
	assert.True(t, entry.DefaultShipping && entry.DefaultBilling)

	m := clienteletest.MustMoney(t, "12.50 EUR")
	assert.Equal(t, "12.50 EUR", m.String())
}

func TestMustRecordReturnAndRefund(t *testing.T) {
	env := clienteletest.New(t)
	c := env.MustRegister()
	env.MustPlaceOrder(c.ID, "order-1", "80.00 EUR")
	r := env.MustRecordReturn("order-1", "return-1", "30.00 EUR")
	assert.Equal(t, order.RequestRequested, r.Status)
	rf := env.MustRecordRefund("order-1", "refund-1", "30.00 EUR", clienteletest.ToStoreCredit(), clienteletest.ForReturn("return-1"))
	assert.Equal(t, "return-1", rf.ReturnID)
	assert.NotEqual(t, uuid.Nil, rf.PostingID)
	avail, err := env.Service.Balances.Available(context.Background(), c.ID, balance.MustCurrency("EUR"))
	require.NoError(t, err)
	assert.Equal(t, "30.00 EUR", avail.String())
	plain := env.MustRecordRefund("order-1", "refund-2", "1.00 EUR")
	assert.Equal(t, order.DestinationOriginalPayment, plain.Destination)

	ft := &failTB{TB: t}
	failing := clienteletest.New(ft)
	func() {
		defer func() { require.Equal(t, ft, recover()) }()
		failing.MustRecordRefund("no-such-order", "r", "1.00 EUR")
	}()
	assert.True(t, ft.failed, "a failing call fails the test")
}

func TestSeed(t *testing.T) {
	env := clienteletest.New(t)
	s := env.Seed()
	ctx := context.Background()
	svc := env.Service

	assert.Equal(t, customer.StatusAcquired, s.Guest.Status)
	assert.False(t, s.Guest.HasAccount)
	assert.Equal(t, customer.StatusProspect, s.Regular.Status)
	assert.Equal(t, customer.StatusRepeat, s.Member.Status)
	assert.Equal(t, 2, s.Member.OrderCount)
	assert.Equal(t, customer.TypeBusiness, s.Business.Type)

	eur := balance.MustCurrency("EUR")
	avail, err := svc.Balances.Available(ctx, s.Member.ID, eur)
	require.NoError(t, err)
	assert.Equal(t, "50.00 EUR", avail.String())
	avail, err = svc.Balances.Available(ctx, s.Business.ID, eur)
	require.NoError(t, err)
	assert.Equal(t, "500.00 EUR", avail.String(), "credit limit counts as available")

	for _, tc := range []struct {
		who  uuid.UUID
		want bool
	}{{uuid.Nil, false}, {s.Guest.ID, false}, {s.Regular.ID, false}, {s.Member.ID, true}} {
		ok, err := svc.Markets.CanAccess(ctx, s.VIPMarket.ID, tc.who)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ok, "VIP market access of %s", tc.who)
		ok, err = svc.Markets.CanAccess(ctx, s.Public.ID, tc.who)
		require.NoError(t, err)
		assert.True(t, ok, "public market admits everyone")
	}

	members, err := svc.Groups.Members(ctx, s.VIP.ID, page.Request{})
	require.NoError(t, err)
	require.Len(t, members.Items, 1)
	assert.Equal(t, s.Member.ID, members.Items[0].ID)

	book, err := svc.Addresses.Book(ctx, s.Member.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, book.Len())
}

// failTB records Fatalf instead of stopping the test, so the Must helpers'
// failure path can be checked.
type failTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *failTB) Helper() {}
func (f *failTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = format
	panic(f)
}

func TestMustHelpersFailTheTest(t *testing.T) {
	ftb := &failTB{TB: t}
	env := clienteletest.New(ftb)
	env.MustRegister(clienteletest.Email("taken@example.com"))
	func() {
		defer func() {
			r := recover()
			require.Equal(t, ftb, r)
		}()
		env.MustRegister(clienteletest.Email("TAKEN@example.com"))
	}()
	assert.True(t, ftb.failed)
}

// TestWithStore runs the fixtures on SQLite: the same builders and Must
// helpers work over any storage.Store.
func TestWithStore(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "env.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	require.NoError(t, sqlstore.Migrate(ctx, db, sqlite.Dialect))
	store, err := sqlstore.New(db, sqlite.Dialect)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })

	env := clienteletest.New(t, clienteletest.WithStore(store))
	require.Same(t, store, env.Store)
	ada := env.MustRegister()
	env.MustCredit(ada.ID, "12.50 EUR")
	got, err := store.Customers().Get(ctx, ada.ID)
	require.NoError(t, err, "the customer is in the SQLite store")
	assert.Equal(t, ada.Email, got.Email)
	avail, err := env.Service.Balances.Available(ctx, ada.ID, env.MustCurrency("EUR"))
	require.NoError(t, err)
	assert.Equal(t, "12.50", avail.Amount().StringFixed(2))
}

// A call inside Atomic made with the outer ctx instead of the function's
// waits for the transaction it is part of; the Env's store ends the wait
// after LockTimeout with ErrLockTimeout instead of hanging the test.
func TestOuterCtxInsideAtomicFailsFast(t *testing.T) {
	env := clienteletest.New(t)
	ada := env.MustRegister()
	outer := t.Context()
	var inner error
	err := env.Store.Atomic(outer, func(ctx context.Context, tx storage.Tx) error {
		_, inner = env.Store.Customers().Get(outer, ada.ID) // the wrong ctx
		return nil
	})
	require.NoError(t, err)
	require.ErrorIs(t, inner, storage.ErrLockTimeout)
}

func TestTakeEvents(t *testing.T) {
	env := clienteletest.New(t)
	g := env.MustGroup("VIP")
	ada := env.MustRegister()
	require.Equal(t, []event.Type{event.GroupCreated, event.CustomerRegistered}, env.TakeEventTypes())
	require.Nil(t, env.TakeEventTypes(), "taken events are not returned again")
	env.MustJoin(g.ID, ada.ID)
	evs := env.TakeEvents()
	require.Len(t, evs, 1)
	require.Equal(t, ada.ID, evs[0].CustomerID)
}
