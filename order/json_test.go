package order_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
)

func TestOrderJSON(t *testing.T) {
	o, err := order.New(params(t), t0)
	require.NoError(t, err)
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "gid://shop/Order/1001",
		"customer_id": "0195a1b2-0000-7000-8000-00000000000c",
		"number": "#1001",
		"status": "placed",
		"total": {"amount": "49.90", "currency": "EUR"},
		"market_id": "0195a1b2-0000-7000-8000-00000000000d",
		"channel": "web",
		"placed_at": "2025-03-01T11:59:00Z",
		"created_at": "2025-03-01T12:00:00Z",
		"updated_at": "2025-03-01T12:00:00Z"
	}`, string(b))
	var back order.Order
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, o, back)
	require.NoError(t, back.Validate())

	// Without a market, number or channel; times in UTC both ways.
	bare, err := order.New(order.Params{ID: "A-1", CustomerID: customer, Total: total(t, "0", "JPY")}, t0)
	require.NoError(t, err)
	bare.PlacedAt = bare.PlacedAt.In(time.FixedZone("JST", 9*3600))
	b, err = json.Marshal(bare)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"A-1","customer_id":"0195a1b2-0000-7000-8000-00000000000c","status":"placed",
		"total":{"amount":"0","currency":"JPY"},"placed_at":"2025-03-01T12:00:00Z",
		"created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:00Z"}`, string(b))
	back = order.Order{}
	require.NoError(t, json.Unmarshal([]byte(`{"id":"A-1","customer_id":"0195a1b2-0000-7000-8000-00000000000c","status":"placed",
		"total":{"amount":"0","currency":"JPY"},"placed_at":"2025-03-01T21:00:00+09:00",
		"created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:00Z"}`), &back))
	assert.Equal(t, uuid.Nil, back.MarketID)
	assert.Equal(t, time.UTC, back.PlacedAt.Location())
	require.NoError(t, back.Validate(), "a decoded order is in UTC, as Validate requires")

	p := params(t)
	b, err = json.Marshal(p)
	require.NoError(t, err)
	var pBack order.Params
	require.NoError(t, json.Unmarshal(b, &pBack))
	assert.Equal(t, p, pBack)
	b, err = json.Marshal(order.Params{ID: "x", CustomerID: customer, Total: total(t, "1", "EUR")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"x","customer_id":"0195a1b2-0000-7000-8000-00000000000c","total":{"amount":"1.00","currency":"EUR"}}`,
		string(b), "zero status, market and placed time are left out")

	for _, tt := range []struct{ in, field string }{
		{`{"status":"shipped"}`, "status"},
		{`{"total":{"amount":"1.999","currency":"EUR"}}`, "amount"},
		{`{"total":{"amount":"1","currency":"ZZZ"}}`, "currency"},
		{`{"total":{"amount":1,"currency":"EUR"}}`, "amount"},
	} {
		var o order.Order
		err := json.Unmarshal([]byte(tt.in), &o)
		var ve *order.ValidationError
		require.ErrorAs(t, err, &ve, tt.in)
		assert.Equal(t, tt.field, ve.Field, tt.in)
	}
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"total":{"amount":"1","currency":"ZZZ"}}`), &back), balance.ErrInvalid)
	for _, in := range []string{`{"customer_id":"x"}`, `{"placed_at":"2025"}`, `{"id":7}`} {
		assert.Error(t, json.Unmarshal([]byte(in), &back), in)
	}
}
