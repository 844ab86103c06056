package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkPrivacyErase erases a customer with 50 events (registration
// and 49 profile updates), on every engine: one transaction that revokes,
// erases the record, scrubs the 50 payloads (one UPDATE each on SQL),
// records the erasure and appends customer.erased. The customers are
// built outside the timer.
func BenchmarkPrivacyErase(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		dpo := actor.NewContext(ctx, actor.Staff("dpo"))
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			n++
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("erase%d@example.com", n), FirstName: "Ada"})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 49 {
				note := fmt.Sprintf("note %d", i)
				if _, err := svc.Customers.Update(ctx, c.ID, customer.Patch{Note: &note}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			if _, err := svc.Privacy.Erase(dpo, c.ID, privacy.Request{Reason: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPrivacyExport exports a customer with 50 events.
func BenchmarkPrivacyExport(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "export@example.com", FirstName: "Ada"})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 49 {
			note := fmt.Sprintf("note %d", i)
			if _, err := svc.Customers.Update(ctx, c.ID, customer.Patch{Note: &note}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Privacy.Export(ctx, c.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
