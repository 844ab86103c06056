package storagetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// The storage.PricingSnapshots capability: a snapshot read at once decides
// the same context (pricing.Snapshot.Decide) as the reads of
// storage.Pricing one after the other, whose segments the SQL adapters
// evaluate in SQL.

func needsSnapshots(run func(t *testing.T, e *env, s storage.PricingSnapshots, p storage.PricingRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		s, ok := e.store.(storage.PricingSnapshots)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.PricingSnapshots capability", e.store)
		}
		p, ok := e.store.(storage.Pricing)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Pricing capability the snapshot is compared with", e.store)
		}
		run(t, e, s, p.PricingRecords())
	}
}

// contextByReads is the context that the reads of storage.Pricing and the
// core repositories decide, one after the other, with the limits given.
func (e *env) contextByReads(p storage.PricingRecords, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Context, error) {
	m, err := e.store.Markets().Get(e.ctx, marketID)
	if err != nil {
		return pricing.Context{}, err
	}
	mer, err := e.store.Merchants().Get(e.ctx, m.MerchantID)
	if err != nil {
		return pricing.Context{}, err
	}
	if customerID == uuid.Nil {
		return pricing.Build(at, m, mer.Name, nil, nil, nil, m.AccessWith(nil, nil, false)), nil
	}
	c, err := e.store.Customers().Get(e.ctx, customerID)
	if err != nil {
		return pricing.Context{}, err
	}
	if c.IsDeleted() {
		return pricing.Context{}, fmt.Errorf("customer %v: deleted: %w", customerID, storage.ErrNotFound)
	}
	groups, groupsMore, err := p.GroupsInForce(e.ctx, customerID, at, maxGroups)
	if err != nil {
		return pricing.Context{}, err
	}
	segments, segmentsMore, err := p.SegmentsOf(e.ctx, customerID, at, maxSegments)
	if err != nil {
		return pricing.Context{}, err
	}
	var memberOf []uuid.UUID
	if groupsMore {
		memberOf = e.memberOfAt(customerID, at, m.AccessGroups...)
	} else {
		for _, g := range groups {
			memberOf = append(memberOf, g.ID)
		}
	}
	verified := false
	if v, ok := e.store.(storage.Verifications); ok {
		got, err := v.VerificationRecords().Get(e.ctx, verification.CustomerSubject(customerID))
		if err != nil {
			return pricing.Context{}, err
		}
		verified = got.Status == verification.Verified
	}
	out := pricing.Build(at, m, mer.Name, &c, groups, segments, m.AccessWith(&c, memberOf, verified))
	out.GroupsTruncated, out.SegmentsTruncated = groupsMore, segmentsMore
	return out, nil
}

// pricingSnapshotSameAsReads compares, on random customers (tags,
// metadata, addresses, order figures, untimed and timed memberships,
// verifications) and random segments, the snapshot's context with the
// reads' in a public market, a private one and a private one that
// requires verified customers, at the two sides of the memberships'
// windows, with the full limits and with small ones that cut the groups
// and the segments.
func pricingSnapshotSameAsReads(t *testing.T, e *env, snaps storage.PricingSnapshots, p storage.PricingRecords) {
	customers, segments := 40, 12
	if testing.Short() {
		customers, segments = 20, 8
	}
	const seed = 19
	rng := rand.New(rand.NewPCG(seed, 7))
	w := e.seedSegments(rng, customers)
	// Timed memberships (a season that ends at seasonEnd, the next one
	// that starts then), in groups whose names and references JSON must
	// escape.
	season := e.createGroup(`Grüße "VIP" \ season 🎉`)
	next := e.createGroup("Next <season> &amp; / 你好")
	for _, g := range []uuid.UUID{season.ID, next.ID, w.groups[0]} {
		_, err := p.SetGroupRefs(e.ctx, g, pricing.Refs{PriceList: "pl-" + g.String()[:8] + ` "ü"`, Promotion: `promo\n`})
		require.NoError(t, err)
	}
	for _, id := range w.order {
		if w.facts[id].Customer.IsDeleted() {
			continue
		}
		switch rng.IntN(3) {
		case 0:
			e.addFor(season.ID, id, group.Validity{Until: seasonEnd})
		case 1:
			e.addFor(next.ID, id, group.Validity{From: seasonEnd})
		}
	}
	w.groups = append(w.groups, season.ID, next.ID) // the rules name them too
	if v, ok := e.store.(storage.Verifications); ok {
		for _, id := range w.order {
			s := verification.CustomerSubject(id)
			switch rng.IntN(3) {
			case 0:
				e.move(v.VerificationRecords(), s, verification.Pending, "")
				e.move(v.VerificationRecords(), s, verification.Verified, "")
			case 1:
				e.move(v.VerificationRecords(), s, verification.Pending, "")
			}
		}
	}
	for i := range segments {
		r, err := w.randomRule(rng, 0).Normalize()
		require.NoError(t, err)
		sg, err := segment.New(e.id(), segment.Params{Name: fmt.Sprintf(`Segment "%d" ü`, i), Rule: r}, e.now())
		require.NoError(t, err)
		sg = e.storedSegmentOf(sg)
		if i%3 == 0 {
			_, err := p.SetSegmentRefs(e.ctx, sg.ID, pricing.Refs{Promotion: fmt.Sprintf("promo-%d", i), ContentAudience: "aud ✓"})
			require.NoError(t, err)
		}
	}
	merchant := e.createMerchant()
	markets := []uuid.UUID{
		e.createMarket(merchant.ID).ID,
		e.createMarket(merchant.ID, withAccessGroups(w.groups[0], season.ID)).ID,
		e.createMarket(merchant.ID, withAccessGroups(next.ID), func(s *marketSpec) { s.params.RequireVerified = true }).ID,
	}

	type limits struct{ groups, segments int }
	var (
		matched, allowed, denied, groupsCut, segmentsCut int
	)
	check := func(customerID, marketID uuid.UUID, at time.Time, l limits) {
		t.Helper()
		what := fmt.Sprintf("seed %d: customer %v, market %v, at %v, limits %v", seed, customerID, marketID, at, l)
		want, wantErr := e.contextByReads(p, customerID, marketID, at, l.groups, l.segments)
		snap, err := snaps.PricingSnapshot(e.ctx, customerID, marketID, at, l.groups, l.segments)
		if wantErr != nil {
			assert.ErrorIs(t, err, storage.ErrNotFound, what)
			return
		}
		if !assert.NoError(t, err, what) {
			return
		}
		got := snap.Decide(at)
		assert.Equal(t, want, got, what)
		if customerID != uuid.Nil {
			assert.Equal(t, e.getCustomer(customerID), *snap.Customer, "every field: %s", what)
			if od, ok := e.store.(storage.OrderHistory); ok {
				stats, err := od.OrderDetails().Stats(e.ctx, customerID)
				require.NoError(t, err)
				assert.ElementsMatch(t, stats, snap.Stats, "order figures: %s", what)
			}
		}
		if len(got.Segments) > 0 {
			matched++
		}
		if got.Access.Allowed {
			allowed++
		} else {
			denied++
		}
		if got.GroupsTruncated {
			groupsCut++
		}
		if got.SegmentsTruncated {
			segmentsCut++
		}
	}
	times := []time.Time{seasonEnd.Add(-time.Microsecond), seasonEnd}
	all := []limits{{pricing.MaxGroups, pricing.MaxSegments}, {2, 3}}
	for _, id := range w.order {
		for _, m := range markets {
			check(id, m, times[rng.IntN(len(times))], all[rng.IntN(len(all))])
		}
	}
	for _, m := range markets {
		check(uuid.Nil, m, times[0], all[0]) // a guest
	}
	check(uuid.Nil, e.id(), times[0], all[0])                            // an unknown market
	check(w.order[0], e.id(), times[0], all[0])                          // an unknown market
	check(e.id(), markets[0], times[0], all[0])                          // an unknown customer
	check(e.deleteCustomer(w.order[1]).ID, markets[0], times[0], all[0]) // a deleted customer
	_, err := snaps.PricingSnapshot(e.ctx, w.order[1], markets[0], times[0], pricing.MaxGroups, pricing.MaxSegments)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a deleted customer")

	// The data must make the comparison informative.
	assert.Positive(t, matched, "contexts with segments")
	assert.Positive(t, allowed, "contexts allowed")
	assert.Positive(t, denied, "contexts denied")
	assert.Positive(t, groupsCut, "contexts with the groups cut")
	assert.Positive(t, segmentsCut, "contexts with the segments cut")
	t.Logf("%d matched, %d allowed, %d denied, %d groups cut, %d segments cut", matched, allowed, denied, groupsCut, segmentsCut)
}

// pricingSnapshotGuest: a guest's snapshot has the market and its merchant
// and nothing of any customer.
func pricingSnapshotGuest(t *testing.T, e *env, snaps storage.PricingSnapshots, _ storage.PricingRecords) {
	mer := e.createMerchant()
	m := e.createMarket(mer.ID)
	e.storedSegment(segment.All())
	s, err := snaps.PricingSnapshot(e.ctx, uuid.Nil, m.ID, e.now(), pricing.MaxGroups, pricing.MaxSegments)
	require.NoError(t, err)
	assert.Equal(t, m, s.Market)
	assert.Equal(t, mer.Name, s.MerchantName)
	assert.Nil(t, s.Customer)
	assert.Empty(t, s.Groups)
	assert.Empty(t, s.Segments, "a guest's segments are not read")
	_, err = snaps.PricingSnapshot(e.ctx, uuid.Nil, e.id(), e.now(), pricing.MaxGroups, pricing.MaxSegments)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// storedSegmentOf stores s.
func (e *env) storedSegmentOf(s segment.Segment) segment.Segment {
	e.t.Helper()
	r, ok := e.store.(storage.Segments)
	if !ok {
		e.t.Skipf("the store (%T) lacks the storage.Segments capability", e.store)
	}
	out, err := r.SegmentRecords().Create(e.ctx, s)
	require.NoError(e.t, err)
	return out
}

// pricingSnapshotExact: the snapshot's numbers pass through no float (the
// SQL adapters' JSON): order figures beyond 2^53 minor units, the largest
// int64, and a window's end at a microsecond come back exactly, times in
// UTC.
func pricingSnapshotExact(t *testing.T, e *env, snaps storage.PricingSnapshots, _ storage.PricingRecords) {
	od, ok := e.store.(storage.OrderHistory)
	if !ok {
		t.Skipf("the store (%T) lacks the storage.OrderHistory capability", e.store)
	}
	c := e.newCustomer()
	g := e.createGroup("Exact")
	until := time.Date(2286, 11, 20, 17, 46, 39, 999999000, time.UTC) // past 10^16 µs
	e.addFor(g.ID, c.ID, group.Validity{Until: until})
	figures := map[string]int64{"EUR": 1<<53 + 1, "USD": math.MaxInt64, "JPY": 9007199254740993}
	placed := time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC)
	for code, minor := range figures {
		cur, err := balance.ParseCurrency(code)
		require.NoError(t, err)
		_, err = od.OrderDetails().UpdateStats(e.ctx, c.ID, cur, func(s *order.Stats) error {
			return s.AddOrder(balance.FromMinorUnits(minor, cur), placed)
		})
		require.NoError(t, err)
	}
	m := e.createMarket(e.createMerchant().ID)
	snap, err := snaps.PricingSnapshot(e.ctx, c.ID, m.ID, placed, pricing.MaxGroups, pricing.MaxSegments)
	require.NoError(t, err)
	require.Len(t, snap.Groups, 1)
	assert.Equal(t, until, snap.Groups[0].ValidUntil)
	want, err := od.OrderDetails().Stats(e.ctx, c.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, want, snap.Stats)
	for _, s := range snap.Stats {
		assert.Equal(t, figures[s.Currency.Code()], s.Spent.MinorUnits(), s.Currency.Code())
		assert.Equal(t, placed, s.LastOrderAt)
		assert.Equal(t, time.UTC, s.FirstOrderAt.Location())
	}
}
