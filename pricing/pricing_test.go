package pricing_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/pricing"
)

func TestTaxDisplayFor(t *testing.T) {
	private := &customer.Customer{Type: customer.TypePrivate}
	business := &customer.Customer{Type: customer.TypeBusiness}
	assert.Equal(t, pricing.IncludingVAT, pricing.TaxDisplayFor(market.TaxDisplayByCustomer, nil), "a guest")
	assert.Equal(t, pricing.IncludingVAT, pricing.TaxDisplayFor(market.TaxDisplayByCustomer, private))
	assert.Equal(t, pricing.ExcludingVAT, pricing.TaxDisplayFor(market.TaxDisplayByCustomer, business))
	assert.Equal(t, pricing.IncludingVAT, pricing.TaxDisplayFor(market.TaxDisplayGross, business))
	assert.Equal(t, pricing.ExcludingVAT, pricing.TaxDisplayFor(market.TaxDisplayNet, nil))
}

func TestAccessOf(t *testing.T) {
	assert.Equal(t, pricing.Access{Allowed: true}, pricing.AccessOf(nil))
	for err, r := range map[error]pricing.Reason{
		market.ErrNoMarket: pricing.ReasonNoMarket, market.ErrDisabled: pricing.ReasonDisabled,
		market.ErrPrivate: pricing.ReasonPrivate, market.ErrNotMember: pricing.ReasonNotMember,
		market.ErrNotVerified: pricing.ReasonNotVerified, market.ErrAccessDenied: pricing.ReasonDenied,
	} {
		a := pricing.AccessOf(err)
		assert.False(t, a.Allowed)
		assert.Equal(t, r, a.Reason, "%v", err)
		assert.Equal(t, err.Error(), a.Message)
		assert.True(t, errors.Is(a.Err, err))
	}
}

// TestAccessJSON: an allowed access has no reason and leaves it out; a
// denial names its reason, and both read back.
func TestAccessJSON(t *testing.T) {
	allowed := pricing.AccessOf(nil)
	assert.Zero(t, allowed.Reason)
	assert.False(t, allowed.Reason.Valid())
	b, err := json.Marshal(allowed)
	require.NoError(t, err)
	assert.Equal(t, `{"allowed":true}`, string(b))
	var back pricing.Access
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, allowed, back)

	for _, r := range pricing.Reasons() {
		a := pricing.Access{Reason: r, Message: "m"}
		b, err := json.Marshal(a)
		require.NoError(t, err)
		assert.Equal(t, `{"allowed":false,"reason":"`+r.String()+`","message":"m"}`, string(b))
		var back pricing.Access
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, a, back)
	}
	assert.Equal(t, []string{"no_market", "disabled", "private", "not_member", "not_verified", "denied"},
		func() (out []string) {
			for _, r := range pricing.Reasons() {
				out = append(out, r.String())
			}
			return out
		}(), "the reasons' names are those of the JSON form")
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"allowed":false,"reason":"because"}`), &back), pricing.ErrInvalid)
}

func TestRefs(t *testing.T) {
	r := pricing.Refs{PriceList: " pl ", Promotion: "pro\u0301mo"}.Normalize()
	assert.Equal(t, "pl", r.PriceList)
	assert.Equal(t, "pr\u00f3mo", r.Promotion, "NFC")
	require.NoError(t, r.Validate())
	assert.True(t, pricing.Refs{}.IsZero())
	var v *pricing.ValidationError
	err := pricing.Refs{ContentAudience: strings.Repeat("a", pricing.MaxRefLength+1)}.Validate()
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "content_audience_ref", v.Field)
	assert.ErrorIs(t, pricing.Refs{Promotion: "a\nb"}.Validate(), pricing.ErrInvalid)
}

// TestContextJSON pins the documented JSON form.
func TestContextJSON(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	m := market.Market{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), MerchantID: uuid.MustParse("00000000-0000-0000-0000-00000000000b"),
		Code: "de-b2b", Currency: balance.MustCurrency("EUR"), PriceListRef: "pl-de", InventoryModelRef: "wh-de"}
	c := &customer.Customer{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000c"), Type: customer.TypeBusiness, Company: "Acme GmbH", VATID: "DE123456789"}
	groups := []pricing.Group{{ID: uuid.MustParse("00000000-0000-0000-0000-000000000001"), Name: "VIP",
		ValidUntil: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Refs: pricing.Refs{PriceList: "pl-vip"}}}
	segments := []pricing.Segment{{ID: uuid.MustParse("00000000-0000-0000-0000-000000000002"), Name: "Big spenders", Refs: pricing.Refs{Promotion: "promo-7"}}}
	ctx := pricing.Build(at.In(time.FixedZone("CET", 3600)), m, "Shop", c, groups, segments, nil)
	b, err := json.Marshal(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"at":"2026-06-01T12:00:00Z","customer_id":"00000000-0000-0000-0000-00000000000c","guest":false,
		"customer_type":"business","company":"Acme GmbH","vat_id":"DE123456789",
		"tax_display":"excluding_vat","market_id":"00000000-0000-0000-0000-00000000000a","market_code":"de-b2b",
		"currency":"EUR","price_list_ref":"pl-de","inventory_model_ref":"wh-de",
		"merchant_id":"00000000-0000-0000-0000-00000000000b","merchant_name":"Shop",
		"groups":[{"id":"00000000-0000-0000-0000-000000000001","name":"VIP","valid_until":"2026-09-01T00:00:00Z",
		           "refs":{"price_list_ref":"pl-vip"}}],
		"segments":[{"id":"00000000-0000-0000-0000-000000000002","name":"Big spenders","refs":{"promotion_ref":"promo-7"}}],
		"access":{"allowed":true}}`, string(b))
	assert.Equal(t, []string{"pl-vip", "pl-de"}, ctx.PriceListRefs())
	var back pricing.Context
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, ctx, back)

	guest := pricing.Build(at, market.Market{ID: m.ID, Disabled: true}, "", nil, nil, nil, market.ErrDisabled)
	b, err = json.Marshal(guest)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"guest":true`)
	assert.NotContains(t, string(b), "customer_id")
	assert.Contains(t, string(b), `"access":{"allowed":false,"reason":"disabled","message":"market: access denied: market is disabled"}`)
}
