package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
)

// A company with a buyer whose orders over 100 EUR need an approver's
// approval, and its credit on account.
func ExampleCompanies_PlaceOrder() {
	ctx := context.Background()
	svc := newExampleService()
	eur := balance.MustCurrency("EUR")
	amount := func(units int64) balance.Money { return balance.FromMinorUnits(units, eur) }
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@acme.example"})
	bob, _ := svc.Customers.Register(ctx, customer.Params{Email: "bob@acme.example"})
	eve, _ := svc.Customers.Register(ctx, customer.Params{Email: "eve@example.org"})

	acme, _ := svc.Companies.Create(ctx, ada.ID, company.Params{Name: "Acme GmbH", Currency: eur,
		CreditLimit: amount(1000_00), BillingEmail: "billing@acme.example"})
	limit := amount(100_00)
	_, _ = svc.Companies.AddMember(ctx, ada.ID, acme.ID, bob.ID, clientele.MemberParams{Role: company.RoleBuyer,
		Limits: company.Limits{PerOrder: &limit}})

	small, _ := svc.Companies.PlaceOrder(ctx, bob.ID, acme.ID, order.Params{ID: "A-1", Total: amount(80_00)})
	fmt.Println("A-1:", small.Decision.Outcome)
	big, _ := svc.Companies.PlaceOrder(ctx, bob.ID, acme.ID, order.Params{ID: "A-2", Total: amount(250_00)})
	fmt.Println("A-2:", big.Decision.Outcome)
	approved, _ := svc.Companies.Approve(ctx, ada.ID, big.Approval.ID, "ok for the trade fair")
	fmt.Println("A-2 approved, recorded:", approved.Order.ID)

	p, _ := svc.Companies.PayOnAccount(ctx, bob.ID, acme.ID, "A-2", amount(250_00))
	fmt.Println("owed on account:", p.EndingBalance)
	_, err := svc.Companies.Get(ctx, eve.ID, acme.ID)
	fmt.Println("an outsider:", errors.Is(err, company.ErrNotFound))
	// Output:
	// A-1: allowed
	// A-2: needs_approval
	// A-2 approved, recorded: A-2
	// owed on account: -250.00 EUR
	// an outsider: true
}
