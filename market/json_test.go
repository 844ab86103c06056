package market_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
)

func TestMarketJSON(t *testing.T) {
	m := newMarket(t, func(p *market.Params) {
		p.AccessGroups = []uuid.UUID{gid(2), gid(1)}
		p.InventoryModelRef = "inv_1"
		p.BusinessModel = market.BusinessModelB2B
	})
	m.Version = 4
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01",
		"merchant_id": "3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01",
		"code": "de-b2c",
		"name": "Germany",
		"business_model": "b2b",
		"currency": "EUR",
		"price_list_ref": "pl_123",
		"inventory_model_ref": "inv_1",
		"disabled": false,
		"access_groups": ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"],
		"require_verified": false,
		"metadata": {"region": "dach"},
		"created_at": "2024-05-01T12:00:00Z",
		"updated_at": "2024-05-01T12:00:00Z",
		"version": 4
	}`, string(b))
	var back market.Market
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, back)
	require.NoError(t, back.Validate())

	public := newMarket(t)
	public.CreatedAt = public.CreatedAt.In(time.FixedZone("CET", 3600))
	b, err = json.Marshal(public)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "access_groups")
	assert.Contains(t, string(b), `"created_at":"2024-05-01T12:00:00Z"`)
	back = market.Market{}
	require.NoError(t, json.Unmarshal(b, &back))
	public.CreatedAt = public.CreatedAt.UTC()
	assert.Equal(t, public, back)

	p := params()
	b, err = json.Marshal(p)
	require.NoError(t, err)
	var pBack market.Params
	require.NoError(t, json.Unmarshal(b, &pBack))
	assert.Equal(t, p, pBack)
	b, err = json.Marshal(market.Params{Code: "x"})
	require.NoError(t, err, "a Params without business model or currency still marshals")
	assert.JSONEq(t, `{"merchant_id":"00000000-0000-0000-0000-000000000000","code":"x","name":""}`, string(b))

	usdCur, disabled := usd, true
	patch := market.Patch{Currency: &usdCur, Disabled: &disabled, AccessGroups: &[]uuid.UUID{}}
	b, err = json.Marshal(patch)
	require.NoError(t, err)
	assert.JSONEq(t, `{"currency":"USD","disabled":true,"access_groups":[]}`, string(b))
	var patchBack market.Patch
	require.NoError(t, json.Unmarshal(b, &patchBack))
	assert.Equal(t, patch, patchBack)

	for _, tt := range []struct{ in, field string }{
		{`{"business_model":"d2c"}`, "business_model"},
		{`{"currency":"EURO"}`, "currency"},
		{`{"currency":""}`, "currency"},
	} {
		var m market.Market
		err := json.Unmarshal([]byte(tt.in), &m)
		var ve *market.ValidationError
		require.ErrorAs(t, err, &ve, tt.in)
		assert.Equal(t, tt.field, ve.Field)
	}
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"currency":"XXX"}`), &back), balance.ErrInvalid)
	for _, in := range []string{`{"access_groups":["nope"]}`, `{"disabled":"no"}`, `{"business_model":1}`} {
		assert.Error(t, json.Unmarshal([]byte(in), &back), in)
	}
}

// TestMarketTaxDisplay: the setting's JSON form, its default, its
// validation and its patch.
func TestMarketTaxDisplay(t *testing.T) {
	// The JSON of a market as every release has written it: the default
	// left out, the others by name.
	for td, want := range map[market.TaxDisplay]string{
		market.TaxDisplayByCustomer: `{"id":"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01","merchant_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","code":"de-b2c","name":"Germany","business_model":"b2c","currency":"EUR","price_list_ref":"pl_123","disabled":false,"require_verified":false,"metadata":{"region":"dach"},"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":0}`,
		market.TaxDisplayGross:      `{"id":"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01","merchant_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","code":"de-b2c","name":"Germany","business_model":"b2c","currency":"EUR","price_list_ref":"pl_123","tax_display":"gross","disabled":false,"require_verified":false,"metadata":{"region":"dach"},"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":0}`,
		market.TaxDisplayNet:        `{"id":"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01","merchant_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","code":"de-b2c","name":"Germany","business_model":"b2c","currency":"EUR","price_list_ref":"pl_123","tax_display":"net","disabled":false,"require_verified":false,"metadata":{"region":"dach"},"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":0}`,
	} {
		m := newMarket(t, func(p *market.Params) { p.TaxDisplay = td })
		b, err := json.Marshal(m)
		require.NoError(t, err)
		assert.Equal(t, want, string(b), "%s", td)
		var back market.Market
		require.NoError(t, json.Unmarshal([]byte(want), &back))
		assert.Equal(t, m, back, "%s", td)
	}

	m := newMarket(t)
	assert.Equal(t, market.TaxDisplayByCustomer, m.TaxDisplay, "unset in Params: the default")
	m = newMarket(t, func(p *market.Params) { p.TaxDisplay = market.TaxDisplayNet })
	assert.Equal(t, market.TaxDisplayNet, m.TaxDisplay)

	bad := market.TaxDisplay(99)
	require.ErrorIs(t, m.Apply(market.Patch{TaxDisplay: &bad}, m.UpdatedAt), market.ErrInvalid)
	assert.Equal(t, market.TaxDisplayNet, m.TaxDisplay, "unchanged on error")
	zero := market.TaxDisplay(0)
	requireField(t, m.Apply(market.Patch{TaxDisplay: &zero}, m.UpdatedAt), "tax_display")
	assert.Equal(t, market.TaxDisplayNet, m.TaxDisplay, "unchanged on error")
	gross := market.TaxDisplayGross
	require.NoError(t, m.Apply(market.Patch{TaxDisplay: &gross}, m.UpdatedAt))
	assert.Equal(t, market.TaxDisplayGross, m.TaxDisplay)
	byCustomer := market.TaxDisplayByCustomer
	require.NoError(t, m.Apply(market.Patch{TaxDisplay: &byCustomer}, m.UpdatedAt))
	assert.Equal(t, market.TaxDisplayByCustomer, m.TaxDisplay)

	_, err := market.New(m.ID, market.Params{MerchantID: m.MerchantID, Code: "x", Name: "X", BusinessModel: market.BusinessModelB2C,
		Currency: m.Currency, TaxDisplay: bad}, m.CreatedAt)
	requireField(t, err, "tax_display")

	// A market without a tax display (not made by New) is not valid and
	// does not marshal.
	noSetting := newMarket(t)
	noSetting.TaxDisplay = 0
	requireField(t, noSetting.Validate(), "tax_display")
	_, err = json.Marshal(noSetting)
	assert.ErrorIs(t, err, market.ErrInvalid)

	// JSON names the setting as ParseTaxDisplay reads it.
	var back market.Market
	require.NoError(t, json.Unmarshal([]byte(`{"tax_display":"by_customer"}`), &back))
	assert.Equal(t, market.TaxDisplayByCustomer, back.TaxDisplay)
	require.NoError(t, json.Unmarshal([]byte(`{"tax_display":" Net"}`), &back))
	assert.Equal(t, market.TaxDisplayNet, back.TaxDisplay)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"tax_display":"half"}`), &back), market.ErrInvalid)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"tax_display":""}`), &back), market.ErrInvalid)

	// Params and Patch: unset is left out; a setting is named.
	b, err := json.Marshal(market.Params{})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "tax_display")
	b, err = json.Marshal(market.Params{TaxDisplay: market.TaxDisplayByCustomer})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"tax_display":"by_customer"`)
	var patch market.Patch
	require.NoError(t, json.Unmarshal([]byte(`{"tax_display":"by_customer"}`), &patch))
	require.NotNil(t, patch.TaxDisplay)
	assert.Equal(t, market.TaxDisplayByCustomer, *patch.TaxDisplay)

	for _, c := range []struct {
		t        market.TaxDisplay
		business bool
		want     bool
	}{
		{market.TaxDisplayByCustomer, false, false}, {market.TaxDisplayByCustomer, true, true},
		{market.TaxDisplayGross, true, false}, {market.TaxDisplayNet, false, true},
		{0, false, false}, {0, true, true}, // an invalid setting decides by customer
	} {
		assert.Equal(t, c.want, c.t.ExcludesVAT(c.business), "%s business=%v", c.t, c.business)
	}
}
