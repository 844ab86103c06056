package pricing

import (
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/segment"
)

// Snapshot is everything a context is decided from, as a store reads it at
// one moment (storage.PricingSnapshots): the market and its merchant's
// name, the live customer with the facts segment rules test, the groups in
// force and the first segments with their rules. Decide turns it into a
// Context; the store evaluates nothing.
type Snapshot struct {
	Market       market.Market
	MerchantName string
	// Customer is the live customer; nil for a guest, of whom nothing
	// else is read.
	Customer *customer.Customer

	// Groups are the customer's groups in force, ordered by ID, at most
	// MaxGroups; GroupsTruncated says there were more.
	Groups          []Group
	GroupsTruncated bool
	// InForce holds, when GroupsTruncated, the IDs of every group in
	// force (the access groups and the segments' group conditions may
	// name any of them); nil otherwise, when Groups holds them all.
	InForce []uuid.UUID
	// Verified reports whether the customer's identity verification is
	// verified (market.Market.RequireVerified).
	Verified bool

	// Segments are the first MaxSegments segments in (CreatedAt, ID)
	// order, with their normalized rules; SegmentsTruncated says there
	// were more (not evaluated).
	Segments          []Candidate
	SegmentsTruncated bool
	// ShippingCountry, BillingCountry and Stats are the customer's facts
	// besides the customer and its groups (segment.Facts).
	ShippingCountry, BillingCountry string
	Stats                           []order.Stats
}

// Candidate is a segment of a Snapshot: its context form and its rule.
type Candidate struct {
	Segment Segment
	Rule    segment.Rule
}

// InForceIDs returns the IDs of every group in force: InForce when the
// groups were cut at MaxGroups, the IDs of Groups otherwise.
func (s Snapshot) InForceIDs() []uuid.UUID {
	if s.GroupsTruncated {
		return s.InForce
	}
	out := make([]uuid.UUID, len(s.Groups))
	for i, g := range s.Groups {
		out[i] = g.ID
	}
	return out
}

// Facts returns what segment rules test about the snapshot's customer
// (the zero Facts for a guest).
func (s Snapshot) Facts() segment.Facts {
	if s.Customer == nil {
		return segment.Facts{}
	}
	return segment.Facts{Customer: *s.Customer, Groups: s.InForceIDs(),
		ShippingCountry: s.ShippingCountry, BillingCountry: s.BillingCountry, Stats: s.Stats}
}

// Decide returns the context of the snapshot judged at at: the segments
// the customer is in by segment.Matches over Facts, in their order, and
// the access by market.Market.AccessWith over every group in force. A
// guest gets no groups and no segments. The snapshot's slices pass to the
// context.
func (s Snapshot) Decide(at time.Time) Context {
	m := s.Market
	if s.Customer == nil {
		return Build(at, m, s.MerchantName, nil, nil, nil, m.AccessWith(nil, nil, false))
	}
	f := s.Facts()
	var segments []Segment
	for _, c := range s.Segments {
		if segment.Matches(c.Rule, f) {
			segments = append(segments, c.Segment)
		}
	}
	out := Build(at, m, s.MerchantName, s.Customer, s.Groups, segments, m.AccessWith(s.Customer, f.Groups, s.Verified))
	out.GroupsTruncated, out.SegmentsTruncated = s.GroupsTruncated, s.SegmentsTruncated
	return out
}
