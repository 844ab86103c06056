package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// BenchmarkVerificationDecide submits a customer and approves them, on
// every engine: two transitions, each a transaction that reads the
// customer, locks the verification record, writes it, appends a review
// and an event. The customers are registered outside the timer.
func BenchmarkVerificationDecide(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s)
		ctx := context.Background()
		staff := actor.NewContext(ctx, actor.Staff("bench"))
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			n++
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("kyc%d@example.com", n)})
			if err != nil {
				b.Fatal(err)
			}
			subj := verification.CustomerSubject(c.ID)
			b.StartTimer()
			if _, err := svc.Verifications.Submit(staff, subj); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Verifications.Approve(staff, subj); err != nil {
				b.Fatal(err)
			}
		}
	})
}
