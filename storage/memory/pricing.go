package memory

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// PricingRecords returns the pricing repository: the store has the
// storage.Pricing capability.
func (s *Store) PricingRecords() storage.PricingRecords { return pricingRecords{repos{store: s}} }

// PricingRecords returns the transaction's pricing repository (the
// storage.Pricing capability).
func (r repos) PricingRecords() storage.PricingRecords { return pricingRecords{r} }

var (
	_ storage.Pricing = (*Store)(nil)
	_ storage.Pricing = repos{}
)

type pricingRecords struct{ repos }

// setRefs sets the references of an entity of exists in refs.
func setRefs(t *txn, refs map[uuid.UUID]pricing.Refs, id uuid.UUID, r pricing.Refs) pricing.Refs {
	before := refs[id]
	if r.IsZero() {
		del(t, refs, id)
	} else {
		put(t, refs, id, r)
	}
	return before
}

func (r pricingRecords) SetGroupRefs(ctx context.Context, groupID uuid.UUID, refs pricing.Refs) (before pricing.Refs, err error) {
	if err := refs.Validate(); err != nil {
		return before, err
	}
	err = r.write(ctx, func(t *txn) error {
		if _, ok := t.db.groups[groupID]; !ok {
			return notFound("group", groupID)
		}
		before = setRefs(t, t.db.groupRefs, groupID, refs)
		return nil
	})
	return before, err
}

func (r pricingRecords) SetSegmentRefs(ctx context.Context, segmentID uuid.UUID, refs pricing.Refs) (before pricing.Refs, err error) {
	if err := refs.Validate(); err != nil {
		return before, err
	}
	err = r.write(ctx, func(t *txn) error {
		if _, ok := t.db.segments[segmentID]; !ok {
			return notFound("segment", segmentID)
		}
		before = setRefs(t, t.db.segmentRefs, segmentID, refs)
		return nil
	})
	return before, err
}

func (r pricingRecords) GroupRefs(ctx context.Context, groupID uuid.UUID) (out pricing.Refs, err error) {
	err = r.read(ctx, func(d *db) error {
		if _, ok := d.groups[groupID]; !ok {
			return notFound("group", groupID)
		}
		out = d.groupRefs[groupID]
		return nil
	})
	return out, err
}

func (r pricingRecords) SegmentRefs(ctx context.Context, segmentID uuid.UUID) (out pricing.Refs, err error) {
	err = r.read(ctx, func(d *db) error {
		if _, ok := d.segments[segmentID]; !ok {
			return notFound("segment", segmentID)
		}
		out = d.segmentRefs[segmentID]
		return nil
	})
	return out, err
}

func (r pricingRecords) GroupsInForce(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) (out []pricing.Group, more bool, err error) {
	err = r.read(ctx, func(d *db) error {
		out, more = d.groupsInForce(customerID, at, limit)
		return nil
	})
	return out, more, err
}

// groupsInForce returns the customer's groups in force at at, ordered by
// ID, at most limit, and whether there were more.
func (d *db) groupsInForce(customerID uuid.UUID, at time.Time, limit int) (out []pricing.Group, more bool) {
	if tree := d.memberOf[customerID]; tree != nil {
		tree.Ascend(func(k timeKey) bool {
			w := d.windows[groupMember{k.id, customerID}]
			if !w.Contains(at) {
				return true
			}
			g := d.groups[k.id]
			out = append(out, pricing.Group{ID: g.ID, Name: g.Name, ValidUntil: w.Until, Refs: d.groupRefs[g.ID]})
			return true
		})
	}
	slices.SortFunc(out, func(a, b pricing.Group) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	if len(out) > limit {
		out, more = out[:limit], true
	}
	return out, more
}

func (r pricingRecords) SegmentsOf(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) (out []pricing.Segment, more bool, err error) {
	err = r.read(ctx, func(d *db) error {
		out, more = nil, false
		c, ok := d.customers.get(customerID)
		if !ok || c.DeletedAt != nil {
			more = d.segmentOrder.Len() > limit
			return nil
		}
		f := d.facts(c, at)
		n := 0
		d.segmentOrder.Ascend(func(k timeKey) bool {
			if n == limit {
				more = true
				return false
			}
			n++
			s := d.segments[k.id]
			if segment.Matches(s.Rule, f) {
				out = append(out, pricing.Segment{ID: s.ID, Name: s.Name, Refs: d.segmentRefs[s.ID]})
			}
			return true
		})
		return nil
	})
	return out, more, err
}

// PricingSnapshot reads the snapshot under one read lock: one consistent
// state of the store (the storage.PricingSnapshots capability).
func (s *Store) PricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Snapshot, error) {
	return repos{store: s}.PricingSnapshot(ctx, customerID, marketID, at, maxGroups, maxSegments)
}

// PricingSnapshot reads the snapshot in the transaction (the
// storage.PricingSnapshots capability).
func (r repos) PricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (out pricing.Snapshot, err error) {
	err = r.read(ctx, func(d *db) error {
		out = pricing.Snapshot{}
		m, ok := d.markets[marketID]
		if !ok {
			return notFound("market", marketID)
		}
		mer, ok := d.merchants[m.MerchantID]
		if !ok {
			return notFound("merchant", m.MerchantID)
		}
		out.Market, out.MerchantName = m.Clone(), mer.Name
		if customerID == uuid.Nil {
			return nil
		}
		c, ok := d.customers.get(customerID)
		if !ok || c.DeletedAt != nil {
			return notFound("customer", customerID)
		}
		out.Customer = &c
		f := d.facts(c, at) // every group in force, the countries, the figures
		out.Groups, out.GroupsTruncated = d.groupsInForce(customerID, at, maxGroups)
		if out.GroupsTruncated {
			out.InForce = f.Groups
		}
		out.ShippingCountry, out.BillingCountry, out.Stats = f.ShippingCountry, f.BillingCountry, f.Stats
		out.Verified = d.verification(verification.CustomerSubject(customerID)).Status == verification.Verified
		out.Segments = make([]pricing.Candidate, 0, min(maxSegments, d.segmentOrder.Len()))
		d.segmentOrder.Ascend(func(k timeKey) bool {
			if len(out.Segments) == maxSegments {
				out.SegmentsTruncated = true
				return false
			}
			sg := d.segments[k.id]
			out.Segments = append(out.Segments, pricing.Candidate{
				Segment: pricing.Segment{ID: sg.ID, Name: sg.Name, Refs: d.segmentRefs[sg.ID]}, Rule: sg.Rule.Clone()})
			return true
		})
		return nil
	})
	return out, err
}

var (
	_ storage.PricingSnapshots = (*Store)(nil)
	_ storage.PricingSnapshots = repos{}
)
