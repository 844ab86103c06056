package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/storage/memory"
)

// newExampleService returns a service over a fresh memory store with a fixed
// clock and deterministic IDs, so that the examples print stable output.
func newExampleService() *clientele.Service {
	fixed := time.Date(2025, time.January, 1, 9, 0, 0, 0, time.UTC)
	var n atomic.Uint32
	deterministic := func() uuid.UUID {
		// 00000000-0000-4000-8000-000000000001, ...002, ...
		return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)))
	}
	return clientele.New(memory.New(), clientele.WithClock(func() time.Time { return fixed }), clientele.WithIDGenerator(deterministic))
}

func ExampleNew() {
	ctx := context.Background()
	fixed := time.Date(2025, time.January, 1, 9, 0, 0, 0, time.UTC)
	var n atomic.Uint32
	svc := clientele.New(memory.New(),
		clientele.WithClock(func() time.Time { return fixed }),
		clientele.WithIDGenerator(func() uuid.UUID {
			return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)))
		}),
	)

	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "Ada@Example.com", FirstName: "Ada"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ada.ID)
	fmt.Println(ada.CreatedAt)
	fmt.Println(ada.Email.Address, ada.State, ada.Status)
	// Output:
	// 00000000-0000-4000-8000-000000000001
	// 2025-01-01 09:00:00 +0000 UTC
	// ada@example.com active prospect
}

func ExampleCustomers_Register() {
	ctx := context.Background()
	svc := newExampleService()

	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "  Ada.Lovelace@Example.COM ", FirstName: "Ada"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("display:", ada.Email)
	fmt.Println("canonical:", ada.Email.Address)

	// The same address in another spelling, with a zero-width space, is taken.
	_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada.love\u200blace@EXAMPLE.com"})
	fmt.Println(errors.Is(err, customer.ErrEmailTaken))

	_, err = svc.Customers.Register(ctx, customer.Params{Email: "Ada <ada@example.com>"})
	var ve *customer.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, errors.Is(err, customer.ErrInvalid))
	// Output:
	// display: Ada.Lovelace@Example.COM
	// canonical: ada.lovelace@example.com
	// true
	// true email true
}

func ExampleCustomers_CreateGuest() {
	ctx := context.Background()
	svc := newExampleService()

	first, created, _ := svc.Customers.CreateGuest(ctx, customer.Params{Email: "guest@example.com"})
	fmt.Println(created)
	// Checking out again, in another spelling: the same guest comes back.
	again, created, _ := svc.Customers.CreateGuest(ctx, customer.Params{Email: "GUEST@example.com"})
	fmt.Println(created, first.ID == again.ID, again.HasAccount, again.State)

	// A registered customer with the same email coexists with the guest.
	reg, _ := svc.Customers.Register(ctx, customer.Params{Email: "guest@example.com"})
	fmt.Println(reg.ID == first.ID, reg.HasAccount, reg.State)

	// Lookups by email prefer the registered customer.
	found, _ := svc.Customers.GetByEmail(ctx, "Guest@Example.com")
	fmt.Println(found.ID == reg.ID)
	// Output:
	// true
	// false true false guest
	// false true active
	// true
}

func ExampleBalances_ApplyToOrder() {
	ctx := context.Background()
	svc := newExampleService()
	eur := balance.MustCurrency("EUR")
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})

	// A 20.00 EUR gift card becomes store credit.
	_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{
		CustomerID: ada.ID, Amount: balance.FromMinorUnits(2000, eur), Kind: balance.KindGiftCard,
		Reference: "GC-1", IdempotencyKey: "gift-card-GC-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The order costs 35.50 EUR: the credit covers 20.00, the rest is due.
	req := clientele.OrderPaymentRequest{
		CustomerID: ada.ID, Total: balance.FromMinorUnits(3550, eur), Reference: "#1001", IdempotencyKey: "pay-1001",
	}
	pay, err := svc.Balances.ApplyToOrder(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("applied:", pay.Applied)
	fmt.Println("remaining:", pay.Remaining)
	fmt.Println("posting:", pay.Posting.Kind, pay.Posting.Amount, "ending at", pay.Posting.EndingBalance)

	// A retry with the same key returns the same payment and posts nothing.
	again, _ := svc.Balances.ApplyToOrder(ctx, req)
	fmt.Println("replayed:", again.Posting.ID == pay.Posting.ID, again.Remaining)
	// Output:
	// applied: 20.00 EUR
	// remaining: 15.50 EUR
	// posting: order_payment -20.00 EUR ending at 0.00 EUR
	// replayed: true 15.50 EUR
}

// Store credit can expire: debits take the credit that expires soonest
// first, and an expiry run (a daily job, safe to run from several
// processes) posts an expiry debit for what is left of expired credit.
func ExampleBalances_ExpireCredit() {
	ctx := context.Background()
	now := time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)
	svc := clientele.New(memory.New(), clientele.WithClock(func() time.Time { return now }))
	eur := balance.MustCurrency("EUR")
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})

	// A 10.00 EUR goodwill credit valid for 30 days, and a 5.00 EUR refund
	// that never expires.
	_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{
		CustomerID: ada.ID, Amount: balance.FromMinorUnits(1000, eur), Reference: "goodwill",
		ExpiresAt: now.AddDate(0, 0, 30),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = svc.Balances.Credit(ctx, clientele.PostingRequest{
		CustomerID: ada.ID, Amount: balance.FromMinorUnits(500, eur), Kind: balance.KindRefund,
	})
	// An order takes 4.00 EUR: from the goodwill credit, which expires first.
	_, _ = svc.Balances.Debit(ctx, clientele.PostingRequest{
		CustomerID: ada.ID, Amount: balance.FromMinorUnits(400, eur), Kind: balance.KindOrderPayment,
	})
	lots, _ := svc.Balances.Lots(ctx, ada.ID, eur)
	for _, l := range lots {
		fmt.Println("lot:", l.Remaining, "of", l.Amount, "expires:", l.Expires())
	}

	// 31 days later the expiry run takes what is left of the goodwill.
	run, _ := svc.Balances.ExpireCredit(ctx, now.AddDate(0, 0, 31))
	acct, _ := svc.Balances.Account(ctx, ada.ID, eur)
	fmt.Println("expired:", run.Lots, "lot,", run.Amounts)
	fmt.Println("balance:", acct.Balance)
	// Output:
	// lot: 6.00 EUR of 10.00 EUR expires: true
	// lot: 5.00 EUR of 5.00 EUR expires: false
	// expired: 1 lot, [6.00 EUR]
	// balance: 5.00 EUR
}

func ExampleGroups_AddMembers() {
	ctx := context.Background()
	svc := newExampleService()
	vip, _ := svc.Groups.Create(ctx, clientele.GroupParams{Name: "VIP"})
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	bob, _, _ := svc.Customers.CreateGuest(ctx, customer.Params{Email: "bob@example.com"})
	unknown := uuid.MustParse("00000000-0000-4000-8000-0000000000ff")

	results, err := svc.Groups.AddMembers(ctx, vip.ID, []uuid.UUID{ada.ID, bob.ID, unknown, ada.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.CustomerID, r.Outcome, errors.Is(r.Err, customer.ErrNotFound))
	}
	// Output:
	// 00000000-0000-4000-8000-000000000002 added false
	// 00000000-0000-4000-8000-000000000003 added false
	// 00000000-0000-4000-8000-0000000000ff failed true
	// 00000000-0000-4000-8000-000000000002 already_member false
}

func ExampleMarkets_CanAccess() {
	ctx := context.Background()
	svc := newExampleService()
	eur := balance.MustCurrency("EUR")

	acme, err := svc.Merchants.Create(ctx, merchant.Params{
		Name:           "Acme",
		BillingAddress: address.Address{Line1: "Torstraße 1", City: "Berlin", Country: "DE"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	vip, _ := svc.Groups.Create(ctx, clientele.GroupParams{Name: "VIP"})
	outlet, err := svc.Markets.Create(ctx, market.Params{
		MerchantID: acme.ID, Code: "vip-outlet", Name: "VIP outlet", BusinessModel: market.BusinessModelB2C, Currency: eur,
		AccessGroups: []uuid.UUID{vip.ID},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})

	anonymous, _ := svc.Markets.CanAccess(ctx, outlet.ID, uuid.Nil)
	before, _ := svc.Markets.CanAccess(ctx, outlet.ID, ada.ID)
	if _, err := svc.Groups.AddMembers(ctx, vip.ID, []uuid.UUID{ada.ID}); err != nil {
		fmt.Println(err)
		return
	}
	after, _ := svc.Markets.CanAccess(ctx, outlet.ID, ada.ID)
	fmt.Println("anonymous:", anonymous)
	fmt.Println("ada before joining VIP:", before)
	fmt.Println("ada as a VIP:", after)

	// Access says why.
	err = svc.Markets.Access(ctx, outlet.ID, uuid.Nil)
	fmt.Println(errors.Is(err, market.ErrAccessDenied))
	// Output:
	// anonymous: false
	// ada before joining VIP: false
	// ada as a VIP: true
	// true
}
