package order_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/order"
)

func placed(t *testing.T) order.Order {
	t.Helper()
	o, err := order.New(params(t), t0)
	require.NoError(t, err)
	return o
}

func TestNewDetailsFitTheOrder(t *testing.T) {
	o := placed(t)
	tests := []struct {
		name  string
		build func() error
		field string
	}{
		{"return above the total", func() error {
			_, err := order.NewReturn(order.ReturnParams{ID: "R", OrderID: o.ID, Amount: total(t, "49.91", "EUR")}, o, t0)
			return err
		}, "amount"},
		{"return in another currency", func() error {
			_, err := order.NewReturn(order.ReturnParams{ID: "R", OrderID: o.ID, Amount: total(t, "1", "USD")}, o, t0)
			return err
		}, "amount"},
		{"return of another order", func() error {
			_, err := order.NewReturn(order.ReturnParams{ID: "R", OrderID: "other", Amount: total(t, "1", "EUR")}, o, t0)
			return err
		}, "order_id"},
		{"exchange without a type", func() error {
			_, err := order.NewExchange(order.ExchangeParams{ID: "X", OrderID: o.ID, Amount: total(t, "1", "EUR")}, o, t0)
			return err
		}, "type"},
		{"refund of zero", func() error {
			_, err := order.NewRefund(order.RefundParams{ID: "F", OrderID: o.ID, Amount: total(t, "0", "EUR"), Destination: order.DestinationOther}, o, t0)
			return err
		}, "amount"},
		{"refund without a destination", func() error {
			_, err := order.NewRefund(order.RefundParams{ID: "F", OrderID: o.ID, Amount: total(t, "1", "EUR")}, o, t0)
			return err
		}, "destination"},
		{"refund ID with spaces", func() error {
			_, err := order.NewRefund(order.RefundParams{ID: " F", OrderID: o.ID, Amount: total(t, "1", "EUR"), Destination: order.DestinationOther}, o, t0)
			return err
		}, "id"},
		{"reason on two lines", func() error {
			_, err := order.NewRefund(order.RefundParams{ID: "F", OrderID: o.ID, Amount: total(t, "1", "EUR"), Destination: order.DestinationOther, Reason: "a\nb"}, o, t0)
			return err
		}, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			var ve *order.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, order.ErrInvalid)
		})
	}
	r, err := order.NewRefund(order.RefundParams{ID: "F", OrderID: o.ID, Amount: o.Total, Destination: order.DestinationStoreCredit}, o, t0)
	require.NoError(t, err, "the whole total may be refunded")
	assert.Equal(t, order.RefundSucceeded, r.Status, "recorded as succeeded by default")
	r.PostingID = uuid.New()
	require.NoError(t, r.Validate())
	r.Destination = order.DestinationOther
	require.Error(t, r.Validate(), "a posting only for store credit")
}

func TestStatsArithmetic(t *testing.T) {
	eur := total(t, "0", "EUR").Currency()
	s := order.NewStats(customer, eur)
	assert.True(t, s.AverageOrderValue().IsZero(), "no orders, no average")
	for i, amount := range []string{"10.00", "10.00", "10.01"} {
		require.NoError(t, s.AddOrder(total(t, amount, "EUR"), t0.Add(time.Duration(i)*time.Hour)))
	}
	assert.True(t, s.AverageOrderValue().Equal(total(t, "10.00", "EUR")), "30.01 / 3 = 10.0033 rounds to 10.00: %s", s.AverageOrderValue())
	require.NoError(t, s.AddOrder(total(t, "0.01", "EUR"), t0.Add(-time.Hour)))
	assert.True(t, s.AverageOrderValue().Equal(total(t, "7.51", "EUR")), "30.02 / 4 = 7.505 rounds half away from zero: %s", s.AverageOrderValue())
	assert.Equal(t, t0.Add(-time.Hour), s.FirstOrderAt)
	assert.Equal(t, t0.Add(2*time.Hour), s.LastOrderAt)
	require.NoError(t, s.AddRefund(total(t, "5.00", "EUR")))
	assert.True(t, s.Net().Equal(total(t, "25.02", "EUR")))

	stale, err := s.RemoveOrder(total(t, "10.00", "EUR"), t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, stale, "neither the first nor the last order")
	stale, err = s.RemoveOrder(total(t, "0.01", "EUR"), t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.True(t, stale, "the first order left: the caller sets the span again")
	require.NoError(t, s.Validate())
	assert.Error(t, s.AddRefund(total(t, "1", "USD")), "another currency")
}

func TestDetailsJSON(t *testing.T) {
	o := placed(t)
	r, err := order.NewRefund(order.RefundParams{ID: "F-1", OrderID: o.ID, Amount: total(t, "10.00", "EUR"),
		Destination: order.DestinationStoreCredit, ReturnID: "R-1", Reason: "damaged"}, o, t0)
	require.NoError(t, err)
	r.PostingID = uuid.MustParse("0195a1b2-0000-7000-8000-0000000000ff")
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"F-1","order_id":"gid://shop/Order/1001","status":"succeeded",
		"amount":{"amount":"10.00","currency":"EUR"},"destination":"store_credit","reason":"damaged",
		"return_id":"R-1","posting_id":"0195a1b2-0000-7000-8000-0000000000ff",
		"refunded_at":"2025-03-01T12:00:00Z","created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:00Z"}`, string(b))
	var back order.Refund
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r, back)

	x, err := order.NewExchange(order.ExchangeParams{ID: "X-1", OrderID: o.ID, Type: order.TypeReplacement, Amount: total(t, "1.00", "EUR")}, o, t0)
	require.NoError(t, err)
	b, err = json.Marshal(x)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"X-1","order_id":"gid://shop/Order/1001","type":"replacement","status":"requested",
		"amount":{"amount":"1.00","currency":"EUR"},"requested_at":"2025-03-01T12:00:00Z",
		"created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:00Z"}`, string(b))
	var xBack order.Exchange
	require.NoError(t, json.Unmarshal(b, &xBack))
	assert.Equal(t, x, xBack)

	// The params' JSON names are the validation errors' fields.
	var p order.RefundParams
	require.NoError(t, json.Unmarshal([]byte(`{"id":"F-2","order_id":"gid://shop/Order/1001",
		"amount":{"amount":"1.00","currency":"EUR"},"destination":"original_payment"}`), &p))
	_, err = order.NewRefund(p, o, t0)
	require.NoError(t, err)
	var ve *order.ValidationError
	require.ErrorAs(t, json.Unmarshal([]byte(`{"destination":"cash"}`), &p), &ve)
	assert.Equal(t, "destination", ve.Field)
	require.ErrorAs(t, json.Unmarshal([]byte(`{"status":"done"}`), &order.ReturnParams{}), &ve)
	assert.Equal(t, "status", ve.Field)

	s := order.NewStats(customer, total(t, "0", "EUR").Currency())
	require.NoError(t, s.AddOrder(total(t, "10.00", "EUR"), t0))
	require.NoError(t, s.AddOrder(total(t, "5.01", "EUR"), t0.Add(time.Hour)))
	require.NoError(t, s.AddRefund(total(t, "1.00", "EUR")))
	b, err = json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"0195a1b2-0000-7000-8000-00000000000c","currency":"EUR","order_count":2,
		"spent":{"amount":"15.01","currency":"EUR"},"refunded":{"amount":"1.00","currency":"EUR"},
		"first_order_at":"2025-03-01T12:00:00Z","last_order_at":"2025-03-01T13:00:00Z",
		"net":{"amount":"14.01","currency":"EUR"},"average_order_value":{"amount":"7.51","currency":"EUR"}}`, string(b))
	var sBack order.Stats
	require.NoError(t, json.Unmarshal(b, &sBack))
	assert.Equal(t, s, sBack)
}
