package storagetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// pricingCases are the promises of storage.Pricing: host references on
// groups and segments, the groups in force at the caller's time and the
// segments a customer is in, bounded.
func pricingCases() []testCase {
	return []testCase{
		{"RefsRoundTrip", needsPricing(pricingRefsRoundTrip)},
		{"GroupsInForceAtTime", needsPricing(pricingGroupsInForce)},
		{"GroupsInForceBounded", needsPricing(pricingGroupsBounded)},
		{"SegmentsOf", needsPricing(pricingSegmentsOf)},
		{"DeleteDropsRefs", needsPricing(pricingDeleteDropsRefs)},
		{"ConcurrentSetsSerialize", needsPricing(pricingConcurrentSets)},
		{"SnapshotSameAsReads", needsSnapshots(pricingSnapshotSameAsReads)},
		{"SnapshotOfGuest", needsSnapshots(pricingSnapshotGuest)},
		{"SnapshotNumbersExact", needsSnapshots(pricingSnapshotExact)},
	}
}

func needsPricing(run func(t *testing.T, e *env, p storage.PricingRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		s, ok := e.store.(storage.Pricing)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Pricing capability", e.store)
		}
		run(t, e, s.PricingRecords())
	}
}

func (e *env) storedSegment(r segment.Rule) segment.Segment {
	e.t.Helper()
	s, ok := e.store.(storage.Segments)
	if !ok {
		e.t.Skipf("the store (%T) lacks the storage.Segments capability", e.store)
	}
	out, err := s.SegmentRecords().Create(e.ctx, e.segment(r))
	require.NoError(e.t, err)
	return out
}

func pricingRefsRoundTrip(t *testing.T, e *env, p storage.PricingRecords) {
	g := e.createGroup("VIP")
	r := pricing.Refs{PriceList: "pl-ünï", Promotion: "promo", ContentAudience: strings.Repeat("a", pricing.MaxRefLength)}
	before, err := p.SetGroupRefs(e.ctx, g.ID, r)
	require.NoError(t, err)
	assert.True(t, before.IsZero())
	got, err := p.GroupRefs(e.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	before, err = p.SetGroupRefs(e.ctx, g.ID, pricing.Refs{})
	require.NoError(t, err)
	assert.Equal(t, r, before)
	got, err = p.GroupRefs(e.ctx, g.ID)
	require.NoError(t, err)
	assert.True(t, got.IsZero())

	_, err = p.SetGroupRefs(e.ctx, g.ID, pricing.Refs{Promotion: strings.Repeat("a", pricing.MaxRefLength+1)})
	assert.ErrorIs(t, err, pricing.ErrInvalid)
	_, err = p.SetGroupRefs(e.ctx, uuid.New(), r)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = p.GroupRefs(e.ctx, uuid.New())
	assert.ErrorIs(t, err, storage.ErrNotFound)

	s := e.storedSegment(segment.All())
	_, err = p.SetSegmentRefs(e.ctx, s.ID, r)
	require.NoError(t, err)
	got, err = p.SegmentRefs(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	_, err = p.SetSegmentRefs(e.ctx, uuid.New(), r)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func pricingGroupsInForce(t *testing.T, e *env, p storage.PricingRecords) {
	c, other := e.newCustomer(), e.newCustomer()
	season, always, next := e.createGroup("Season"), e.createGroup("Always"), e.createGroup("Next")
	_, err := p.SetGroupRefs(e.ctx, season.ID, pricing.Refs{PriceList: "pl-season"})
	require.NoError(t, err)
	e.addFor(season.ID, c.ID, group.Validity{Until: seasonEnd})
	require.NoError(t, errOf(e.store.Groups().AddMember(e.ctx, always.ID, c.ID)))
	e.addFor(next.ID, c.ID, group.Validity{From: seasonEnd})
	require.NoError(t, errOf(e.store.Groups().AddMember(e.ctx, always.ID, other.ID)))

	ids := func(gs []pricing.Group) []uuid.UUID {
		var out []uuid.UUID
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	before := seasonEnd.Add(-time.Microsecond)
	gs, more, err := p.GroupsInForce(e.ctx, c.ID, before, pricing.MaxGroups)
	require.NoError(t, err)
	assert.False(t, more)
	assert.Equal(t, sortedIDs(season.ID, always.ID), ids(gs), "at T-1µs, ordered by ID")
	for _, g := range gs {
		if g.ID == season.ID {
			assert.Equal(t, "pl-season", g.Refs.PriceList)
			assert.Equal(t, "Season", g.Name)
			assert.True(t, g.ValidUntil.Equal(seasonEnd), "ValidUntil %v", g.ValidUntil)
		} else {
			assert.True(t, g.ValidUntil.IsZero())
			assert.True(t, g.Refs.IsZero())
		}
	}
	gs, _, err = p.GroupsInForce(e.ctx, c.ID, seasonEnd, pricing.MaxGroups)
	require.NoError(t, err)
	assert.Equal(t, sortedIDs(always.ID, next.ID), ids(gs), "at T")
	gs, _, err = p.GroupsInForce(e.ctx, uuid.New(), seasonEnd, pricing.MaxGroups)
	require.NoError(t, err)
	assert.Empty(t, gs)
}

func errOf[T any](_ T, err error) error { return err }

func pricingGroupsBounded(t *testing.T, e *env, p storage.PricingRecords) {
	c := e.newCustomer()
	var all []uuid.UUID
	for i := range 5 {
		g := e.createGroup(fmt.Sprintf("G%d", i))
		require.NoError(t, errOf(e.store.Groups().AddMember(e.ctx, g.ID, c.ID)))
		all = append(all, g.ID)
	}
	all = sortedIDs(all...)
	gs, more, err := p.GroupsInForce(e.ctx, c.ID, e.now(), 3)
	require.NoError(t, err)
	assert.True(t, more)
	require.Len(t, gs, 3)
	for i, g := range gs {
		assert.Equal(t, all[i], g.ID, "the first by ID")
	}
	gs, more, err = p.GroupsInForce(e.ctx, c.ID, e.now(), 5)
	require.NoError(t, err)
	assert.False(t, more)
	assert.Len(t, gs, 5)
}

func pricingSegmentsOf(t *testing.T, e *env, p storage.PricingRecords) {
	biz, private := e.newCustomer(withBusiness()), e.newCustomer(withTags("vip"))
	s1 := e.storedSegment(segment.Cond(segment.FieldType, segment.OpEq, "business"))
	_, err := p.SetSegmentRefs(e.ctx, s1.ID, pricing.Refs{Promotion: "promo-b2b"})
	require.NoError(t, err)
	s2 := e.storedSegment(segment.Not(segment.Cond(segment.FieldTag, segment.OpHas, "vip")))
	s3 := e.storedSegment(segment.Cond(segment.FieldTag, segment.OpHas, "vip"))

	names := func(ss []pricing.Segment) []uuid.UUID {
		var out []uuid.UUID
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	ss, more, err := p.SegmentsOf(e.ctx, biz.ID, time.Now(), pricing.MaxSegments)
	require.NoError(t, err)
	assert.False(t, more)
	assert.Equal(t, []uuid.UUID{s1.ID, s2.ID}, names(ss))
	assert.Equal(t, "promo-b2b", ss[0].Refs.Promotion)
	assert.Equal(t, s1.Name, ss[0].Name)
	ss, _, err = p.SegmentsOf(e.ctx, private.ID, time.Now(), pricing.MaxSegments)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{s3.ID}, names(ss))

	ss, more, err = p.SegmentsOf(e.ctx, private.ID, time.Now(), 2)
	require.NoError(t, err)
	assert.True(t, more, "three segments, two evaluated")
	assert.Empty(t, ss, "the third is not evaluated")
	ss, _, err = p.SegmentsOf(e.ctx, uuid.New(), time.Now(), pricing.MaxSegments)
	require.NoError(t, err)
	assert.Empty(t, ss, "an unknown customer is in no segment")
}

func pricingDeleteDropsRefs(t *testing.T, e *env, p storage.PricingRecords) {
	g := e.createGroup("Gone")
	_, err := p.SetGroupRefs(e.ctx, g.ID, pricing.Refs{PriceList: "pl"})
	require.NoError(t, err)
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))
	_, err = p.GroupRefs(e.ctx, g.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	s := e.storedSegment(segment.All())
	_, err = p.SetSegmentRefs(e.ctx, s.ID, pricing.Refs{PriceList: "pl"})
	require.NoError(t, err)
	require.NoError(t, e.store.(storage.Segments).SegmentRecords().Delete(e.ctx, s.ID))
	_, err = p.SegmentRefs(e.ctx, s.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// pricingConcurrentSets: concurrent setters of one group's references
// each see the references the one before them wrote (the row is locked).
func pricingConcurrentSets(t *testing.T, e *env, p storage.PricingRecords) {
	g := e.createGroup("Contended")
	const n = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		befores = map[string]int{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before, err := p.SetGroupRefs(e.ctx, g.ID, pricing.Refs{PriceList: fmt.Sprintf("pl-%d", i)})
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			befores[before.PriceList]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	got, err := p.GroupRefs(e.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, befores[""], "exactly one setter saw none: %v", befores)
	for ref, k := range befores {
		assert.Equal(t, 1, k, "each value was replaced once: %q in %v", ref, befores)
	}
	_, seen := befores[got.PriceList]
	assert.False(t, seen, "the last value was replaced by nobody")
}
