package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// BenchmarkPricingContext reads the pricing context of a customer in 5
// groups, in a private market, with 10 segments, on every engine: from the
// one-read snapshot (storage.PricingSnapshots) and from the reads one
// after the other (the store without the capability); and a guest's.
func BenchmarkPricingContext(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		e := clienteletest.New(b, clienteletest.WithStore(s))
		ctx := context.Background()
		c := e.MustRegister(clienteletest.Tags("vip"))
		var groups []uuid.UUID
		for i := range 5 {
			g := e.MustGroup(fmt.Sprintf("G%d", i))
			e.MustGroupRefs(g.ID, pricing.Refs{PriceList: fmt.Sprintf("pl-%d", i)})
			e.MustJoin(g.ID, c.ID)
			groups = append(groups, g.ID)
		}
		m := e.MustMarket(e.MustMerchant("Acme").ID, "lounge", "EUR", clienteletest.Private(groups[0]))
		for i := range 10 {
			r := segment.Cond(segment.FieldTag, segment.OpHas, "vip")
			if i%2 == 1 {
				r = segment.Cond(segment.FieldGroup, segment.OpHas, groups[i%5].String())
			}
			if _, err := e.Service.Segments.Create(ctx, clientele.SegmentParams{Name: fmt.Sprintf("S%d", i), Rule: r}); err != nil {
				b.Fatal(err)
			}
		}
		for _, v := range []struct {
			name     string
			svc      *clientele.Service
			customer uuid.UUID
		}{
			{"snapshot", e.Service, c.ID},
			{"reads", clientele.New(withoutSnapshots{s, s.(storage.Pricing), s.(storage.Segments), s.(storage.SegmentEvaluation),
				s.(storage.Verifications), s.(storage.OrderHistory)}), c.ID},
			{"snapshot/guest", e.Service, uuid.Nil},
			{"reads/guest", clientele.New(withoutSnapshots{Store: s}), uuid.Nil},
		} {
			b.Run(v.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					pc, err := v.svc.Pricing.Context(ctx, v.customer, m.ID)
					if err != nil {
						b.Fatal(err)
					}
					if v.customer != uuid.Nil && (len(pc.Groups) != 5 || len(pc.Segments) != 10 || !pc.Access.Allowed) {
						b.Fatalf("context %+v", pc)
					}
				}
			})
		}
	})
}
