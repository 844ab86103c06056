package clienteletest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
)

// This is how a host application's test sets up Clientele: a fresh store, a
// service with a test clock and deterministic IDs, and a seeded scenario.
func ExampleEnv_Seed() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	env := clienteletest.New(t)
	s := env.Seed()

	ok, _ := env.Service.Markets.CanAccess(context.Background(), s.VIPMarket.ID, s.Member.ID)
	fmt.Println(s.Member.Email, s.Member.Status, "may shop in", s.VIPMarket.Code+":", ok)
	ok, _ = env.Service.Markets.CanAccess(context.Background(), s.VIPMarket.ID, s.Regular.ID)
	fmt.Println(s.Regular.Email, s.Regular.Status, "may shop in", s.VIPMarket.Code+":", ok)
	// Output:
	// vera.vip@example.com repeat may shop in vip: true
	// rita.regular@example.com prospect may shop in vip: false
}

func ExampleEnv_MustRegister() {
	env := clienteletest.New(&testing.T{})
	ada := env.MustRegister(clienteletest.Name("Ada", "Lovelace"), clienteletest.Tags("VIP"))
	fmt.Println(ada.ID, ada.Email, ada.Name(), ada.Tags, ada.CreatedAt)
	// Output:
	// 00000000-0000-4000-8000-000000000001 customer-1@example.com Ada Lovelace [vip] 2025-01-01 09:00:00 +0000 UTC
}

// A host's test checks what one step of its flow told the outbox.
func ExampleEnv_TakeEventTypes() {
	env := clienteletest.New(&testing.T{})
	ada := env.MustRegister(clienteletest.Email("ada@example.com"))
	env.TakeEvents() // what the setup emitted
	env.MustCredit(ada.ID, "10.00 EUR")
	fmt.Println(env.TakeEventTypes())
	// Output: [balance.account_opened balance.credited]
}

// A host's test gives a customer credit that expires, moves the clock past
// the expiry and sees the credit go.
func ExampleExpiresIn() {
	env := clienteletest.New(&testing.T{})
	ctx := context.Background()
	ada := env.MustRegister()
	env.MustCredit(ada.ID, "10.00 EUR", clienteletest.CreditKind(balance.KindGiftCard), clienteletest.ExpiresIn(30*24*time.Hour))
	env.MustCredit(ada.ID, "2.00 EUR")
	env.Clock.Advance(31 * 24 * time.Hour)
	run, _ := env.Service.Balances.ExpireCredit(ctx, time.Time{})
	avail, _ := env.Service.Balances.Available(ctx, ada.ID, env.MustCurrency("EUR"))
	fmt.Println("expired:", run.Lots, run.Amounts, "available:", avail)
	// Output: expired: 1 [10.00 EUR] available: 2.00 EUR
}
