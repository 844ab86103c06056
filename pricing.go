package clientele

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// Pricing answers the pricing context (package pricing): what a host's
// pricing, promotion and content engines need about a visitor in a market.
//
// Round trips: on a store with the storage.PricingSnapshots capability
// (both adapters of this module) Context is one read: one SQL statement
// on every engine, for a customer as for a guest, however many groups and
// segments there are; the memory adapter reads under one lock. The
// context is then one consistent snapshot of the store, and the segments
// are evaluated in Go (segment.Matches) over the facts that statement
// returned. (An unknown market or customer costs the reads below after
// it, which name what is missing.)
//
// Without the capability Context reads the market, its merchant, the
// customer, the customer's groups in force with their references (one
// statement, joined) and the segments the customer is in (two
// statements: the first pricing.MaxSegments segments, then every rule at
// once over the one customer row), and, only for a private market that
// requires verified customers, the verification: at most 7 statements; a
// guest needs 2. Those reads are not one transaction: a change committed
// between them may show in one and not in another.
//
// On a store without the storage.Pricing capability Context still works:
// groups come from the group list by member (their windows honoured where
// the store keeps them, storage.TimedMemberships; without it every
// membership counts), segments are evaluated with segment.Matches on the
// customer's facts read once (storage.Segments needed, else no segments),
// and no references are returned; SetGroupRefs and SetSegmentRefs return
// ErrUnsupported there.
type Pricing struct{ *env }

func pricingOf(r any) (storage.PricingRecords, error) {
	p, ok := r.(storage.Pricing)
	if !ok {
		return nil, fmt.Errorf("%w: host references need the storage.Pricing capability (%T)", ErrUnsupported, r)
	}
	return p.PricingRecords(), nil
}

// Context returns the pricing context of the customer in the market, judged
// at the service clock; customerID uuid.Nil is a guest. A denial of access
// is not an error: it is Context.Access (Allowed false, the Reason and the
// market error, as Markets.Access returns it). Errors: market.ErrNotFound;
// customer.ErrNotFound for an ID that names no live customer (as
// Markets.Access: a typo must not pass for a guest).
func (s *Pricing) Context(ctx context.Context, customerID, marketID uuid.UUID) (pricing.Context, error) {
	now := s.clock()
	if p, ok := s.store.(storage.PricingSnapshots); ok {
		snap, err := p.PricingSnapshot(ctx, customerID, marketID, now, pricing.MaxGroups, pricing.MaxSegments)
		if err == nil {
			return snap.Decide(now), nil
		}
		if !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrNoSnapshot) {
			return pricing.Context{}, err
		}
		// Something is missing (the reads name it), or the snapshot
		// cannot be read at once (the reads take it apart).
	}
	return s.contextByReads(ctx, customerID, marketID, now)
}

// contextByReads is Context on a store without storage.PricingSnapshots:
// the market, the merchant, the customer, its groups and its segments, one
// read after the other.
func (s *Pricing) contextByReads(ctx context.Context, customerID, marketID uuid.UUID, now time.Time) (pricing.Context, error) {
	m, err := s.store.Markets().Get(ctx, marketID)
	if err != nil {
		return pricing.Context{}, notFound(err, market.ErrNotFound)
	}
	mer, err := s.store.Merchants().Get(ctx, m.MerchantID)
	if err != nil {
		return pricing.Context{}, mapMerchantErr(err)
	}
	if customerID == uuid.Nil {
		out := pricing.Build(now, m, mer.Name, nil, nil, nil, m.AccessWith(nil, nil, false))
		return out, nil
	}
	c, err := liveCustomer(ctx, s.store, customerID)
	if err != nil {
		return pricing.Context{}, err
	}
	groups, groupsMore, err := s.groupsInForce(ctx, customerID)
	if err != nil {
		return pricing.Context{}, err
	}
	segments, segmentsMore, err := s.segmentsOf(ctx, customerID, now)
	if err != nil {
		return pricing.Context{}, err
	}
	var memberOf []uuid.UUID
	verified := false
	if m.IsPrivate() {
		if groupsMore { // the list was cut: ask about the access groups
			if memberOf, err = memberOfNow(ctx, s.store, now, customerID, m.AccessGroups); err != nil {
				return pricing.Context{}, err
			}
		} else {
			for _, g := range groups {
				memberOf = append(memberOf, g.ID)
			}
		}
		if m.RequireVerified && m.Access(&c, memberOf) == market.ErrNotVerified {
			if verified, err = verifiedCustomer(ctx, s.store, verification.CustomerSubject(customerID)); err != nil {
				return pricing.Context{}, err
			}
		}
	}
	out := pricing.Build(now, m, mer.Name, &c, groups, segments, m.AccessWith(&c, memberOf, verified))
	out.GroupsTruncated, out.SegmentsTruncated = groupsMore, segmentsMore
	return out, nil
}

// groupsInForce returns the customer's groups in force now.
func (s *Pricing) groupsInForce(ctx context.Context, customerID uuid.UUID) ([]pricing.Group, bool, error) {
	now := s.clock()
	if p, err := pricingOf(s.store); err == nil {
		return p.GroupsInForce(ctx, customerID, now, pricing.MaxGroups)
	}
	// Without the capability: the list by member, which honours the
	// windows where the store keeps them; untimed otherwise.
	list, err := s.store.Groups().List(ctx, group.Filter{MemberID: customerID, MemberAt: now}, page.Request{Limit: pricing.MaxGroups})
	if err != nil {
		return nil, false, err
	}
	var out []pricing.Group
	for _, g := range list.Items {
		out = append(out, pricing.Group{ID: g.ID, Name: g.Name})
	}
	slices.SortFunc(out, func(a, b pricing.Group) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out, list.Next != "", nil
}

// segmentsOf returns the segments the customer is in, among the first
// pricing.MaxSegments.
func (s *Pricing) segmentsOf(ctx context.Context, customerID uuid.UUID, now time.Time) ([]pricing.Segment, bool, error) {
	if p, err := pricingOf(s.store); err == nil {
		if _, ok := s.store.(storage.Segments); ok {
			return p.SegmentsOf(ctx, customerID, now, pricing.MaxSegments)
		}
	}
	repo, err := segmentsOf(s.store)
	if err != nil {
		return nil, false, nil // no segments on this store
	}
	list, err := repo.List(ctx, page.Request{Limit: pricing.MaxSegments})
	if err != nil || len(list.Items) == 0 {
		return nil, false, err
	}
	// The facts once, with every group any rule names.
	all := segment.Rule{}
	for _, sg := range list.Items {
		all.Any = append(all.Any, sg.Rule)
	}
	f, ok, err := factsOf(ctx, s.store, all, customerID, now)
	if err != nil || !ok {
		return nil, false, err
	}
	var out []pricing.Segment
	for _, sg := range list.Items {
		if segment.Matches(sg.Rule, f) {
			out = append(out, pricing.Segment{ID: sg.ID, Name: sg.Name})
		}
	}
	return out, list.Next != "", nil
}

// SetGroupRefs sets the host references the group carries (each trimmed,
// in NFC, at most pricing.MaxRefLength bytes; the zero Refs clears them)
// and emits group.refs_changed when they change. Errors: group.ErrNotFound,
// *pricing.ValidationError, ErrUnsupported.
func (s *Pricing) SetGroupRefs(ctx context.Context, groupID uuid.UUID, r pricing.Refs) (pricing.Refs, error) {
	return s.setRefs(ctx, r, func(ctx context.Context, tx storage.Tx, p storage.PricingRecords, r pricing.Refs) (pricing.Refs, error) {
		g, err := tx.Groups().Get(ctx, groupID)
		if err != nil {
			return r, mapGroupErr(err)
		}
		before, err := p.SetGroupRefs(ctx, groupID, r)
		if err != nil || before == r {
			return before, mapGroupErr(err)
		}
		return before, s.emitOne(ctx, tx, event.GroupRefsChanged, event.AggregateGroup, groupID.String(), uuid.Nil, g.Version,
			event.RefsPayload{ID: groupID, Refs: r, Before: before})
	})
}

// SetSegmentRefs is SetGroupRefs for a segment: it emits
// segment.refs_changed. Errors: segment.ErrNotFound,
// *pricing.ValidationError, ErrUnsupported.
func (s *Pricing) SetSegmentRefs(ctx context.Context, segmentID uuid.UUID, r pricing.Refs) (pricing.Refs, error) {
	return s.setRefs(ctx, r, func(ctx context.Context, tx storage.Tx, p storage.PricingRecords, r pricing.Refs) (pricing.Refs, error) {
		repo, err := segmentsOf(tx)
		if err != nil {
			return r, err
		}
		sg, err := repo.Get(ctx, segmentID)
		if err != nil {
			return r, mapSegmentErr(err)
		}
		before, err := p.SetSegmentRefs(ctx, segmentID, r)
		if err != nil || before == r {
			return before, mapSegmentErr(err)
		}
		return before, s.emitOne(ctx, tx, event.SegmentRefsChanged, event.AggregateSegment, segmentID.String(), uuid.Nil, sg.Version,
			event.RefsPayload{ID: segmentID, Refs: r, Before: before})
	})
}

func (s *Pricing) setRefs(ctx context.Context, r pricing.Refs,
	fn func(context.Context, storage.Tx, storage.PricingRecords, pricing.Refs) (pricing.Refs, error)) (pricing.Refs, error) {
	r = r.Normalize()
	if err := r.Validate(); err != nil {
		return pricing.Refs{}, err
	}
	if _, err := pricingOf(s.store); err != nil {
		return pricing.Refs{}, err
	}
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		p, err := pricingOf(tx)
		if err != nil {
			return err
		}
		_, err = fn(ctx, tx, p, r)
		return err
	})
	if err != nil {
		return pricing.Refs{}, err
	}
	return r, nil
}

// GroupRefs returns the host references the group carries. Errors:
// group.ErrNotFound, ErrUnsupported.
func (s *Pricing) GroupRefs(ctx context.Context, groupID uuid.UUID) (pricing.Refs, error) {
	p, err := pricingOf(s.store)
	if err != nil {
		return pricing.Refs{}, err
	}
	r, err := p.GroupRefs(ctx, groupID)
	return r, mapGroupErr(err)
}

// SegmentRefs returns the host references the segment carries. Errors:
// segment.ErrNotFound, ErrUnsupported.
func (s *Pricing) SegmentRefs(ctx context.Context, segmentID uuid.UUID) (pricing.Refs, error) {
	p, err := pricingOf(s.store)
	if err != nil {
		return pricing.Refs{}, err
	}
	r, err := p.SegmentRefs(ctx, segmentID)
	return r, mapSegmentErr(err)
}
