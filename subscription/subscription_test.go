package subscription_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/subscription"
)

var (
	t0   = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cust = uuid.MustParse("00000000-0000-4000-8000-0000000000c1")
	src  = uuid.MustParse("00000000-0000-4000-8000-0000000000a1")
)

func params() subscription.Params {
	next := t0.AddDate(0, 1, 0)
	return subscription.Params{ID: "sub_1", CustomerID: cust, Plan: "gold", NextChargeAt: &next, PaymentSourceID: &src}
}

func TestNew(t *testing.T) {
	s, err := subscription.New(params(), t0)
	require.NoError(t, err)
	assert.Equal(t, subscription.Active, s.Status)
	assert.True(t, s.Charges(src))
	assert.True(t, s.SameAs(params()))

	tests := []struct {
		name  string
		edit  func(p *subscription.Params)
		field string
	}{
		{"no id", func(p *subscription.Params) { p.ID = "" }, "id"},
		{"spaced id", func(p *subscription.Params) { p.ID = " x" }, "id"},
		{"long id", func(p *subscription.Params) { p.ID = strings.Repeat("x", subscription.MaxIDLength+1) }, "id"},
		{"bad utf8", func(p *subscription.Params) { p.ID = "\xff" }, "id"},
		{"no customer", func(p *subscription.Params) { p.CustomerID = uuid.Nil }, "customer_id"},
		{"no plan", func(p *subscription.Params) { p.Plan = "" }, "plan"},
		{"bad status", func(p *subscription.Params) { p.Status = 9 }, "status"},
		{"nil source", func(p *subscription.Params) { p.PaymentSourceID = &uuid.UUID{} }, "payment_source_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params()
			tt.edit(&p)
			_, err := subscription.New(p, t0)
			var ve *subscription.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, subscription.ErrInvalid)
		})
	}
}

func TestTransitions(t *testing.T) {
	ok := map[[2]subscription.Status]bool{
		{subscription.Active, subscription.Paused}: true, {subscription.Active, subscription.PastDue}: true,
		{subscription.Active, subscription.Cancelled}: true, {subscription.Paused, subscription.Active}: true,
		{subscription.Paused, subscription.Cancelled}: true, {subscription.PastDue, subscription.Active}: true,
		{subscription.PastDue, subscription.Paused}: true, {subscription.PastDue, subscription.Cancelled}: true,
	}
	for _, from := range subscription.Statuses() {
		for _, to := range subscription.Statuses() {
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				s, err := subscription.New(params(), t0)
				require.NoError(t, err)
				s.Status = from
				err = s.SetStatus(to, t0.Add(time.Hour))
				switch {
				case from == to:
					require.NoError(t, err)
					assert.Equal(t, t0, s.UpdatedAt, "no change")
				case ok[[2]subscription.Status{from, to}]:
					require.NoError(t, err)
					assert.Equal(t, to, s.Status)
				default:
					var te *subscription.TransitionError
					require.ErrorAs(t, err, &te)
					assert.ErrorIs(t, err, subscription.ErrInvalidTransition)
					assert.Equal(t, from, s.Status)
				}
			})
		}
	}
}

func TestPaymentSource(t *testing.T) {
	s, err := subscription.New(params(), t0)
	require.NoError(t, err)
	other := uuid.New()
	require.NoError(t, s.SetPaymentSource(&other, t0.Add(time.Hour)))
	assert.False(t, s.Charges(src))
	require.NoError(t, s.SetStatus(subscription.Cancelled, t0))
	assert.False(t, s.Charges(other), "a cancelled subscription charges nothing")
	require.ErrorIs(t, s.SetPaymentSource(&src, t0), subscription.ErrInvalidTransition)
	require.NoError(t, s.SetPaymentSource(&other, t0), "the same source again is no change")
}

func TestSameAs(t *testing.T) {
	s, err := subscription.New(params(), t0)
	require.NoError(t, err)
	p := params()
	p.Plan = "silver"
	assert.False(t, s.SameAs(p))
	p = params()
	p.PaymentSourceID = nil
	assert.False(t, s.SameAs(p))
	p = params()
	p.CustomerID = uuid.New()
	assert.False(t, s.SameAs(p))
	p = params()
	p.Status = subscription.Active
	assert.True(t, s.SameAs(p))
}

func TestJSON(t *testing.T) {
	s, err := subscription.New(params(), t0)
	require.NoError(t, err)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	for _, n := range []string{`"id"`, `"customer_id"`, `"plan"`, `"status":"active"`, `"next_charge_at"`, `"payment_source_id"`, `"version"`} {
		assert.Contains(t, string(b), n)
	}
	var back subscription.Subscription
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s, back)
	var st subscription.Status
	require.NoError(t, json.Unmarshal([]byte(`" Past_Due"`), &st))
	assert.Equal(t, subscription.PastDue, st)
}
