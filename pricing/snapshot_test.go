package pricing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
)

// TestSnapshotDecide: Decide evaluates the segments over the snapshot's
// facts and the access over every group in force (InForce when the groups
// were cut), and keeps the truncation flags; a guest gets neither groups
// nor segments.
func TestSnapshotDecide(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	vip, other, hidden := uuid.New(), uuid.New(), uuid.New()
	ada := &customer.Customer{ID: uuid.New(), HasAccount: true, State: customer.StateActive, Type: customer.TypeBusiness,
		Company: "Acme", Tags: []string{"vip"}}
	eur := balance.MustCurrency("EUR")
	seg := func(name string, r segment.Rule) pricing.Candidate {
		n, err := r.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		return pricing.Candidate{Segment: pricing.Segment{ID: uuid.New(), Name: name}, Rule: n}
	}
	segments := []pricing.Candidate{
		seg("tagged", segment.Cond(segment.FieldTag, segment.OpHas, "vip")),
		seg("hidden group", segment.Cond(segment.FieldGroup, segment.OpHas, hidden.String())),
		seg("French", segment.Cond(segment.FieldCountry, segment.OpEq, "FR")),
		seg("big spender", segment.Cond(segment.FieldSpent, segment.OpGte, "100.00 EUR")),
		seg("nobody", segment.Cond(segment.FieldTag, segment.OpHas, "none")),
	}
	private := market.Market{ID: uuid.New(), MerchantID: uuid.New(), Code: "lounge", Currency: eur, AccessGroups: []uuid.UUID{hidden}}
	names := func(ss []pricing.Segment) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	for _, tt := range []struct {
		name         string
		snap         pricing.Snapshot
		wantSegments []string
		wantAccess   pricing.Reason // "" allowed
		wantCut      [2]bool
	}{
		{"guest", pricing.Snapshot{Market: private, MerchantName: "Shop", Segments: segments}, nil, pricing.ReasonPrivate, [2]bool{}},
		{"customer, groups whole", pricing.Snapshot{Market: private, Customer: ada, Segments: segments,
			Groups: []pricing.Group{{ID: vip}, {ID: other}}, ShippingCountry: "FR",
			Stats: []order.Stats{{Currency: eur, OrderCount: 1, Spent: balance.FromMinorUnits(10000, eur)}}},
			[]string{"tagged", "French", "big spender"}, pricing.ReasonNotMember, [2]bool{}},
		{"customer, groups cut: InForce decides", pricing.Snapshot{Market: private, Customer: ada, Segments: segments[:2],
			SegmentsTruncated: true, Groups: []pricing.Group{{ID: vip}}, GroupsTruncated: true, InForce: []uuid.UUID{vip, other, hidden},
			BillingCountry: "FR"},
			[]string{"tagged", "hidden group"}, 0, [2]bool{true, true}},
		{"verification required", pricing.Snapshot{Market: func() market.Market { m := private; m.RequireVerified = true; return m }(),
			Customer: ada, Groups: []pricing.Group{{ID: hidden}}}, nil, pricing.ReasonNotVerified, [2]bool{}},
		{"verified", pricing.Snapshot{Market: func() market.Market { m := private; m.RequireVerified = true; return m }(),
			Customer: ada, Groups: []pricing.Group{{ID: hidden}}, Verified: true}, nil, 0, [2]bool{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.snap.Decide(at)
			assert.Equal(t, at, c.At)
			assert.Equal(t, tt.snap.Customer == nil, c.Guest)
			assert.Equal(t, tt.wantSegments, names(c.Segments))
			assert.Equal(t, tt.wantAccess == 0, c.Access.Allowed)
			assert.Equal(t, tt.wantAccess, c.Access.Reason)
			assert.Equal(t, tt.wantCut, [2]bool{c.GroupsTruncated, c.SegmentsTruncated})
			if tt.snap.Customer == nil {
				assert.Empty(t, c.Groups)
			} else {
				assert.Equal(t, tt.snap.Groups, c.Groups)
				assert.Equal(t, pricing.ExcludingVAT, c.TaxDisplay)
				assert.Equal(t, "Acme", c.Company)
			}
		})
	}
}
