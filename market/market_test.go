package market_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
)

var (
	mktID      = uuid.MustParse("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01")
	merchantID = uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01")
	t0         = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	eur        = balance.MustCurrency("EUR")
	usd        = balance.MustCurrency("USD")
)

func gid(n int) uuid.UUID { return uuid.MustParse(fmt.Sprintf("00000000-0000-0000-0000-%012d", n)) }

func ptr[T any](v T) *T { return &v }

func params() market.Params {
	return market.Params{
		MerchantID:    merchantID,
		Code:          "de-b2c",
		Name:          "Germany",
		BusinessModel: market.BusinessModelB2C,
		Currency:      eur,
		PriceListRef:  "pl_123",
		Metadata:      map[string]string{"region": "dach"},
	}
}

func newMarket(t *testing.T, edit ...func(*market.Params)) market.Market {
	t.Helper()
	p := params()
	for _, e := range edit {
		e(&p)
	}
	m, err := market.New(mktID, p, t0)
	require.NoError(t, err)
	return m
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	var ve *market.ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, market.ErrInvalid)
}

func TestNew(t *testing.T) {
	p := params()
	p.Code = "  DE_B2C-1 "
	p.Name = " Germany "
	p.InventoryModelRef = " inv_9 "
	p.AccessGroups = []uuid.UUID{gid(3), gid(1), gid(3), gid(2), gid(1)}
	m, err := market.New(mktID, p, t0.In(time.FixedZone("X", 7200)))
	require.NoError(t, err)
	assert.Equal(t, mktID, m.ID)
	assert.Equal(t, merchantID, m.MerchantID)
	assert.Equal(t, "de_b2c-1", m.Code)
	assert.Equal(t, "Germany", m.Name)
	assert.Equal(t, "inv_9", m.InventoryModelRef)
	assert.Equal(t, "EUR", m.Currency.Code())
	assert.Equal(t, []uuid.UUID{gid(1), gid(2), gid(3)}, m.AccessGroups, "sorted and deduplicated")
	assert.True(t, m.IsPrivate())
	assert.False(t, m.Disabled)
	assert.Equal(t, time.UTC, m.CreatedAt.Location())
	assert.True(t, m.CreatedAt.Equal(t0))
	assert.Equal(t, m.CreatedAt, m.UpdatedAt)
	assert.Zero(t, m.Version)

	p.AccessGroups[0] = gid(99)
	p.Metadata["region"] = "changed"
	assert.Equal(t, []uuid.UUID{gid(1), gid(2), gid(3)}, m.AccessGroups, "input slice is copied")
	assert.Equal(t, "dach", m.Metadata["region"], "input map is copied")

	public := newMarket(t)
	assert.False(t, public.IsPrivate())
	assert.Nil(t, public.AccessGroups)
	assert.Nil(t, newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{} }).AccessGroups)
	assert.True(t, newMarket(t, func(p *market.Params) { p.Disabled = true }).Disabled)
}

func TestNewRejects(t *testing.T) {
	tooMany := make([]uuid.UUID, market.MaxAccessGroups+1)
	for i := range tooMany {
		tooMany[i] = gid(i + 1)
	}
	tests := []struct {
		name  string
		id    uuid.UUID
		edit  func(*market.Params)
		field string
	}{
		{"nil id", uuid.Nil, func(*market.Params) {}, "id"},
		{"nil merchant", mktID, func(p *market.Params) { p.MerchantID = uuid.Nil }, "merchant_id"},
		{"no code", mktID, func(p *market.Params) { p.Code = "  " }, "code"},
		{"code with space", mktID, func(p *market.Params) { p.Code = "de b2c" }, "code"},
		{"code with dot", mktID, func(p *market.Params) { p.Code = "de.b2c" }, "code"},
		{"code with slash", mktID, func(p *market.Params) { p.Code = "de/b2c" }, "code"},
		{"code non-ASCII", mktID, func(p *market.Params) { p.Code = "münchen" }, "code"},
		{"code Kelvin sign", mktID, func(p *market.Params) { p.Code = "\u212a" }, "code"},
		{"code too long", mktID, func(p *market.Params) { p.Code = strings.Repeat("a", 65) }, "code"},
		{"code control char", mktID, func(p *market.Params) { p.Code = "a\x00b" }, "code"},
		{"no name", mktID, func(p *market.Params) { p.Name = "" }, "name"},
		{"name too long", mktID, func(p *market.Params) { p.Name = strings.Repeat("n", 201) }, "name"},
		{"name control char", mktID, func(p *market.Params) { p.Name = "Ger\tmany" }, "name"},
		{"name invalid UTF-8", mktID, func(p *market.Params) { p.Name = "\xfe" }, "name"},
		{"no business model", mktID, func(p *market.Params) { p.BusinessModel = 0 }, "business_model"},
		{"unknown business model", mktID, func(p *market.Params) { p.BusinessModel = 9 }, "business_model"},
		{"no currency", mktID, func(p *market.Params) { p.Currency = balance.Currency{} }, "currency"},
		{"price list ref too long", mktID, func(p *market.Params) { p.PriceListRef = strings.Repeat("r", 256) }, "price_list_ref"},
		{"inventory ref control char", mktID, func(p *market.Params) { p.InventoryModelRef = "a\x7fb" }, "inventory_model_ref"},
		{"nil access group", mktID, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1), uuid.Nil} }, "access_groups"},
		{"too many access groups", mktID, func(p *market.Params) { p.AccessGroups = tooMany }, "access_groups"},
		{"metadata", mktID, func(p *market.Params) { p.Metadata = map[string]string{strings.Repeat("k", 41): "v"} }, "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params()
			tt.edit(&p)
			m, err := market.New(tt.id, p, t0)
			requireField(t, err, tt.field)
			assert.Equal(t, market.Market{}, m)
		})
	}
	requireField(t, market.Market{}.Validate(), "id")
}

func TestCodes(t *testing.T) {
	accepted := map[string]string{
		"de":                    "de",
		"DE":                    "de",
		" De-B2C_01 ":           "de-b2c_01",
		"a":                     "a",
		"-":                     "-",
		strings.Repeat("Z", 64): strings.Repeat("z", 64),
	}
	for in, want := range accepted {
		assert.Equal(t, want, market.NormalizeCode(in))
		assert.NoError(t, market.ValidateCode(market.NormalizeCode(in)), in)
	}
	for _, in := range []string{"", "DE", "de b2c", "ünï", "\u212a", "a\u0301", strings.Repeat("a", 65), "a+b", "a:b"} {
		requireField(t, market.ValidateCode(in), "code")
	}
	assert.Equal(t, "\u212a", market.NormalizeCode("\u212a"), "non-ASCII is never mapped onto ASCII")
}

func TestNormalizeAccessGroups(t *testing.T) {
	got, err := market.NormalizeAccessGroups(nil)
	require.NoError(t, err)
	assert.Nil(t, got)

	in := []uuid.UUID{
		uuid.MustParse("ff000000-0000-0000-0000-000000000000"),
		gid(2),
		uuid.MustParse("0f000000-0000-0000-0000-000000000000"),
		gid(2),
	}
	got, err = market.NormalizeAccessGroups(in)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{gid(2), uuid.MustParse("0f000000-0000-0000-0000-000000000000"), uuid.MustParse("ff000000-0000-0000-0000-000000000000")}, got)
	assert.Equal(t, uuid.MustParse("ff000000-0000-0000-0000-000000000000"), in[0], "input is not modified")

	_, err = market.NormalizeAccessGroups([]uuid.UUID{uuid.Nil})
	requireField(t, err, "access_groups")
}

func TestValidateAccessGroupsCanonical(t *testing.T) {
	m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1), gid(2)} })
	m.AccessGroups = []uuid.UUID{gid(2), gid(1)}
	requireField(t, m.Validate(), "access_groups")
	m.AccessGroups = []uuid.UUID{gid(1), gid(1)}
	requireField(t, m.Validate(), "access_groups")
	m.Code = "DE"
	m.AccessGroups = nil
	requireField(t, m.Validate(), "code")
}

func TestApply(t *testing.T) {
	later := t0.Add(time.Hour)
	t.Run("zero patch changes nothing", func(t *testing.T) {
		m := newMarket(t)
		before := m.Clone()
		require.NoError(t, m.Apply(market.Patch{}, later))
		require.NoError(t, m.Apply(market.Patch{Metadata: map[string]*string{}}, later))
		assert.Equal(t, before, m)
	})
	t.Run("nil fields are never nulled", func(t *testing.T) {
		m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1)}; p.InventoryModelRef = "inv" })
		before := m.Clone()
		require.NoError(t, m.Apply(market.Patch{Name: ptr(" Deutschland ")}, later))
		want := before.Clone()
		want.Name = "Deutschland"
		want.UpdatedAt = later
		assert.Equal(t, want, m)
	})
	t.Run("every field", func(t *testing.T) {
		m := newMarket(t)
		require.NoError(t, m.Apply(market.Patch{
			Name:              ptr("US wholesale"),
			BusinessModel:     ptr(market.BusinessModelB2B),
			Currency:          &usd,
			PriceListRef:      ptr(""),
			InventoryModelRef: ptr(" inv_us "),
			Disabled:          ptr(true),
			AccessGroups:      &[]uuid.UUID{gid(2), gid(1), gid(2)},
			Metadata:          map[string]*string{"region": nil, "tier": ptr("1")},
		}, later))
		assert.Equal(t, "de-b2c", m.Code, "code is immutable")
		assert.Equal(t, "US wholesale", m.Name)
		assert.Equal(t, market.BusinessModelB2B, m.BusinessModel)
		assert.Equal(t, "USD", m.Currency.Code())
		assert.Empty(t, m.PriceListRef)
		assert.Equal(t, "inv_us", m.InventoryModelRef)
		assert.True(t, m.Disabled)
		assert.Equal(t, []uuid.UUID{gid(1), gid(2)}, m.AccessGroups)
		assert.Equal(t, map[string]string{"tier": "1"}, m.Metadata)
		assert.True(t, m.UpdatedAt.Equal(later))
		assert.True(t, m.CreatedAt.Equal(t0))
	})
	t.Run("empty access groups make the market public", func(t *testing.T) {
		m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1)} })
		require.NoError(t, m.Apply(market.Patch{AccessGroups: &[]uuid.UUID{}}, later))
		assert.False(t, m.IsPrivate())
		assert.Nil(t, m.AccessGroups)
	})
	t.Run("enable again", func(t *testing.T) {
		m := newMarket(t, func(p *market.Params) { p.Disabled = true })
		require.NoError(t, m.Apply(market.Patch{Disabled: ptr(false)}, later))
		assert.False(t, m.Disabled)
	})
	t.Run("does not share slices with the patch or the previous value", func(t *testing.T) {
		m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1), gid(2)} })
		old := m.AccessGroups
		groups := []uuid.UUID{gid(3)}
		require.NoError(t, m.Apply(market.Patch{AccessGroups: &groups}, later))
		groups[0] = gid(4)
		assert.Equal(t, []uuid.UUID{gid(3)}, m.AccessGroups)
		assert.Equal(t, []uuid.UUID{gid(1), gid(2)}, old)
	})
	t.Run("invalid result leaves the market unchanged", func(t *testing.T) {
		m := newMarket(t)
		before := m.Clone()
		requireField(t, m.Apply(market.Patch{Name: ptr("x"), Currency: &balance.Currency{}}, later), "currency")
		requireField(t, m.Apply(market.Patch{Name: ptr(" ")}, later), "name")
		requireField(t, m.Apply(market.Patch{BusinessModel: ptr(market.BusinessModel(0))}, later), "business_model")
		requireField(t, m.Apply(market.Patch{Disabled: ptr(true), AccessGroups: &[]uuid.UUID{uuid.Nil}}, later), "access_groups")
		requireField(t, m.Apply(market.Patch{PriceListRef: ptr(strings.Repeat("r", 256))}, later), "price_list_ref")
		requireField(t, m.Apply(market.Patch{Metadata: map[string]*string{"": ptr("v")}}, later), "metadata")
		assert.Equal(t, before, m)
	})
}

func TestClone(t *testing.T) {
	m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1)} })
	c := m.Clone()
	c.AccessGroups[0] = gid(2)
	c.Metadata["region"] = "changed"
	assert.Equal(t, []uuid.UUID{gid(1)}, m.AccessGroups)
	assert.Equal(t, "dach", m.Metadata["region"])
}

func TestHasAccessGroup(t *testing.T) {
	m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(5), gid(1), gid(3)} })
	for _, n := range []int{1, 3, 5} {
		assert.True(t, m.HasAccessGroup(gid(n)))
	}
	for _, n := range []int{0, 2, 4, 6} {
		assert.False(t, m.HasAccessGroup(gid(n)))
	}
	assert.False(t, newMarket(t).HasAccessGroup(gid(1)))
}

func TestBusinessModel(t *testing.T) {
	for _, tt := range []struct {
		b market.BusinessModel
		s string
	}{{market.BusinessModelB2C, "b2c"}, {market.BusinessModelB2B, "b2b"}} {
		assert.Equal(t, tt.s, tt.b.String())
		assert.True(t, tt.b.Valid())
		got, err := market.ParseBusinessModel(tt.s)
		require.NoError(t, err)
		assert.Equal(t, tt.b, got)

		js, err := json.Marshal(struct{ M market.BusinessModel }{tt.b})
		require.NoError(t, err)
		assert.JSONEq(t, `{"M":"`+tt.s+`"}`, string(js))
		var back struct{ M market.BusinessModel }
		require.NoError(t, json.Unmarshal(js, &back))
		assert.Equal(t, tt.b, back.M)
	}
	var zero market.BusinessModel
	assert.False(t, zero.Valid())
	assert.Equal(t, "BusinessModel(0)", zero.String())
	_, err := zero.MarshalText()
	requireField(t, err, "business_model")
	for _, s := range []string{"B2C", " b2c ", "B2c\n"} {
		got, err := market.ParseBusinessModel(s)
		require.NoError(t, err, "trimmed and case-folded: %q", s)
		assert.Equal(t, market.BusinessModelB2C, got)
	}
	for _, s := range []string{"", "b2b2c", "0", "b 2c"} {
		_, err := market.ParseBusinessModel(s)
		requireField(t, err, "business_model")
		b := market.BusinessModelB2B
		requireField(t, b.UnmarshalText([]byte(s)), "business_model")
		assert.Equal(t, market.BusinessModelB2B, b, "unchanged on error")
	}
}
