package merchant_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
)

func TestMerchantJSON(t *testing.T) {
	m := newMerchant(t)
	m.Version = 1
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","name":"ACME GmbH",
		"billing_address":{"company":"ACME GmbH","line1":"Unter den Linden 1","city":"Berlin","postal_code":"10117","country":"DE","phone":"+4930123456"},
		"metadata":{"erp_id":"42"},"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":1}`, string(b))
	var back merchant.Merchant
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, back)
	require.NoError(t, back.Validate())

	m.UpdatedAt = m.UpdatedAt.In(time.FixedZone("CET", 3600))
	b, err = json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"updated_at":"2024-05-01T12:00:00Z"`)

	var p merchant.Params
	require.NoError(t, json.Unmarshal([]byte(`{"name":"X","billing_address":{"line1":"a","city":"b","country":"FR"}}`), &p))
	assert.Equal(t, merchant.Params{Name: "X", BillingAddress: address.Address{Line1: "a", City: "b", Country: "FR"}}, p)
	pp := params()
	b, err = json.Marshal(pp)
	require.NoError(t, err)
	var ppBack merchant.Params
	require.NoError(t, json.Unmarshal(b, &ppBack))
	assert.Equal(t, pp, ppBack)

	city := "Hamburg"
	patch := merchant.Patch{BillingAddress: &address.Patch{City: &city}}
	b, err = json.Marshal(patch)
	require.NoError(t, err)
	assert.JSONEq(t, `{"billing_address":{"city":"Hamburg"}}`, string(b))
	var patchBack merchant.Patch
	require.NoError(t, json.Unmarshal(b, &patchBack))
	assert.Equal(t, patch, patchBack)

	// A validation error names the field as JSON does.
	bad := newMerchant(t)
	bad.BillingAddress.Country = "XX"
	requireField(t, bad.Validate(), "billing_address.country")

	for _, in := range []string{`{"billing_address":"Berlin"}`, `{"id":"nope"}`, `{"created_at":"x"}`} {
		assert.Error(t, json.Unmarshal([]byte(in), &back), in)
	}
}
