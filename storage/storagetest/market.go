package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/storage"
)

func marketCases() []testCase {
	return []testCase{
		{"CreateReturnsVersion1", marketCreateReturnsVersion1},
		{"GetMissing", marketGetMissing},
		{"GetByCode", marketGetByCode},
		{"CreateDuplicateID", marketCreateDuplicateID},
		{"CodeUnique", marketCodeUnique},
		{"CreateUnknownMerchant", marketCreateUnknownMerchant},
		{"CreateUnknownAccessGroup", marketCreateUnknownAccessGroup},
		{"UpdateBumpsVersion", marketUpdateBumpsVersion},
		{"UpdateCodeOntoTakenConflicts", marketUpdateCodeOntoTaken},
		{"UpdateCodeMovesKey", marketUpdateCodeMovesKey},
		{"UpdateUnknownAccessGroup", marketUpdateUnknownAccessGroup},
		{"UpdateUnknownMerchant", marketUpdateUnknownMerchant},
		{"UpdateMovesReferences", marketUpdateMovesReferences},
		{"UpdateFnErrorWritesNothing", marketUpdateFnError},
		{"UpdateKeepsIDCreatedAtVersion", marketUpdateKeepsIdentity},
		{"UpdateMissing", marketUpdateMissing},
		{"Delete", marketDelete},
		{"DeleteMissing", marketDeleteMissing},
		{"ListOrder", marketListOrder},
		{"ListFilters", marketListFilters},
		{"TaxDisplayRoundTrip", marketTaxDisplayRoundTrip},
	}
}

// marketSpec is what a fixture market is built from.
type marketSpec struct {
	params market.Params
	at     time.Time
}

// marketOption changes a fixture market.
type marketOption func(*marketSpec)

func withAccessGroups(ids ...uuid.UUID) marketOption {
	return func(s *marketSpec) { s.params.AccessGroups = ids }
}

func withCode(code string) marketOption {
	return func(s *marketSpec) { s.params.Code = code }
}

func withTaxDisplay(t market.TaxDisplay) marketOption {
	return func(s *marketSpec) { s.params.TaxDisplay = t }
}

func marketCreatedAt(at time.Time) marketOption {
	return func(s *marketSpec) { s.at = at }
}

// marketFor builds (without storing) a market of the merchant.
func (e *env) marketFor(merchantID uuid.UUID, opts ...marketOption) market.Market {
	e.t.Helper()
	n := e.next()
	s := marketSpec{
		params: market.Params{
			MerchantID:        merchantID,
			Code:              fmt.Sprintf("market-%d", n),
			Name:              fmt.Sprintf("Market %d", n),
			BusinessModel:     market.BusinessModelB2C,
			Currency:          balance.MustCurrency("EUR"),
			PriceListRef:      "price-list-1",
			InventoryModelRef: "inventory-1",
			Metadata:          map[string]string{"source": "storagetest"},
		},
		at: e.now(),
	}
	for _, o := range opts {
		o(&s)
	}
	m, err := market.New(e.id(), s.params, s.at)
	require.NoError(e.t, err, "building a fixture market")
	return m
}

// createMarket builds and stores a market of the merchant.
func (e *env) createMarket(merchantID uuid.UUID, opts ...marketOption) market.Market {
	e.t.Helper()
	out, err := e.store.Markets().Create(e.ctx, e.marketFor(merchantID, opts...))
	require.NoError(e.t, err, "creating a market")
	return out
}

func (e *env) getMarket(id uuid.UUID) market.Market {
	e.t.Helper()
	m, err := e.store.Markets().Get(e.ctx, id)
	require.NoError(e.t, err, "getting market %s", id)
	return m
}

func (e *env) listMarkets(f storage.MarketFilter, limit int) []market.Market {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[market.Market], error) {
		return e.store.Markets().List(e.ctx, f, p)
	})
}

func marketIDs(ms []market.Market) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func expectedMarketIDs(ms ...market.Market) []uuid.UUID {
	ms = slices.Clone(ms)
	sortByTimeID(ms, func(m market.Market) (time.Time, uuid.UUID) { return m.CreatedAt, m.ID })
	return marketIDs(ms)
}

// assertMarket checks every field of got against want.
func assertMarket(t *testing.T, want, got market.Market, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	ok = assert.Equal(t, want.Currency.Code(), got.Currency.Code(), "Currency") && ok
	w, g := want.Clone(), got.Clone()
	for _, x := range []*market.Market{&w, &g} {
		x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}
		x.Metadata = emptyMap(x.Metadata)
		if len(x.AccessGroups) == 0 {
			x.AccessGroups = nil
		}
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

func marketCreateReturnsVersion1(t *testing.T, e *env) {
	m := e.createMerchant()
	g1 := e.createGroup("Wholesale")
	g2 := e.createGroup("Partners")
	mk, err := market.New(e.id(), market.Params{
		MerchantID:        m.ID,
		Code:              "EU-B2B_01",
		Name:              "Europe — Großhandel",
		BusinessModel:     market.BusinessModelB2B,
		Currency:          balance.MustCurrency("CHF"),
		PriceListRef:      "pl/eu-b2b?v=2",
		InventoryModelRef: "inv:eu-central",
		Disabled:          true,
		AccessGroups:      []uuid.UUID{g2.ID, g1.ID, g2.ID},
		RequireVerified:   true,
		Metadata:          map[string]string{"region": "EU", "ünï": "cødé"},
	}, e.now())
	require.NoError(t, err)
	require.Len(t, mk.AccessGroups, 2)
	mk.Version = 4
	out, err := e.store.Markets().Create(e.ctx, mk)
	require.NoError(t, err)
	want := mk
	want.Version = 1
	assertMarket(t, want, out, "Create's result")
	assertMarket(t, want, e.getMarket(mk.ID), "Get")
	byCode, err := e.store.Markets().GetByCode(e.ctx, "eu-b2b_01")
	require.NoError(t, err)
	assertMarket(t, want, byCode, "GetByCode")
	list := e.listMarkets(storage.MarketFilter{}, 0)
	require.Len(t, list, 1)
	assertMarket(t, want, list[0], "List")
}

func marketGetMissing(t *testing.T, e *env) {
	_, err := e.store.Markets().Get(e.ctx, e.id())
	requireNotFound(t, err)
}

func marketGetByCode(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID, withCode("US-Retail"))
	require.Equal(t, "us-retail", mk.Code)
	for _, code := range []string{"us-retail", "US-RETAIL", " Us-Retail "} {
		got, err := e.store.Markets().GetByCode(e.ctx, code)
		require.NoError(t, err, "GetByCode(%q) normalizes the code", code)
		assert.Equal(t, mk.ID, got.ID)
	}
	for _, code := range []string{"us", "us-retail-2", "us_retail", ""} {
		_, err := e.store.Markets().GetByCode(e.ctx, code)
		requireNotFound(t, err, "GetByCode(%q)", code)
	}
}

func marketCreateDuplicateID(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID)
	dup := e.marketFor(m.ID, withCode("other-code"))
	dup.ID = mk.ID
	_, err := e.store.Markets().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assertMarket(t, mk, e.getMarket(mk.ID), "nothing is written on conflict")
	_, err = e.store.Markets().GetByCode(e.ctx, "other-code")
	requireNotFound(t, err)
}

func marketCodeUnique(t *testing.T, e *env) {
	m := e.createMerchant()
	other := e.createMerchant()
	mk := e.createMarket(m.ID, withCode("shop"))
	dup := e.marketFor(other.ID, withCode(" SHOP "))
	_, err := e.store.Markets().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintMarketCode, "codes are unique across merchants")
	_, err = e.store.Markets().Get(e.ctx, dup.ID)
	requireNotFound(t, err, "nothing is written on conflict")
	assert.Empty(t, e.listMarkets(storage.MarketFilter{MerchantID: other.ID}, 0))
	got, err := e.store.Markets().GetByCode(e.ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, mk.ID, got.ID)
	// Deleting the merchant that tried is not blocked by the refused market.
	require.NoError(t, e.store.Merchants().Delete(e.ctx, other.ID))
}

func marketCreateUnknownMerchant(t *testing.T, e *env) {
	mk := e.marketFor(e.id(), withCode("orphan"))
	_, err := e.store.Markets().Create(e.ctx, mk)
	requireNotFound(t, err)
	_, err = e.store.Markets().Get(e.ctx, mk.ID)
	requireNotFound(t, err, "nothing is written")
	m := e.createMerchant()
	e.createMarket(m.ID, withCode("orphan")) // the code was not taken
}

func marketCreateUnknownAccessGroup(t *testing.T, e *env) {
	m := e.createMerchant()
	g := e.createGroup("Known")
	mk := e.marketFor(m.ID, withCode("private"), withAccessGroups(g.ID, e.id()))
	_, err := e.store.Markets().Create(e.ctx, mk)
	requireNotFound(t, err)
	_, err = e.store.Markets().Get(e.ctx, mk.ID)
	requireNotFound(t, err, "nothing is written")
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID), "the known group is not held by the refused market")
	require.NoError(t, e.store.Merchants().Delete(e.ctx, m.ID), "the merchant owns no market")
}

func marketUpdateBumpsVersion(t *testing.T, e *env) {
	m := e.createMerchant()
	g := e.createGroup("Members")
	mk := e.createMarket(m.ID)
	now := e.now()
	out, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		return x.Apply(market.Patch{
			Name:            ptr("Renamed"),
			BusinessModel:   ptr(market.BusinessModelB2B),
			Currency:        ptr(balance.MustCurrency("JPY")),
			Disabled:        ptr(true),
			AccessGroups:    &[]uuid.UUID{g.ID},
			RequireVerified: ptr(true),
		}, now)
	})
	require.NoError(t, err)
	want := mk.Clone()
	want.Name, want.BusinessModel, want.Currency, want.Disabled = "Renamed", market.BusinessModelB2B, balance.MustCurrency("JPY"), true
	want.AccessGroups = []uuid.UUID{g.ID}
	want.RequireVerified = true
	want.UpdatedAt = now
	want.Version = 2
	assertMarket(t, want, out, "Update's result")
	assertMarket(t, want, e.getMarket(mk.ID), "Get")

	out, err = e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		return x.Apply(market.Patch{AccessGroups: &[]uuid.UUID{}}, now)
	})
	require.NoError(t, err)
	assert.Equal(t, int64(3), out.Version)
	assert.Empty(t, out.AccessGroups)
	assert.False(t, e.getMarket(mk.ID).IsPrivate())
}

func marketUpdateCodeOntoTaken(t *testing.T, e *env) {
	m := e.createMerchant()
	e.createMarket(m.ID, withCode("taken"))
	mk := e.createMarket(m.ID, withCode("mine"))
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.Code = "taken"
		return nil
	})
	requireConflict(t, err, storage.ConstraintMarketCode)
	assertMarket(t, mk, e.getMarket(mk.ID), "nothing is written on conflict")
	got, err := e.store.Markets().GetByCode(e.ctx, "mine")
	require.NoError(t, err)
	assert.Equal(t, mk.ID, got.ID)
}

func marketUpdateCodeMovesKey(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID, withCode("before"))
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.Code = "after"
		return nil
	})
	require.NoError(t, err)
	_, err = e.store.Markets().GetByCode(e.ctx, "before")
	requireNotFound(t, err, "the old code is released")
	got, err := e.store.Markets().GetByCode(e.ctx, "after")
	require.NoError(t, err)
	assert.Equal(t, mk.ID, got.ID)
	e.createMarket(m.ID, withCode("before"))
}

func marketUpdateUnknownAccessGroup(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID)
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		return x.Apply(market.Patch{AccessGroups: &[]uuid.UUID{e.id()}}, e.now())
	})
	requireNotFound(t, err)
	assertMarket(t, mk, e.getMarket(mk.ID), "nothing is written")
}

func marketUpdateUnknownMerchant(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID)
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.MerchantID = e.id()
		return nil
	})
	requireNotFound(t, err)
	assertMarket(t, mk, e.getMarket(mk.ID), "nothing is written")
}

func marketUpdateMovesReferences(t *testing.T, e *env) {
	m1 := e.createMerchant()
	m2 := e.createMerchant()
	g1 := e.createGroup("One")
	g2 := e.createGroup("Two")
	mk := e.createMarket(m1.ID, withAccessGroups(g1.ID))
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.MerchantID = m2.ID
		return x.Apply(market.Patch{AccessGroups: &[]uuid.UUID{g2.ID}}, e.now())
	})
	require.NoError(t, err)
	assertIDs(t, nil, marketIDs(e.listMarkets(storage.MarketFilter{MerchantID: m1.ID}, 0)))
	assertIDs(t, []uuid.UUID{mk.ID}, marketIDs(e.listMarkets(storage.MarketFilter{MerchantID: m2.ID}, 0)))
	assertIDs(t, nil, marketIDs(e.listMarkets(storage.MarketFilter{GroupID: g1.ID}, 0)))
	assertIDs(t, []uuid.UUID{mk.ID}, marketIDs(e.listMarkets(storage.MarketFilter{GroupID: g2.ID}, 0)))
	require.NoError(t, e.store.Groups().Delete(e.ctx, g1.ID), "the market no longer uses g1")
	requireConflict(t, e.store.Groups().Delete(e.ctx, g2.ID), storage.ConstraintMarketAccessGroup)
	require.NoError(t, e.store.Merchants().Delete(e.ctx, m1.ID), "m1 no longer owns the market")
	requireConflict(t, e.store.Merchants().Delete(e.ctx, m2.ID), storage.ConstraintMerchantMarkets)
}

func marketUpdateFnError(t *testing.T, e *env) {
	m := e.createMerchant()
	g := e.createGroup("G")
	mk := e.createMarket(m.ID, withAccessGroups(g.ID))
	want := &sentinel{"market update refused"}
	_, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.Name = "Changed"
		x.Code = "changed"
		x.AccessGroups[0] = e.id()
		x.Metadata["source"] = "mutated"
		return want
	})
	requireSame(t, want, err)
	assertMarket(t, mk, e.getMarket(mk.ID), "nothing is written when fn fails")
	_, err = e.store.Markets().GetByCode(e.ctx, "changed")
	requireNotFound(t, err)
}

func marketUpdateKeepsIdentity(t *testing.T, e *env) {
	m := e.createMerchant()
	mk := e.createMarket(m.ID)
	other := e.id()
	out, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
		x.ID = other
		x.CreatedAt = x.CreatedAt.Add(time.Hour)
		x.Version = 33
		x.Name = "Same market"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, mk.ID, out.ID)
	assertUTC(t, "CreatedAt", mk.CreatedAt, out.CreatedAt)
	assert.Equal(t, int64(2), out.Version)
	assertMarket(t, out, e.getMarket(mk.ID))
	_, err = e.store.Markets().Get(e.ctx, other)
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{mk.ID}, marketIDs(e.listMarkets(storage.MarketFilter{}, 0)))
}

func marketUpdateMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Markets().Update(e.ctx, e.id(), func(*market.Market) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing market")
}

func marketDelete(t *testing.T, e *env) {
	m := e.createMerchant()
	g := e.createGroup("G")
	mk := e.createMarket(m.ID, withCode("gone"), withAccessGroups(g.ID))
	keep := e.createMarket(m.ID)
	require.NoError(t, e.store.Markets().Delete(e.ctx, mk.ID))
	_, err := e.store.Markets().Get(e.ctx, mk.ID)
	requireNotFound(t, err)
	_, err = e.store.Markets().GetByCode(e.ctx, "gone")
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{keep.ID}, marketIDs(e.listMarkets(storage.MarketFilter{}, 0)))
	assertIDs(t, nil, marketIDs(e.listMarkets(storage.MarketFilter{GroupID: g.ID}, 0)))
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID), "the group is free once its market is gone")
	e.createMarket(m.ID, withCode("gone"))
	requireNotFound(t, e.store.Markets().Delete(e.ctx, mk.ID), "deleting twice")
}

func marketDeleteMissing(t *testing.T, e *env) {
	requireNotFound(t, e.store.Markets().Delete(e.ctx, e.id()))
}

func marketListOrder(t *testing.T, e *env) {
	m := e.createMerchant()
	t0 := e.now()
	var ms []market.Market
	for _, at := range []time.Time{t0, t0.Add(-time.Second), t0, t0.Add(time.Second), t0} {
		ms = append(ms, e.createMarket(m.ID, marketCreatedAt(at)))
	}
	want := expectedMarketIDs(ms...)
	for _, limit := range []int{0, 1, 2} {
		assertIDs(t, want, marketIDs(e.listMarkets(storage.MarketFilter{}, limit)), "ordered by (CreatedAt, ID), pages of %d", limit)
	}
}

func marketListFilters(t *testing.T, e *env) {
	m1 := e.createMerchant()
	m2 := e.createMerchant()
	g1 := e.createGroup("G1")
	g2 := e.createGroup("G2")
	public1 := e.createMarket(m1.ID)
	private1 := e.createMarket(m1.ID, withAccessGroups(g1.ID))
	both2 := e.createMarket(m2.ID, withAccessGroups(g1.ID, g2.ID))
	public2 := e.createMarket(m2.ID)
	tests := []struct {
		name string
		f    storage.MarketFilter
		want []market.Market
	}{
		{"none", storage.MarketFilter{}, []market.Market{public1, private1, both2, public2}},
		{"merchant 1", storage.MarketFilter{MerchantID: m1.ID}, []market.Market{public1, private1}},
		{"merchant 2", storage.MarketFilter{MerchantID: m2.ID}, []market.Market{both2, public2}},
		{"group 1", storage.MarketFilter{GroupID: g1.ID}, []market.Market{private1, both2}},
		{"group 2", storage.MarketFilter{GroupID: g2.ID}, []market.Market{both2}},
		{"merchant 1 and group 1", storage.MarketFilter{MerchantID: m1.ID, GroupID: g1.ID}, []market.Market{private1}},
		{"merchant 1 and group 2", storage.MarketFilter{MerchantID: m1.ID, GroupID: g2.ID}, nil},
		{"unknown merchant", storage.MarketFilter{MerchantID: e.id()}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{0, 1} {
			assertIDs(t, expectedMarketIDs(tt.want...), marketIDs(e.listMarkets(tt.f, limit)), "%s, pages of %d", tt.name, limit)
		}
	}
}

// marketTaxDisplayRoundTrip: every tax display is stored and read back, on
// create and on update, and a market created without one has the default.
func marketTaxDisplayRoundTrip(t *testing.T, e *env) {
	m := e.createMerchant()
	def := e.createMarket(m.ID)
	assert.Equal(t, market.TaxDisplayByCustomer, def.TaxDisplay, "the default")
	assertMarket(t, def, e.getMarket(def.ID), "Get")
	for _, td := range market.TaxDisplays() {
		mk := e.createMarket(m.ID, withTaxDisplay(td))
		assert.Equal(t, td, mk.TaxDisplay)
		assertMarket(t, mk, e.getMarket(mk.ID), "Get %s", td)
		for _, to := range market.TaxDisplays() {
			now := e.now()
			out, err := e.store.Markets().Update(e.ctx, mk.ID, func(x *market.Market) error {
				return x.Apply(market.Patch{TaxDisplay: ptr(to)}, now)
			})
			require.NoError(t, err, "%s to %s", td, to)
			assert.Equal(t, to, out.TaxDisplay)
			assertMarket(t, out, e.getMarket(mk.ID), "Get after %s to %s", td, to)
		}
	}
	_, err := e.store.Markets().Update(e.ctx, def.ID, func(x *market.Market) error {
		x.TaxDisplay = 0
		return nil
	})
	assert.ErrorIs(t, err, market.ErrInvalid, "the zero tax display is not stored")
	assertMarket(t, def, e.getMarket(def.ID), "unchanged")
}
