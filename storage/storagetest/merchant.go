package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/storage"
)

func merchantCases() []testCase {
	return []testCase{
		{"CreateReturnsVersion1", merchantCreateReturnsVersion1},
		{"GetMissing", merchantGetMissing},
		{"CreateDuplicateID", merchantCreateDuplicateID},
		{"UpdateBumpsVersion", merchantUpdateBumpsVersion},
		{"UpdateFnErrorWritesNothing", merchantUpdateFnError},
		{"UpdateKeepsIDCreatedAtVersion", merchantUpdateKeepsIdentity},
		{"UpdateMissing", merchantUpdateMissing},
		{"Delete", merchantDelete},
		{"DeleteMissing", merchantDeleteMissing},
		{"DeleteWithMarketsConflicts", merchantDeleteWithMarkets},
		{"ListOrder", merchantListOrder},
	}
}

// merchantAt builds (without storing) a merchant created at the given time.
func (e *env) merchantAt(at time.Time) merchant.Merchant {
	e.t.Helper()
	m, err := merchant.New(e.id(), merchant.Params{
		Name:           fmt.Sprintf("Merchant %d", e.next()),
		BillingAddress: validAddress("Friedrichstraße 43"),
		Metadata:       map[string]string{"source": "storagetest"},
	}, at)
	require.NoError(e.t, err, "building a fixture merchant")
	return m
}

func (e *env) createMerchantAt(at time.Time) merchant.Merchant {
	e.t.Helper()
	out, err := e.store.Merchants().Create(e.ctx, e.merchantAt(at))
	require.NoError(e.t, err, "creating a merchant")
	return out
}

func (e *env) createMerchant() merchant.Merchant {
	e.t.Helper()
	return e.createMerchantAt(e.now())
}

func (e *env) getMerchant(id uuid.UUID) merchant.Merchant {
	e.t.Helper()
	m, err := e.store.Merchants().Get(e.ctx, id)
	require.NoError(e.t, err, "getting merchant %s", id)
	return m
}

func (e *env) listMerchants(limit int) []merchant.Merchant {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[merchant.Merchant], error) {
		return e.store.Merchants().List(e.ctx, p)
	})
}

func merchantIDs(ms []merchant.Merchant) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func expectedMerchantIDs(ms ...merchant.Merchant) []uuid.UUID {
	ms = slices.Clone(ms)
	sortByTimeID(ms, func(m merchant.Merchant) (time.Time, uuid.UUID) { return m.CreatedAt, m.ID })
	return merchantIDs(ms)
}

// assertMerchant checks every field of got against want.
func assertMerchant(t *testing.T, want, got merchant.Merchant, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	w, g := want.Clone(), got.Clone()
	for _, x := range []*merchant.Merchant{&w, &g} {
		x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}
		x.Metadata = emptyMap(x.Metadata)
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

func merchantCreateReturnsVersion1(t *testing.T, e *env) {
	m, err := merchant.New(e.id(), merchant.Params{
		Name: "Ångström & Söhne Handels-GmbH",
		BillingAddress: address.Address{
			FirstName: "Zoë", LastName: "Ångström", Company: "Ångström & Söhne",
			Line1: "Königsallee 1", Line2: "Hinterhaus", City: "Düsseldorf",
			PostalCode: "40212", Province: "NRW", Country: "DE", Phone: "+49 211 1234567",
		},
		Metadata: map[string]string{"vat": "DE123456789", "ключ": "значение"},
	}, e.now())
	require.NoError(t, err)
	m.Version = 9
	out, err := e.store.Merchants().Create(e.ctx, m)
	require.NoError(t, err)
	want := m
	want.Version = 1
	assertMerchant(t, want, out, "Create's result")
	assertMerchant(t, want, e.getMerchant(m.ID), "Get")
	list := e.listMerchants(0)
	require.Len(t, list, 1)
	assertMerchant(t, want, list[0], "List")
}

func merchantGetMissing(t *testing.T, e *env) {
	_, err := e.store.Merchants().Get(e.ctx, e.id())
	requireNotFound(t, err)
}

func merchantCreateDuplicateID(t *testing.T, e *env) {
	m := e.createMerchant()
	dup := e.merchantAt(e.now())
	dup.ID = m.ID
	_, err := e.store.Merchants().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assertMerchant(t, m, e.getMerchant(m.ID), "nothing is written on conflict")
	assert.Len(t, e.listMerchants(0), 1)
}

func merchantUpdateBumpsVersion(t *testing.T, e *env) {
	m := e.createMerchant()
	for v := int64(2); v <= 3; v++ {
		now := e.now()
		name := fmt.Sprintf("Renamed %d", v)
		out, err := e.store.Merchants().Update(e.ctx, m.ID, func(m *merchant.Merchant) error {
			return m.Apply(merchant.Patch{Name: &name, BillingAddress: &address.Patch{City: ptr("Hamburg")}}, now)
		})
		require.NoError(t, err)
		assert.Equal(t, v, out.Version)
		assert.Equal(t, name, out.Name)
		assert.Equal(t, "Hamburg", out.BillingAddress.City)
		assertUTC(t, "UpdatedAt", now, out.UpdatedAt)
		assertMerchant(t, out, e.getMerchant(m.ID))
	}
}

func merchantUpdateFnError(t *testing.T, e *env) {
	m := e.createMerchant()
	want := &sentinel{"merchant update refused"}
	_, err := e.store.Merchants().Update(e.ctx, m.ID, func(x *merchant.Merchant) error {
		x.Name = "Changed"
		x.Metadata["source"] = "mutated"
		return want
	})
	requireSame(t, want, err)
	assertMerchant(t, m, e.getMerchant(m.ID), "nothing is written when fn fails")
}

func merchantUpdateKeepsIdentity(t *testing.T, e *env) {
	m := e.createMerchant()
	other := e.id()
	out, err := e.store.Merchants().Update(e.ctx, m.ID, func(x *merchant.Merchant) error {
		x.ID = other
		x.CreatedAt = x.CreatedAt.Add(-time.Minute)
		x.Version = 77
		x.Name = "Still me"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, m.ID, out.ID)
	assertUTC(t, "CreatedAt", m.CreatedAt, out.CreatedAt)
	assert.Equal(t, int64(2), out.Version)
	assertMerchant(t, out, e.getMerchant(m.ID))
	_, err = e.store.Merchants().Get(e.ctx, other)
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{m.ID}, merchantIDs(e.listMerchants(0)))
}

func merchantUpdateMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Merchants().Update(e.ctx, e.id(), func(*merchant.Merchant) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing merchant")
}

func merchantDelete(t *testing.T, e *env) {
	m := e.createMerchant()
	keep := e.createMerchant()
	require.NoError(t, e.store.Merchants().Delete(e.ctx, m.ID))
	_, err := e.store.Merchants().Get(e.ctx, m.ID)
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{keep.ID}, merchantIDs(e.listMerchants(0)))
	requireNotFound(t, e.store.Merchants().Delete(e.ctx, m.ID), "deleting twice")
}

func merchantDeleteMissing(t *testing.T, e *env) {
	requireNotFound(t, e.store.Merchants().Delete(e.ctx, e.id()))
}

func merchantDeleteWithMarkets(t *testing.T, e *env) {
	m := e.createMerchant()
	mk1 := e.createMarket(m.ID)
	mk2 := e.createMarket(m.ID)
	err := e.store.Merchants().Delete(e.ctx, m.ID)
	requireConflict(t, err, storage.ConstraintMerchantMarkets)
	assertMerchant(t, m, e.getMerchant(m.ID), "nothing is deleted")

	require.NoError(t, e.store.Markets().Delete(e.ctx, mk1.ID))
	requireConflict(t, e.store.Merchants().Delete(e.ctx, m.ID), storage.ConstraintMerchantMarkets, "one market left")
	require.NoError(t, e.store.Markets().Delete(e.ctx, mk2.ID))
	require.NoError(t, e.store.Merchants().Delete(e.ctx, m.ID), "a merchant without markets can be deleted")
}

func merchantListOrder(t *testing.T, e *env) {
	t0 := e.now()
	var ms []merchant.Merchant
	for _, at := range []time.Time{t0.Add(time.Second), t0, t0, t0.Add(-time.Second), t0} {
		ms = append(ms, e.createMerchantAt(at))
	}
	want := expectedMerchantIDs(ms...)
	for _, limit := range []int{0, 1, 2} {
		assertIDs(t, want, merchantIDs(e.listMerchants(limit)), "ordered by (CreatedAt, ID), pages of %d", limit)
	}
}
