package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkMerge merges a typical duplicate (3 orders, 2 addresses, one
// group, a balance) into a survivor, on every engine; the setup of each
// pair is outside the timer.
func BenchmarkMerge(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		staff := actor.NewContext(ctx, actor.Staff("bench"))
		g, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		eur := balance.MustCurrency("EUR")
		amount, _ := balance.ParseMoney("9.99", eur.Code())
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			n++
			surv, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("s%d@example.com", n)})
			if err != nil {
				b.Fatal(err)
			}
			dup, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("d%d@example.com", n)})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 3 {
				if _, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("b-%d-%d", n, i), CustomerID: dup.ID, Total: amount}); err != nil {
					b.Fatal(err)
				}
			}
			for _, line := range []string{"1 Main St", "2 Side St"} {
				if _, _, err := svc.Addresses.Add(ctx, dup.ID, address.Address{Line1: line, City: "Berlin", Country: "DE"}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{dup.ID}); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: dup.ID, Amount: amount}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := svc.Customers.Merge(staff, dup.ID, surv.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
