package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// raceRounds is how many times each call races a delete in
// TestDocumentedErrorsUnderConcurrentDelete.
const raceRounds = 6

// raceFixture is what one round of a race case works on: a fresh registered
// customer with an address, 10.00 EUR of credit and a group membership, a
// guest with the same email and an order, and the service.
type raceFixture struct {
	svc   *clientele.Service
	c     customer.Customer
	entry address.Entry
	group group.Group
	guest customer.Customer
	mkt   market.Market
	round int
}

// raceCase is one service method, called while the customer is deleted or
// erased, and the sentinels its doc comment promises.
type raceCase struct {
	name string
	call func(ctx context.Context, f raceFixture) error
	want []error
}

// isOneOf reports whether err is nil or matches one of want.
func isOneOf(err error, want []error) bool {
	if err == nil {
		return true
	}
	for _, w := range want {
		if errors.Is(err, w) {
			return true
		}
	}
	return false
}

func raceCases() []raceCase {
	eur := func(s string) balance.Money { m, _ := balance.ParseMoney(s, "EUR"); return m }
	notFound := []error{customer.ErrNotFound}
	return []raceCase{
		{"Customers.Get", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Customers.Get(ctx, f.c.ID)
			return err
		}, notFound},
		{"Customers.Update", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Customers.Update(ctx, f.c.ID, customer.Patch{Note: ptr("raced"), Metadata: map[string]*string{"k": ptr("v")}})
			return err
		}, notFound},
		{"Customers.Disable", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Customers.Disable(ctx, f.c.ID)
			return err
		}, []error{customer.ErrNotFound, customer.ErrInvalidTransition}},
		{"Customers.Delete", func(ctx context.Context, f raceFixture) error {
			return f.svc.Customers.Delete(ctx, f.c.ID)
		}, notFound},
		{"Customers.Erase", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Customers.Erase(ctx, f.c.ID)
			return err
		}, []error{customer.ErrNotFound, customer.ErrInvalidTransition}},
		{"Addresses.Book", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Addresses.Book(ctx, f.c.ID)
			return err
		}, notFound},
		{"Addresses.Add", func(ctx context.Context, f raceFixture) error {
			_, _, err := f.svc.Addresses.Add(ctx, f.c.ID, address.Address{FirstName: "Ada", LastName: "L", Line1: "2 Side St", City: "Berlin", PostalCode: "10115", Country: "DE"})
			return err
		}, notFound},
		{"Addresses.Update", func(ctx context.Context, f raceFixture) error {
			_, _, err := f.svc.Addresses.Update(ctx, f.c.ID, f.entry.ID, address.Patch{City: ptr("Hamburg")})
			return err
		}, []error{customer.ErrNotFound, address.ErrNotFound}},
		{"Addresses.Remove", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Addresses.Remove(ctx, f.c.ID, f.entry.ID)
			return err
		}, []error{customer.ErrNotFound, address.ErrNotFound}},
		{"Addresses.SetDefault", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Addresses.SetDefault(ctx, f.c.ID, f.entry.ID, address.Billing)
			return err
		}, []error{customer.ErrNotFound, address.ErrNotFound}},
		{"Groups.AddMembers", func(ctx context.Context, f raceFixture) error {
			return batchErr(f.svc.Groups.AddMembers(ctx, f.group.ID, []uuid.UUID{f.c.ID}))
		}, notFound},
		{"Groups.RemoveMembers", func(ctx context.Context, f raceFixture) error {
			return batchErr(f.svc.Groups.RemoveMembers(ctx, f.group.ID, []uuid.UUID{f.c.ID}))
		}, nil},
		{"Groups.GroupsOf", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Groups.GroupsOf(ctx, f.c.ID, page.Request{})
			return err
		}, notFound},
		{"Balances.Credit", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.c.ID, Amount: eur("1.00"), IdempotencyKey: "raced"})
			return err
		}, notFound},
		{"Balances.Credit/new currency", func(ctx context.Context, f raceFixture) error {
			usd, _ := balance.ParseMoney("1.00", "USD")
			_, err := f.svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.c.ID, Amount: usd})
			return err
		}, notFound},
		{"Balances.Debit", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: f.c.ID, Amount: eur("1.00")})
			return err
		}, []error{customer.ErrNotFound, balance.ErrInsufficientFunds}},
		{"Balances.ApplyToOrder", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: f.c.ID, Total: eur("4.00"), Reference: "#1", IdempotencyKey: "pay"})
			return err
		}, notFound},
		{"Balances.Account", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.Account(ctx, f.c.ID, balance.MustCurrency("EUR"))
			return err
		}, []error{customer.ErrNotFound, balance.ErrAccountNotFound}},
		{"Balances.Available", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.Available(ctx, f.c.ID, balance.MustCurrency("EUR"))
			return err
		}, notFound},
		{"Balances.Accounts", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.Accounts(ctx, f.c.ID)
			return err
		}, notFound},
		{"Balances.History", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.History(ctx, f.c.ID, balance.MustCurrency("EUR"), page.Request{})
			return err
		}, []error{customer.ErrNotFound, balance.ErrAccountNotFound}},
		{"Balances.SetCreditLimit", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Balances.SetCreditLimit(ctx, f.c.ID, eur("50.00"))
			return err
		}, notFound},
		{"Orders.RecordPlaced", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("raced-%d", f.round), CustomerID: f.c.ID, Number: "#R", Total: eur("9.00")})
			return err
		}, notFound},
		{"Orders.Claim", func(ctx context.Context, f raceFixture) error {
			_, _, err := f.svc.Orders.Claim(staffCtx(ctx), f.guest.ID, f.c.ID)
			return err
		}, notFound},
		{"Orders.History", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Orders.History(ctx, f.c.ID, page.Request{})
			return err
		}, notFound},
		{"Markets.CanAccess", func(ctx context.Context, f raceFixture) error {
			_, err := f.svc.Markets.CanAccess(ctx, f.mkt.ID, f.c.ID)
			return err
		}, notFound},
	}
}

// batchErr turns a batch's per-customer failure into the call's error, so
// that it is checked against the documented sentinels as well.
func batchErr(results []clientele.MemberResult, err error) error {
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Outcome == clientele.MemberFailed {
			return r.Err
		}
	}
	return nil
}

// TestDocumentedErrorsUnderConcurrentDelete races each service method that
// takes a customer against that customer's deletion (even rounds) or
// erasure (odd rounds), on every engine: the method must succeed or return
// one of the errors its doc comment names, never a bare storage error; and
// nothing but what erasure keeps may stay behind on an erased customer.
func TestDocumentedErrorsUnderConcurrentDelete(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store, clientele.WithIDGenerator(uuid.New))
		ctx := context.Background()
		mer, err := svc.Merchants.Create(ctx, merchant.Params{Name: "Shop", BillingAddress: address.Address{FirstName: "S", LastName: "Shop", Line1: "1 Shop St", City: "Berlin", PostalCode: "10115", Country: "DE"}})
		require.NoError(t, err)
		var n atomic.Int64
		for _, tc := range raceCases() {
			t.Run(tc.name, func(t *testing.T) {
				for round := range raceRounds {
					k := n.Add(1)
					f := raceFixture{svc: svc, round: round}
					email := fmt.Sprintf("race-%d@example.com", k)
					f.c, err = svc.Customers.Register(ctx, customer.Params{Email: email})
					require.NoError(t, err)
					f.entry, _, err = svc.Addresses.Add(ctx, f.c.ID, address.Address{FirstName: "Ada", LastName: "L", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"})
					require.NoError(t, err)
					ten, _ := balance.ParseMoney("10.00", "EUR")
					_, err = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.c.ID, Amount: ten})
					require.NoError(t, err)
					f.group, err = svc.Groups.Create(ctx, clientele.GroupParams{Name: fmt.Sprintf("Group %d", k)})
					require.NoError(t, err)
					_, err = svc.Groups.AddMembers(ctx, f.group.ID, []uuid.UUID{f.c.ID})
					require.NoError(t, err)
					f.guest, _, err = svc.Customers.CreateGuest(ctx, customer.Params{Email: email})
					require.NoError(t, err)
					_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("guest-%d", k), CustomerID: f.guest.ID, Number: "#G", Total: ten})
					require.NoError(t, err)
					f.mkt, err = svc.Markets.Create(ctx, market.Params{MerchantID: mer.ID, Code: fmt.Sprintf("M%d", k), Name: "M", BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"), AccessGroups: []uuid.UUID{f.group.ID}})
					require.NoError(t, err)

					erase := round%2 == 1
					var callErr, delErr error
					var wg sync.WaitGroup
					start := make(chan struct{})
					wg.Add(2)
					go func() {
						defer wg.Done()
						<-start
						callErr = tc.call(ctx, f)
					}()
					go func() {
						defer wg.Done()
						<-start
						if erase {
							_, delErr = svc.Customers.Erase(ctx, f.c.ID)
						} else {
							delErr = svc.Customers.Delete(ctx, f.c.ID)
						}
					}()
					close(start)
					wg.Wait()
					assert.True(t, isOneOf(callErr, tc.want), "round %d (erase %v): %s returned %v, documented: %v", round, erase, tc.name, callErr, tc.want)
					// The delete races Delete and Erase calls too.
					assert.True(t, isOneOf(delErr, []error{customer.ErrNotFound, customer.ErrInvalidTransition}), "round %d: the delete returned %v", round, delErr)
					if erase && delErr == nil {
						// Nothing personal outlives an erasure that succeeded.
						b, err := store.Addresses().Book(ctx, f.c.ID)
						require.NoError(t, err)
						assert.Empty(t, b.Entries, "round %d: an address outlived the erasure", round)
					}
				}
			})
		}
	})
}

// Issue 7, bug 2: thirty-two concurrent ApplyToOrder calls against 100.00
// with totals of 4.00 to 20.43 all succeed, each with Applied + Remaining =
// Total, and together they apply exactly the 100.00.
func TestApplyToOrderConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store, clientele.WithIDGenerator(uuid.New))
		ctx := context.Background()
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "payer@example.com"})
		require.NoError(t, err)
		hundred, _ := balance.ParseMoney("100.00", "EUR")
		_, err = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: hundred})
		require.NoError(t, err)
		const n = 32
		pays := make([]clientele.OrderPayment, n)
		errs := make([]error, n)
		totals := make([]balance.Money, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			totals[i], err = balance.NewMoneyFromMinorUnits(int64(400+i*53), balance.MustCurrency("EUR"))
			require.NoError(t, err)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				pays[i], errs[i] = svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: totals[i],
					Reference: fmt.Sprintf("#%d", i), IdempotencyKey: fmt.Sprintf("order-%d", i)})
			}()
		}
		close(start)
		wg.Wait()
		sum := balance.Zero(balance.MustCurrency("EUR"))
		for i := range n {
			if !assert.NoError(t, errs[i], "payment %d", i) {
				continue
			}
			total, err := pays[i].Applied.Add(pays[i].Remaining)
			require.NoError(t, err)
			assert.True(t, total.Equal(totals[i]), "payment %d: applied %s + remaining %s != %s", i, pays[i].Applied, pays[i].Remaining, totals[i])
			sum, err = sum.Add(pays[i].Applied)
			require.NoError(t, err)
		}
		assert.True(t, sum.Equal(hundred), "the payments applied %s of 100.00", sum)
		avail, err := svc.Balances.Available(ctx, c.ID, balance.MustCurrency("EUR"))
		require.NoError(t, err)
		assert.True(t, avail.IsZero(), "left %s", avail)
	})
}

// AddMembers and RemoveMembers racing the group's deletion: the call
// succeeds or returns group.ErrNotFound as a whole (the documented error),
// never a bare storage error.
func TestMembersUnderConcurrentGroupDelete(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store, clientele.WithIDGenerator(uuid.New))
		ctx := context.Background()
		for round := range raceRounds {
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("member-%d@example.com", round)})
			require.NoError(t, err)
			g, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: fmt.Sprintf("Doomed %d", round)})
			require.NoError(t, err)
			remove := round%2 == 1
			if remove {
				_, err = svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
				require.NoError(t, err)
			}
			var callErr, delErr error
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				if remove {
					callErr = batchErr(svc.Groups.RemoveMembers(ctx, g.ID, []uuid.UUID{c.ID}))
				} else {
					callErr = batchErr(svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID}))
				}
			}()
			go func() {
				defer wg.Done()
				<-start
				delErr = svc.Groups.Delete(ctx, g.ID)
			}()
			close(start)
			wg.Wait()
			require.NoError(t, delErr)
			assert.True(t, isOneOf(callErr, []error{group.ErrNotFound}), "round %d: %v", round, callErr)
			page, err := svc.Groups.GroupsOf(ctx, c.ID, page.Request{})
			require.NoError(t, err)
			assert.Empty(t, page.Items, "round %d: a membership outlived its group", round)
		}
	})
}
