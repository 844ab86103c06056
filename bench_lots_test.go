package clientele_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkBalancesDebitTenLots: a debit from an account with ten open
// lots of different expiries, on every engine (the lots are read under
// the account's lock, the one the debit takes from is updated).
func BenchmarkBalancesDebitTenLots(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		clock := newMovableClock(epoch)
		svc := clientele.New(s, clientele.WithClock(clock.read))
		ctx := context.Background()
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "bench@example.com"})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 10 {
			r := creditReq(c.ID, money(b, "1000000.00"))
			r.ExpiresAt = epoch.AddDate(1+i, 0, 0)
			if _, err := svc.Balances.Credit(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		req := creditReq(c.ID, money(b, "0.01"))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Balances.Debit(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBalancesExpireCredit1000: an expiry run over 1,000 due lots
// (100 accounts of 10), on every engine; ns/lot is the cost per lot.
// Seeding is not timed.
func BenchmarkBalancesExpireCredit1000(b *testing.B) {
	const accounts, perAccount = 100, 10
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		clock := newMovableClock(epoch)
		svc := clientele.New(s, clientele.WithClock(clock.read))
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			for a := range accounts {
				c, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("g%d-%d@example.com", i, a)})
				if err != nil {
					b.Fatal(err)
				}
				for l := range perAccount {
					r := creditReq(c.ID, money(b, "1.00"))
					r.ExpiresAt = clock.read().Add(time.Duration(l+1) * time.Hour)
					if _, err := svc.Balances.Credit(ctx, r); err != nil {
						b.Fatal(err)
					}
				}
			}
			clock.add(24 * time.Hour)
			b.StartTimer()
			run, err := svc.Balances.ExpireCredit(ctx, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			if run.Lots != accounts*perAccount {
				b.Fatalf("expired %d lots, want %d", run.Lots, accounts*perAccount)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*accounts*perAccount), "ns/lot")
	})
}
