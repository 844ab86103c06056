package storagetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Segments capability (saved segments) and the optional
// storage.SegmentEvaluation capability: every adapter's members, counts
// and single-customer answers are those of segment.Matches over the
// customers' facts.

func segmentCases() []testCase {
	return []testCase{
		{"RoundTripsEveryField", needsSegments(segmentRoundTrip)},
		{"UpdateBumpsVersion", needsSegments(segmentUpdate)},
		{"NotFound", needsSegments(segmentNotFound)},
		{"DuplicateID", needsSegments(segmentDuplicate)},
		{"ListPages", needsSegments(segmentList)},
		{"InvalidRuleRefused", needsSegments(segmentInvalid)},
		{"SameMembersAsMatches", needsEvaluation(segmentProperty)},
		{"HostileValuesAreBound", needsEvaluation(segmentHostile)},
		{"MembersSkipDeleted", needsEvaluation(segmentDeleted)},
		{"MembersPageByCursor", needsEvaluation(segmentPaging)},
		{"OrderFigureBoundaries", needsEvaluation(segmentBoundaries)},
		{"ConcurrentUpdatesSerialize", needsSegments(segmentConcurrentUpdates)},
		{"GroupConditionHonoursWindows", needsEvaluation(segmentTimedGroup)},
	}
}

func needsSegments(run func(t *testing.T, e *env, r storage.SegmentRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		s, ok := e.store.(storage.Segments)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Segments capability", e.store)
		}
		run(t, e, s.SegmentRecords())
	}
}

func needsEvaluation(run func(t *testing.T, e *env, ev storage.SegmentEvaluator)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		s, ok := e.store.(storage.SegmentEvaluation)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.SegmentEvaluation capability", e.store)
		}
		run(t, e, s.SegmentEvaluator())
	}
}

func (e *env) segment(r segment.Rule) segment.Segment {
	e.t.Helper()
	s, err := segment.New(e.id(), segment.Params{Name: fmt.Sprintf("Segment %d", e.next()), Description: "Ünïcode\nsecond line", Rule: r}, e.now())
	require.NoError(e.t, err)
	return s
}

func segmentRoundTrip(t *testing.T, e *env, r storage.SegmentRecords) {
	rule := segment.All(segment.Cond(segment.FieldTag, segment.OpHas, "vip"),
		segment.Any(segment.Meta("tier", "gold"), segment.Not(segment.Cond(segment.FieldCountry, segment.OpEq, "DE"))),
		segment.Cond(segment.FieldSpent, segment.OpGte, "500.00 EUR"),
		segment.Cond(segment.FieldCreatedAt, segment.OpLt, "2030-01-02T03:04:05.123456Z"))
	s := e.segment(rule)
	created, err := r.Create(e.ctx, s)
	require.NoError(t, err)
	assert.Equal(t, int64(1), created.Version)
	got, err := r.Get(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)
	assert.Equal(t, "vip", got.Rule.All[0].Condition.Value)
}

func segmentUpdate(t *testing.T, e *env, r storage.SegmentRecords) {
	s, err := r.Create(e.ctx, e.segment(segment.Cond(segment.FieldTag, segment.OpHas, "a")))
	require.NoError(t, err)
	now := e.now()
	out, err := r.Update(e.ctx, s.ID, func(s *segment.Segment) error {
		return s.SetRule(segment.Cond(segment.FieldType, segment.OpEq, "business"), now)
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), out.Version)
	got, err := r.Get(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, out, got)
	assert.Equal(t, segment.FieldType, got.Rule.Condition.Field)

	boom := errors.New("boom")
	_, err = r.Update(e.ctx, s.ID, func(*segment.Segment) error { return boom })
	assert.ErrorIs(t, err, boom)
	got, _ = r.Get(e.ctx, s.ID)
	assert.Equal(t, int64(2), got.Version, "a failed fn wrote")
}

func segmentNotFound(t *testing.T, e *env, r storage.SegmentRecords) {
	_, err := r.Get(e.ctx, e.id())
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.Update(e.ctx, e.id(), func(*segment.Segment) error { return nil })
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, r.Delete(e.ctx, e.id()), storage.ErrNotFound)
	s, err := r.Create(e.ctx, e.segment(segment.All()))
	require.NoError(t, err)
	require.NoError(t, r.Delete(e.ctx, s.ID))
	_, err = r.Get(e.ctx, s.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func segmentDuplicate(t *testing.T, e *env, r storage.SegmentRecords) {
	s, err := r.Create(e.ctx, e.segment(segment.All()))
	require.NoError(t, err)
	_, err = r.Create(e.ctx, s)
	var ce *storage.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, storage.ConstraintPrimaryKey, ce.Constraint)
}

func segmentList(t *testing.T, e *env, r storage.SegmentRecords) {
	var want []uuid.UUID
	for range 5 {
		s, err := r.Create(e.ctx, e.segment(segment.All()))
		require.NoError(t, err)
		want = append(want, s.ID)
	}
	var got []uuid.UUID
	p := storage.PageRequest{Limit: 2}
	for {
		page, err := r.List(e.ctx, p)
		require.NoError(t, err)
		for _, s := range page.Items {
			got = append(got, s.ID)
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	assert.Equal(t, want, got)
}

func segmentInvalid(t *testing.T, e *env, r storage.SegmentRecords) {
	s := e.segment(segment.All())
	s.Rule = segment.Cond(segment.Field(99), segment.OpEq, "x")
	_, err := r.Create(e.ctx, s)
	assert.ErrorIs(t, err, segment.ErrInvalid)
}

// segWorld is random data and the facts segment.Matches reads.
type segWorld struct {
	facts          map[uuid.UUID]segment.Facts
	order          []uuid.UUID // every customer, by (CreatedAt, ID)
	groups         []uuid.UUID
	first, last    time.Time
	tags, metaKeys []string
	metaValues     []string
}

var (
	segTags       = []string{"vip", "new", "o'brien", "50%_off", "drop table"}
	segMetaKeys   = []string{"tier", "region", `a"b`, "x'y", "$.k", "\\"}
	segMetaValues = []string{"gold", "silver", "it's", `"q"`, "%", "_", "Ünï"}
	segCountries  = []string{"DE", "FR", "US"}
	segCurrencies = []string{"EUR", "USD"}
)

// seedSegments stores n random customers with tags, metadata, group
// memberships, default addresses and order figures.
func (e *env) seedSegments(rng *rand.Rand, n int) *segWorld {
	t := e.t
	w := &segWorld{facts: map[uuid.UUID]segment.Facts{}, tags: segTags, metaKeys: segMetaKeys, metaValues: segMetaValues}
	for range 3 {
		w.groups = append(w.groups, e.createGroup(fmt.Sprintf("Segment group %d", e.next())).ID)
	}
	od, hasStats := e.store.(storage.OrderHistory)
	for i := range n {
		var opts []customerOption
		var tags []string
		for _, tg := range segTags {
			if rng.IntN(3) == 0 {
				tags = append(tags, tg)
			}
		}
		opts = append(opts, withTags(tags...))
		meta := map[string]string{}
		for _, k := range segMetaKeys {
			if rng.IntN(3) == 0 {
				meta[k] = segMetaValues[rng.IntN(len(segMetaValues))]
			}
		}
		opts = append(opts, withMetadata(meta))
		if rng.IntN(3) == 0 {
			opts = append(opts, withBusiness())
		}
		kind := []customerKind{registered, guest, invited}[rng.IntN(3)]
		c := e.createCustomer(e.customerAt(kind, e.now(), opts...))
		if i == 0 {
			w.first = c.CreatedAt
		}
		w.last = c.CreatedAt
		if k := rng.IntN(4); k > 0 {
			var err error
			c, err = e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
				for range k {
					c.RecordOrder(c.UpdatedAt)
				}
				return nil
			})
			require.NoError(t, err)
		}
		f := segment.Facts{Customer: c}
		for _, g := range w.groups {
			if rng.IntN(3) == 0 {
				e.addMember(g, c.ID)
				f.Groups = append(f.Groups, g)
			}
		}
		if k := rng.IntN(3); k > 0 {
			book, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
				var ids []uuid.UUID
				for range k {
					en, err := b.Add(e.id(), address.Address{Line1: "Main St 1", City: "Berlin", Country: segCountries[rng.IntN(len(segCountries))]}, c.CreatedAt)
					if err != nil {
						return err
					}
					ids = append(ids, en.ID)
				}
				return b.SetDefault(ids[rng.IntN(len(ids))], address.Billing, c.CreatedAt)
			})
			require.NoError(t, err)
			if d, ok := book.Default(address.Shipping); ok {
				f.ShippingCountry = d.Country
			}
			if d, ok := book.Default(address.Billing); ok {
				f.BillingCountry = d.Country
			}
		}
		if hasStats {
			for _, code := range segCurrencies {
				if rng.IntN(2) == 0 {
					continue
				}
				cur, err := balance.ParseCurrency(code)
				require.NoError(t, err)
				s, err := od.OrderDetails().UpdateStats(e.ctx, c.ID, cur, func(s *order.Stats) error {
					for range rng.IntN(3) {
						total := balance.FromMinorUnits(int64(rng.IntN(5)*25000), cur)
						at := w.first.Add(time.Duration(rng.IntN(400)) * time.Second)
						if err := s.AddOrder(total, at); err != nil {
							return err
						}
					}
					return nil
				})
				require.NoError(t, err)
				f.Stats = append(f.Stats, s)
			}
		}
		if rng.IntN(20) == 0 {
			f.Customer = e.deleteCustomer(c.ID)
		}
		w.facts[c.ID] = f
		w.order = append(w.order, c.ID)
	}
	return w
}

// randomTime returns a time around the world's creation span.
func (w *segWorld) randomTime(rng *rand.Rand) string {
	span := w.last.Sub(w.first) + 20*time.Second
	return segment.FormatTime(w.first.Add(-10*time.Second + time.Duration(rng.Int64N(int64(span)))))
}

func (w *segWorld) randomCondition(rng *rand.Rand) segment.Rule {
	fields := segment.Fields()
	f := fields[rng.IntN(len(fields))]
	ops := f.Ops()
	op := ops[rng.IntN(len(ops))]
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var v, key string
	switch f {
	case segment.FieldTag:
		v = pick(w.tags)
	case segment.FieldType:
		v = pick([]string{"private", "business"})
	case segment.FieldStatus:
		v = pick([]string{"prospect", "acquired", "repeat"})
	case segment.FieldState:
		v = pick([]string{"guest", "invited", "active"})
	case segment.FieldGroup:
		v = w.groups[rng.IntN(len(w.groups))].String()
	case segment.FieldMetadata:
		key, v = pick(w.metaKeys), pick(w.metaValues)
	case segment.FieldCountry:
		v, key = pick(segCountries), pick([]string{"", "billing"})
	case segment.FieldCreatedAt, segment.FieldLastOrderAt:
		v = w.randomTime(rng)
		if f == segment.FieldCreatedAt && rng.IntN(4) == 0 {
			v = segment.FormatTime(w.facts[w.order[rng.IntN(len(w.order))]].Customer.CreatedAt) // an exact boundary
		}
		if f == segment.FieldLastOrderAt && rng.IntN(3) == 0 {
			if st := w.facts[w.order[rng.IntN(len(w.order))]].Stats; len(st) > 0 && st[0].OrderCount > 0 {
				v = segment.FormatTime(st[0].LastOrderAt) // an exact boundary
			}
		}
	case segment.FieldOrderCount:
		v = strconv.Itoa(rng.IntN(4))
	case segment.FieldSpent:
		v = fmt.Sprintf("%d.00 %s", rng.IntN(6)*250-250, pick(segCurrencies))
	}
	return segment.Rule{Condition: &segment.Condition{Field: f, Op: op, Key: key, Value: v}}
}

func (w *segWorld) randomRule(rng *rand.Rand, depth int) segment.Rule {
	if depth >= 3 || rng.IntN(3) == 0 {
		return w.randomCondition(rng)
	}
	switch rng.IntN(3) {
	case 0:
		return segment.Not(w.randomRule(rng, depth+1))
	case 1:
		var rs []segment.Rule
		for range rng.IntN(4) {
			rs = append(rs, w.randomRule(rng, depth+1))
		}
		return segment.All(rs...)
	}
	var rs []segment.Rule
	for range rng.IntN(4) {
		rs = append(rs, w.randomRule(rng, depth+1))
	}
	return segment.Any(rs...)
}

// want returns the live customers r matches, in list order.
func (w *segWorld) want(r segment.Rule) []uuid.UUID {
	var out []uuid.UUID
	for _, id := range w.order {
		if segment.Matches(r, w.facts[id]) {
			out = append(out, id)
		}
	}
	return out
}

func (e *env) allMembers(ev storage.SegmentEvaluator, r segment.Rule, limit int) []uuid.UUID {
	e.t.Helper()
	var got []uuid.UUID
	p := storage.PageRequest{Limit: limit}
	for range 10000 {
		page, err := ev.Members(e.ctx, r, time.Now(), p)
		require.NoError(e.t, err)
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.Next == "" {
			return got
		}
		p.Cursor = page.Next
	}
	e.t.Fatal("Members did not end")
	return nil
}

// segmentProperty compares the adapter with segment.Matches over random
// data and random rules (seeded: a failure names its seed and rule).
func segmentProperty(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	customers, rules := 300, 200
	if testing.Short() {
		customers, rules = 80, 60
	}
	const seed = 14
	rng := rand.New(rand.NewPCG(seed, 2))
	w := e.seedSegments(rng, customers)
	live := len(w.want(segment.All()))
	informative := 0
	for i := range rules {
		rule, err := w.randomRule(rng, 0).Normalize()
		require.NoError(t, err)
		want := w.want(rule)
		if len(want) > 0 && len(want) < live {
			informative++
		}
		js, _ := segment.MarshalRule(rule)
		got := e.allMembers(ev, rule, 1+rng.IntN(120))
		if !assert.Equal(t, want, got, "seed %d rule %d: %s", seed, i, js) {
			continue
		}
		n, err := ev.Count(e.ctx, rule, time.Now())
		require.NoError(t, err)
		assert.Equal(t, int64(len(want)), n, "count: seed %d rule %d: %s", seed, i, js)
		for range 3 {
			id := w.order[rng.IntN(len(w.order))]
			ok, err := ev.Matches(e.ctx, rule, id, time.Now())
			require.NoError(t, err)
			assert.Equal(t, slices.Contains(want, id), ok, "matches %s: seed %d rule %d: %s", id, seed, i, js)
		}
	}
	// The generator must make rules that split the customers, or the
	// comparison proves little.
	assert.Greater(t, informative, rules/3, "rules that select some but not all customers")
	t.Logf("%d of %d rules select some but not all of %d live customers", informative, rules, live)
}

func segmentHostile(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	hostile := []string{"'; DROP TABLE customers; --", `" OR 1=1 --`, "%", "_", `\`, "$.a", "' OR '1'='1", "?", "$1", "{{prefix}}", "a\u2028b"}
	var ids []uuid.UUID
	for i, v := range hostile {
		c := e.newCustomer(withMetadata(map[string]string{v: v, "k": v}), withTags(fmt.Sprintf("t%d", i)))
		ids = append(ids, c.ID)
	}
	for i, v := range hostile {
		for _, r := range []segment.Rule{segment.Meta(v, v), segment.Meta("k", v)} {
			rule, err := r.Normalize()
			require.NoError(t, err)
			got := e.allMembers(ev, rule, 50)
			assert.Equal(t, []uuid.UUID{ids[i]}, got, "metadata %q", v)
		}
		rule, err := segment.Cond(segment.FieldTag, segment.OpHas, v).Normalize()
		if err == nil {
			assert.Empty(t, e.allMembers(ev, rule, 50), "tag %q", v)
		}
	}
	n, err := ev.Count(e.ctx, segment.All(), time.Time{})
	require.NoError(t, err)
	assert.Equal(t, int64(len(hostile)), n, "the customers are all still there")
}

func segmentDeleted(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	a := e.newCustomer(withTags("vip"))
	b := e.newCustomer(withTags("vip"))
	e.deleteCustomer(a.ID)
	rule, _ := segment.Cond(segment.FieldTag, segment.OpHas, "vip").Normalize()
	assert.Equal(t, []uuid.UUID{b.ID}, e.allMembers(ev, rule, 10))
	ok, err := ev.Matches(e.ctx, rule, a.ID, time.Time{})
	require.NoError(t, err)
	assert.False(t, ok, "a deleted customer matched")
	ok, err = ev.Matches(e.ctx, rule, e.id(), time.Time{})
	require.NoError(t, err)
	assert.False(t, ok, "an unknown customer matched")
	n, err := ev.Count(e.ctx, segment.Not(rule), time.Time{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

func segmentPaging(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	var want []uuid.UUID
	for i := range 7 {
		c := e.newCustomer(withTags(fmt.Sprintf("p%d", i%2)))
		if i%2 == 0 {
			want = append(want, c.ID)
		}
	}
	rule, _ := segment.Cond(segment.FieldTag, segment.OpHas, "p0").Normalize()
	for _, limit := range []int{1, 2, 3, 100} {
		assert.Equal(t, want, e.allMembers(ev, rule, limit), "limit %d", limit)
	}
	_, err := ev.Members(e.ctx, rule, time.Time{}, storage.PageRequest{Cursor: "junk"})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	other, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 1})
	require.NoError(t, err)
	_, err = ev.Members(e.ctx, rule, time.Time{}, storage.PageRequest{Cursor: other.Next})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor, "another list's cursor")
}

// segmentBoundaries checks the order figures at their boundaries: the
// latest order time over every currency, and zero spent without figures.
func segmentBoundaries(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	oh, ok := e.store.(storage.OrderHistory)
	if !ok {
		t.Skip("the store lacks storage.OrderHistory")
	}
	c := e.newCustomer()
	none := e.newCustomer()
	at := e.now()
	later := at.Add(time.Hour)
	for code, when := range map[string]time.Time{"EUR": at, "USD": later} {
		cur, _ := balance.ParseCurrency(code)
		_, err := oh.OrderDetails().UpdateStats(e.ctx, c.ID, cur, func(s *order.Stats) error {
			return s.AddOrder(balance.FromMinorUnits(50000, cur), when)
		})
		require.NoError(t, err)
	}
	T := segment.FormatTime(later)
	for _, tc := range []struct {
		r    segment.Rule
		want []uuid.UUID
	}{
		{segment.Cond(segment.FieldLastOrderAt, segment.OpLt, T), nil},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpLte, T), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpEq, T), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpEq, segment.FormatTime(at)), nil},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpGt, T), nil},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpGte, T), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldLastOrderAt, segment.OpLt, segment.FormatTime(later.Add(time.Microsecond))), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldSpent, segment.OpEq, "500.00 EUR"), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldSpent, segment.OpLt, "500.00 EUR"), []uuid.UUID{none.ID}},
		{segment.Cond(segment.FieldSpent, segment.OpLte, "0.00 EUR"), []uuid.UUID{none.ID}},
		{segment.Cond(segment.FieldSpent, segment.OpGt, "499.99 EUR"), []uuid.UUID{c.ID}},
		{segment.Cond(segment.FieldSpent, segment.OpGte, "-1.00 GBP"), []uuid.UUID{c.ID, none.ID}},
		{segment.Not(segment.Cond(segment.FieldLastOrderAt, segment.OpGte, T)), []uuid.UUID{none.ID}},
	} {
		rule, err := tc.r.Normalize()
		require.NoError(t, err)
		js, _ := segment.MarshalRule(rule)
		assert.Equal(t, tc.want, e.allMembers(ev, rule, 10), "%s", js)
	}
}

// segmentConcurrentUpdates races updates of one segment: each sees the
// previous one's version, so every returned version is distinct and the
// last is 1 + the number of updates.
func segmentConcurrentUpdates(t *testing.T, e *env, r storage.SegmentRecords) {
	s, err := r.Create(e.ctx, e.segment(segment.All()))
	require.NoError(t, err)
	const n = 8
	versions := make(chan int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := r.Update(e.ctx, s.ID, func(s *segment.Segment) error {
				s.Description = fmt.Sprintf("writer %d", i)
				return nil
			})
			if assert.NoError(t, err) {
				versions <- out.Version
			}
		}()
	}
	wg.Wait()
	close(versions)
	seen := map[int64]bool{}
	for v := range versions {
		assert.False(t, seen[v], "version %d returned twice", v)
		seen[v] = true
	}
	got, err := r.Get(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1+n), got.Version)
}

// segmentTimedGroup: a group condition counts a timed membership only
// inside its window, judged at the time the evaluator is given (a
// membership that ends at T counts at T-1µs, not at T; one that starts at
// T not before T), and a zero time ignores windows.
func segmentTimedGroup(t *testing.T, e *env, ev storage.SegmentEvaluator) {
	tm, ok := e.store.Groups().(storage.TimedMemberships)
	if !ok {
		t.Skipf("the store (%T) lacks the storage.TimedMemberships capability", e.store)
	}
	g := e.createGroup("season")
	ending, starting, always := e.newCustomer(), e.newCustomer(), e.newCustomer()
	at := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	for _, m := range []struct {
		id uuid.UUID
		v  group.Validity
	}{
		{ending.ID, group.Validity{Until: at}},
		{starting.ID, group.Validity{From: at}},
		{always.ID, group.Validity{}},
	} {
		_, _, err := tm.AddMemberFor(e.ctx, g.ID, m.id, m.v)
		require.NoError(t, err)
	}
	rule, err := segment.Cond(segment.FieldGroup, segment.OpHas, g.ID.String()).Normalize()
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		at   time.Time
		want []uuid.UUID
	}{
		{"before T", at.Add(-time.Microsecond), []uuid.UUID{ending.ID, always.ID}},
		{"at T", at, []uuid.UUID{starting.ID, always.ID}},
		{"windows ignored", time.Time{}, []uuid.UUID{ending.ID, starting.ID, always.ID}},
	} {
		var got []uuid.UUID
		page, err := ev.Members(e.ctx, rule, c.at, storage.PageRequest{Limit: 10})
		require.NoError(t, err)
		for _, m := range page.Items {
			got = append(got, m.ID)
		}
		assert.ElementsMatch(t, c.want, got, "members %s", c.name)
		n, err := ev.Count(e.ctx, rule, c.at)
		require.NoError(t, err)
		assert.Equal(t, int64(len(c.want)), n, "count %s", c.name)
		for _, id := range []uuid.UUID{ending.ID, starting.ID, always.ID} {
			ok, err := ev.Matches(e.ctx, rule, id, c.at)
			require.NoError(t, err)
			assert.Equal(t, slices.Contains(c.want, id), ok, "matches %s %s", id, c.name)
		}
	}
}
