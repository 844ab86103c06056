package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkCompanyPlaceOrder places a buyer's order within a monthly
// limit (one transaction: the membership locked, the month's spend read,
// the order recorded, the amount reserved, two events), on every engine.
func BenchmarkCompanyPlaceOrder(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		eur := balance.MustCurrency("EUR")
		admin, err := svc.Customers.Register(ctx, customer.Params{Email: "admin@acme.example"})
		if err != nil {
			b.Fatal(err)
		}
		buyer, err := svc.Customers.Register(ctx, customer.Params{Email: "buyer@acme.example"})
		if err != nil {
			b.Fatal(err)
		}
		c, err := svc.Companies.Create(ctx, admin.ID, company.Params{Name: "Acme", Currency: eur, BillingEmail: "billing@acme.example"})
		if err != nil {
			b.Fatal(err)
		}
		_, err = svc.Companies.AddMember(ctx, admin.ID, c.ID, buyer.ID, clientele.MemberParams{Role: company.RoleBuyer,
			Limits: company.Limits{Period: &company.PeriodLimit{Period: company.Month, Amount: balance.FromMinorUnits(1<<50, eur)}}})
		if err != nil {
			b.Fatal(err)
		}
		amount := balance.FromMinorUnits(10_00, eur)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			out, err := svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: fmt.Sprintf("bench-%d", i), Total: amount})
			if err != nil || out.Decision.Outcome != company.Allowed {
				b.Fatal(err, out.Decision)
			}
		}
	})
}

// BenchmarkCompanyDecide is the pure decision.
func BenchmarkCompanyDecide(b *testing.B) {
	eur := balance.MustCurrency("EUR")
	per := balance.FromMinorUnits(500_00, eur)
	m := company.Member{Role: company.RoleBuyer, Limits: company.Limits{PerOrder: &per,
		Period: &company.PeriodLimit{Period: company.Month, Amount: balance.FromMinorUnits(2000_00, eur)}}}
	spent, amount := balance.FromMinorUnits(1000_00, eur), balance.FromMinorUnits(300_00, eur)
	b.ReportAllocs()
	for b.Loop() {
		if company.Decide(m, spent, amount).Outcome != company.Allowed {
			b.Fatal("not allowed")
		}
	}
}
