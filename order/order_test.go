package order_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
)

var (
	t0       = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	customer = uuid.MustParse("0195a1b2-0000-7000-8000-00000000000c")
	market   = uuid.MustParse("0195a1b2-0000-7000-8000-00000000000d")
)

func total(t testing.TB, amount, code string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, code)
	require.NoError(t, err)
	return m
}

func params(t testing.TB) order.Params {
	return order.Params{
		ID:         "gid://shop/Order/1001",
		CustomerID: customer,
		Number:     "#1001",
		Total:      total(t, "49.90", "EUR"),
		MarketID:   market,
		Channel:    "web",
		PlacedAt:   t0.Add(-time.Minute),
	}
}

func TestNew(t *testing.T) {
	p := params(t)
	cet := time.FixedZone("CET", 3600)
	p.PlacedAt = p.PlacedAt.In(cet)
	o, err := order.New(p, t0.In(cet))
	require.NoError(t, err)
	assert.Equal(t, p.ID, o.ID)
	assert.Equal(t, customer, o.CustomerID)
	assert.Equal(t, "#1001", o.Number)
	assert.Equal(t, order.StatusPlaced, o.Status, "zero status defaults to placed")
	assert.True(t, o.Total.Equal(p.Total))
	assert.Equal(t, market, o.MarketID)
	assert.Equal(t, "web", o.Channel)
	assert.Equal(t, time.UTC, o.PlacedAt.Location())
	assert.True(t, o.PlacedAt.Equal(t0.Add(-time.Minute)))
	assert.Equal(t, t0, o.CreatedAt)
	assert.Equal(t, t0, o.UpdatedAt)
	require.NoError(t, o.Validate())
	assert.Equal(t, o, o.Clone())
}

func TestNewDefaults(t *testing.T) {
	o, err := order.New(order.Params{
		ID:         "1",
		CustomerID: customer,
		Status:     order.StatusFulfilled,
		Total:      balance.Zero(balance.MustCurrency("JPY")),
	}, t0)
	require.NoError(t, err)
	assert.Equal(t, order.StatusFulfilled, o.Status)
	assert.Equal(t, t0, o.PlacedAt, "zero PlacedAt defaults to now")
	assert.Equal(t, uuid.Nil, o.MarketID)
	assert.Equal(t, "", o.Number)
	assert.Equal(t, "", o.Channel)
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *order.Params)
		field string
	}{
		{"empty id", func(p *order.Params) { p.ID = "" }, "id"},
		{"blank id", func(p *order.Params) { p.ID = "   " }, "id"},
		{"long id", func(p *order.Params) { p.ID = strings.Repeat("x", order.MaxIDLength+1) }, "id"},
		{"control id", func(p *order.Params) { p.ID = "a\tb" }, "id"},
		{"nul id", func(p *order.Params) { p.ID = "a\x00" }, "id"},
		{"bad utf8 id", func(p *order.Params) { p.ID = "\xff" }, "id"},
		{"spaced id", func(p *order.Params) { p.ID = " 1001" }, "id"},
		{"nil customer", func(p *order.Params) { p.CustomerID = uuid.Nil }, "customer_id"},
		{"long number", func(p *order.Params) { p.Number = strings.Repeat("1", order.MaxNumberLength+1) }, "number"},
		{"control number", func(p *order.Params) { p.Number = "1\n2" }, "number"},
		{"invalid status", func(p *order.Params) { p.Status = 42 }, "status"},
		{"negative total", func(p *order.Params) { p.Total = balance.FromMinorUnits(-1, balance.MustCurrency("EUR")) }, "total"},
		{"total without currency", func(p *order.Params) { p.Total = balance.Money{} }, "total"},
		{"long channel", func(p *order.Params) { p.Channel = strings.Repeat("c", order.MaxChannelLength+1) }, "channel"},
		{"control channel", func(p *order.Params) { p.Channel = "w\reb" }, "channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params(t)
			tt.edit(&p)
			o, err := order.New(p, t0)
			require.Error(t, err)
			assert.Equal(t, order.Order{}, o)
			assert.ErrorIs(t, err, order.ErrInvalid)
			var ve *order.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestNewLimits(t *testing.T) {
	p := params(t)
	p.ID = strings.Repeat("x", order.MaxIDLength)
	p.Number = strings.Repeat("1", order.MaxNumberLength)
	p.Channel = strings.Repeat("c", order.MaxChannelLength)
	_, err := order.New(p, t0)
	require.NoError(t, err)
}

func TestValidateTimes(t *testing.T) {
	o, err := order.New(params(t), t0)
	require.NoError(t, err)
	for name, edit := range map[string]func(o *order.Order){
		"placed_at":  func(o *order.Order) { o.PlacedAt = time.Time{} },
		"created_at": func(o *order.Order) { o.CreatedAt = o.CreatedAt.Local() },
		"updated_at": func(o *order.Order) { o.UpdatedAt = o.UpdatedAt.In(time.FixedZone("X", 0)) },
	} {
		t.Run(name, func(t *testing.T) {
			q := o
			edit(&q)
			if name == "created_at" && q.CreatedAt.Location() == time.UTC {
				t.Skip("local time zone is UTC")
			}
			err := q.Validate()
			assert.ErrorIs(t, err, order.ErrInvalid)
			var ve *order.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, name, ve.Field)
		})
	}
}

func TestSameAs(t *testing.T) {
	o, err := order.New(params(t), t0)
	require.NoError(t, err)

	replay := params(t)
	replay.Status = order.StatusFulfilled
	replay.Channel = "pos"
	replay.MarketID = uuid.Nil
	replay.Total = total(t, "49.9", "eur")
	r, err := order.New(replay, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, o.SameAs(r), "status, channel, market and times are not compared")
	assert.True(t, r.SameAs(o))

	for name, edit := range map[string]func(p *order.Params){
		"id":       func(p *order.Params) { p.ID = "gid://shop/Order/1002" },
		"customer": func(p *order.Params) { p.CustomerID = uuid.MustParse("0195a1b2-0000-7000-8000-0000000000ff") },
		"number":   func(p *order.Params) { p.Number = "#1002" },
		"total":    func(p *order.Params) { p.Total = total(t, "49.91", "EUR") },
		"currency": func(p *order.Params) { p.Total = total(t, "49.90", "USD") },
	} {
		t.Run(name, func(t *testing.T) {
			p := params(t)
			edit(&p)
			q, err := order.New(p, t0)
			require.NoError(t, err)
			assert.False(t, o.SameAs(q))
		})
	}
}

func TestSetStatus(t *testing.T) {
	o, err := order.New(params(t), t0)
	require.NoError(t, err)

	later := t0.Add(time.Hour)
	require.NoError(t, o.SetStatus(order.StatusPlaced, later))
	assert.Equal(t, t0, o.UpdatedAt, "same status is a no-op")

	require.NoError(t, o.SetStatus(order.StatusFulfilled, later))
	assert.Equal(t, order.StatusFulfilled, o.Status)
	assert.Equal(t, later, o.UpdatedAt)

	before := o
	err = o.SetStatus(order.StatusCancelled, later.Add(time.Hour))
	assert.ErrorIs(t, err, order.ErrInvalidTransition)
	var te *order.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, order.TransitionError{From: order.StatusFulfilled, To: order.StatusCancelled}, *te)
	assert.EqualError(t, err, "order: invalid status transition from fulfilled to cancelled")
	assert.Equal(t, before, o)

	err = o.SetStatus(0, later)
	assert.ErrorIs(t, err, order.ErrInvalid)
	assert.Equal(t, before, o)

	require.NoError(t, o.SetStatus(order.StatusReturned, later.Add(time.Hour)))
	assert.ErrorIs(t, o.SetStatus(order.StatusCompleted, later), order.ErrInvalidTransition)
	require.NoError(t, o.SetStatus(order.StatusReturned, later.Add(2*time.Hour)))
	assert.Equal(t, later.Add(time.Hour), o.UpdatedAt)
}

func TestReassign(t *testing.T) {
	o, err := order.New(params(t), t0)
	require.NoError(t, err)
	registered := uuid.MustParse("0195a1b2-0000-7000-8000-0000000000aa")

	require.NoError(t, o.Reassign(customer, t0.Add(time.Hour)))
	assert.Equal(t, t0, o.UpdatedAt)

	before := o
	assert.ErrorIs(t, o.Reassign(uuid.Nil, t0), order.ErrInvalid)
	assert.Equal(t, before, o)

	require.NoError(t, o.Reassign(registered, t0.Add(time.Hour)))
	assert.Equal(t, registered, o.CustomerID)
	assert.Equal(t, t0.Add(time.Hour), o.UpdatedAt)
	require.NoError(t, o.Validate())
}

func TestStatus(t *testing.T) {
	names := map[order.Status]string{
		order.StatusPlaced:    "placed",
		order.StatusApproved:  "approved",
		order.StatusFulfilled: "fulfilled",
		order.StatusCompleted: "completed",
		order.StatusCancelled: "cancelled",
		order.StatusReturned:  "returned",
	}
	require.Len(t, order.Statuses(), len(names))
	for _, s := range order.Statuses() {
		assert.True(t, s.Valid())
		assert.Equal(t, names[s], s.String())
		parsed, err := order.ParseStatus(names[s])
		require.NoError(t, err)
		assert.Equal(t, s, parsed)
		b, err := s.MarshalText()
		require.NoError(t, err)
		var u order.Status
		require.NoError(t, u.UnmarshalText(b))
		assert.Equal(t, s, u)
	}
	var zero order.Status
	assert.False(t, zero.Valid())
	assert.Equal(t, "Status(0)", zero.String())
	_, err := zero.MarshalText()
	assert.ErrorIs(t, err, order.ErrInvalid)
	for _, messy := range []string{"Placed", " placed ", "PLACED\t"} {
		parsed, err := order.ParseStatus(messy)
		require.NoError(t, err, messy)
		assert.Equal(t, order.StatusPlaced, parsed, messy)
	}
	for _, bad := range []string{"", "canceled", "open", "0", "pla ced"} {
		_, err := order.ParseStatus(bad)
		assert.ErrorIs(t, err, order.ErrInvalid, bad)
	}

	var v struct {
		Status order.Status `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"status":"cancelled"}`), &v))
	assert.Equal(t, order.StatusCancelled, v.Status)
	assert.True(t, v.Status.IsFinal())
	assert.True(t, order.StatusReturned.IsFinal())
	assert.False(t, order.StatusCompleted.IsFinal())
}

func TestCanTransition(t *testing.T) {
	// Staying in the same status is not a transition (SetStatus treats it
	// as a no-op before it asks).
	allowed := map[order.Status][]order.Status{
		order.StatusPlaced:    {order.StatusApproved, order.StatusFulfilled, order.StatusCompleted, order.StatusCancelled},
		order.StatusApproved:  {order.StatusFulfilled, order.StatusCompleted, order.StatusCancelled},
		order.StatusFulfilled: {order.StatusCompleted, order.StatusReturned},
		order.StatusCompleted: {order.StatusReturned},
	}
	all := append(order.Statuses(), 0, 99)
	for _, from := range all {
		for _, to := range all {
			want := false
			for _, s := range allowed[from] {
				want = want || s == to
			}
			assert.Equal(t, want, from.CanTransition(to), "%s -> %s", from, to)
			assert.Equal(t, want, order.CanTransition(from, to), "%s -> %s", from, to)
			if from.Valid() {
				assert.Equal(t, want, slices.Contains(from.Transitions(), to), "%s -> %s", from, to)
			}
		}
	}
}
