package balance_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

func TestMoneyJSON(t *testing.T) {
	for _, tt := range []struct {
		m    balance.Money
		want string
	}{
		{money(t, "12.34", "EUR"), `{"amount":"12.34","currency":"EUR"}`},
		{money(t, "1.5", "USD"), `{"amount":"1.50","currency":"USD"}`},
		{money(t, "-5", "JPY"), `{"amount":"-5","currency":"JPY"}`},
		{money(t, "0.5", "BHD"), `{"amount":"0.500","currency":"BHD"}`},
		{money(t, "1", "CLF"), `{"amount":"1.0000","currency":"CLF"}`},
		{balance.Zero(eur), `{"amount":"0.00","currency":"EUR"}`},
		{balance.FromMinorUnits(math.MaxInt64, jpy), `{"amount":"9223372036854775807","currency":"JPY"}`},
		{balance.FromMinorUnits(-math.MaxInt64, usd), `{"amount":"-92233720368547758.07","currency":"USD"}`},
		{balance.Money{}, `null`},
	} {
		b, err := json.Marshal(tt.m)
		require.NoError(t, err, tt.m)
		assert.Equal(t, tt.want, string(b))

		back := balance.Zero(usd)
		if tt.m.Currency().IsZero() {
			back = balance.Money{}
		}
		require.NoError(t, json.Unmarshal(b, &back))
		assert.True(t, tt.m.Equal(back), "%s round-trips, got %s", tt.m, back)
	}
}

func TestMoneyJSONRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	currencies := []balance.Currency{usd, eur, jpy, bhd, clf}
	for range 2000 {
		units := rng.Int64() >> rng.IntN(63)
		if rng.IntN(2) == 0 {
			units = -units
		}
		m := balance.FromMinorUnits(units, currencies[rng.IntN(len(currencies))])
		b, err := json.Marshal(m)
		require.NoError(t, err)
		var back balance.Money
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		require.True(t, m.Equal(back), "%s != %s", m, back)
	}
}

func TestMoneyJSONAcceptsWhatParseMoneyAccepts(t *testing.T) {
	for in, want := range map[string]balance.Money{
		`{"amount":"12.3","currency":"EUR"}`:     money(t, "12.30", "EUR"),
		`{"amount":"12.300","currency":"eur"}`:   money(t, "12.30", "EUR"),
		`{"currency":"JPY","amount":"+7"}`:       money(t, "7", "JPY"),
		`{"amount":"-0.001","currency":" BHD "}`: money(t, "-0.001", "BHD"),
	} {
		var got balance.Money
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.True(t, want.Equal(got), "%s: %s", in, got)
	}
}

func TestMoneyJSONRejects(t *testing.T) {
	for _, tt := range []struct {
		in, field string
	}{
		{`{"amount":"12.34","currency":"XYZ"}`, "currency"},              // unknown
		{`{"amount":"12.34","currency":"XXX"}`, "currency"},              // not money
		{`{"amount":"12.34","currency":""}`, "currency"},                 // empty
		{`{"amount":"12.34"}`, "currency"},                               // missing
		{`{"amount":"12.34","currency":null}`, "currency"},               // null
		{`{"amount":"12.34","currency":978}`, "currency"},                // a number
		{`{"amount":"12.345","currency":"EUR"}`, "amount"},               // too many decimals
		{`{"amount":"1.5","currency":"JPY"}`, "amount"},                  // decimals JPY has not
		{`{"amount":12.34,"currency":"EUR"}`, "amount"},                  // a JSON number
		{`{"amount":1234,"currency":"EUR"}`, "amount"},                   // a JSON number
		{`{"currency":"EUR"}`, "amount"},                                 // missing
		{`{"amount":null,"currency":"EUR"}`, "amount"},                   // null
		{`{"amount":"","currency":"EUR"}`, "amount"},                     // empty
		{`{"amount":"1e3","currency":"EUR"}`, "amount"},                  // exponent
		{`{"amount":" 12.34","currency":"EUR"}`, "amount"},               // space
		{`{"amount":"12,34","currency":"EUR"}`, "amount"},                // comma
		{`{"amount":"NaN","currency":"EUR"}`, "amount"},                  // not a number
		{`{"amount":"92233720368547758.08","currency":"USD"}`, "amount"}, // overflow
		{`{"amount":"12.34","currency":"EUR","cents":1234}`, "amount"},   // unknown member
		{`"12.34 EUR"`, "amount"},                                        // not an object
		{`["12.34","EUR"]`, "amount"},
		{`12.34`, "amount"},
		{`{}`, "currency"},
	} {
		before := money(t, "1.00", "USD")
		m := before
		err := json.Unmarshal([]byte(tt.in), &m)
		require.Error(t, err, tt.in)
		assert.ErrorIs(t, err, balance.ErrInvalid, tt.in)
		var ve *balance.ValidationError
		require.True(t, errors.As(err, &ve), "%s: %v", tt.in, err)
		assert.Equal(t, tt.field, ve.Field, tt.in)
		assert.True(t, before.Equal(m), "%s: unchanged on error", tt.in)
	}
	// Inside an entity the error stops the decoding too.
	var p balance.PostingParams
	err := json.Unmarshal([]byte(`{"kind":"refund","amount":{"amount":"1.234","currency":"USD"}}`), &p)
	assert.ErrorIs(t, err, balance.ErrInvalid)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"kind":"refund","amount":{"amount":"1","currency":"USD"},"kind":"nope"}`), &p), balance.ErrInvalid)
	// null leaves the value as it was, as encoding/json does.
	m := money(t, "1.00", "USD")
	require.NoError(t, json.Unmarshal([]byte(`null`), &m))
	assert.True(t, money(t, "1.00", "USD").Equal(m))
}

// appliedPosting returns an account with a credit applied and that posting,
// with every field set.
func appliedPosting(t *testing.T) (balance.Account, balance.Posting) {
	t.Helper()
	a := balance.NewAccount(accountID, customerID, eur, t0)
	require.NoError(t, a.SetCreditLimit(money(t, "50", "EUR"), t0))
	p, err := balance.NewPosting(postingID(0x101), a, balance.PostingParams{
		Kind: balance.KindGiftCard, Amount: money(t, "25.50", "EUR"), Reference: "GC-1",
		IdempotencyKey: "req-1", Actor: "staff:ana", Note: "birthday\ngift",
	}, t0)
	require.NoError(t, err)
	require.NoError(t, a.Apply(&p, t0.Add(time.Second)))
	a.Version = 2
	return a, p
}

func TestAccountAndPostingJSONGolden(t *testing.T) {
	a, p := appliedPosting(t)
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "0195a1b2-0000-7000-8000-000000000001",
		"customer_id": "0195a1b2-0000-7000-8000-000000000002",
		"currency": "EUR",
		"balance": {"amount": "25.50", "currency": "EUR"},
		"credit_limit": {"amount": "50.00", "currency": "EUR"},
		"postings": 1,
		"created_at": "2025-03-01T12:00:00Z",
		"updated_at": "2025-03-01T12:00:01Z",
		"version": 2
	}`, string(b))

	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "0195a1b2-0000-7000-8000-000000000101",
		"account_id": "0195a1b2-0000-7000-8000-000000000001",
		"customer_id": "0195a1b2-0000-7000-8000-000000000002",
		"sequence": 1,
		"kind": "gift_card",
		"amount": {"amount": "25.50", "currency": "EUR"},
		"ending_balance": {"amount": "25.50", "currency": "EUR"},
		"reference": "GC-1",
		"idempotency_key": "req-1",
		"actor": "staff:ana",
		"note": "birthday\ngift",
		"created_at": "2025-03-01T12:00:00Z"
	}`, string(b))

	unapplied, err := balance.NewPosting(postingID(0x102), a, balance.PostingParams{Kind: balance.KindExpiry, Amount: money(t, "-1", "EUR")}, t0)
	require.NoError(t, err)
	b, err = json.Marshal(unapplied)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "0195a1b2-0000-7000-8000-000000000102",
		"account_id": "0195a1b2-0000-7000-8000-000000000001",
		"customer_id": "0195a1b2-0000-7000-8000-000000000002",
		"sequence": 0,
		"kind": "expiry",
		"amount": {"amount": "-1.00", "currency": "EUR"},
		"ending_balance": null,
		"created_at": "2025-03-01T12:00:00Z"
	}`, string(b))
}

// roundTrip marshals v, unmarshals the result into a fresh T and returns it.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back T
	require.NoError(t, json.Unmarshal(b, &back), string(b))
	return back
}

func TestBalanceJSONRoundTrips(t *testing.T) {
	a, p := appliedPosting(t)
	assert.Equal(t, a, roundTrip(t, a))
	assert.Equal(t, p, roundTrip(t, p))
	require.NoError(t, roundTrip(t, p).Validate())
	require.NoError(t, roundTrip(t, a).Validate())

	unapplied, err := balance.NewPosting(postingID(0x102), a, balance.PostingParams{Kind: balance.KindExpiry, Amount: money(t, "-1", "EUR")}, t0)
	require.NoError(t, err)
	assert.Equal(t, unapplied, roundTrip(t, unapplied))
	assert.Equal(t, p.Params(), roundTrip(t, p.Params()))

	app, err := a.ApplyToOrder(money(t, "80", "EUR"))
	require.NoError(t, err)
	assert.Equal(t, app, roundTrip(t, app))
	b, err := json.Marshal(app)
	require.NoError(t, err)
	assert.JSONEq(t, `{"applied":{"amount":"75.50","currency":"EUR"},"remaining":{"amount":"4.50","currency":"EUR"}}`, string(b))

	c := balance.MustCurrency("BHD")
	assert.Equal(t, c, roundTrip(t, c))
}

func TestBalanceJSONTimesInUTC(t *testing.T) {
	a, p := appliedPosting(t)
	berlin := time.FixedZone("CET", 3600)
	a.CreatedAt, p.CreatedAt = a.CreatedAt.In(berlin), p.CreatedAt.In(berlin)
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"created_at":"2025-03-01T12:00:00Z"`)
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"created_at":"2025-03-01T12:00:00Z"`)

	var back balance.Posting
	require.NoError(t, json.Unmarshal([]byte(`{"created_at":"2025-03-01T13:00:00+01:00"}`), &back))
	assert.Equal(t, time.UTC, back.CreatedAt.Location())
	assert.True(t, back.CreatedAt.Equal(t0))
	var acct balance.Account
	require.NoError(t, json.Unmarshal([]byte(`{"updated_at":"2025-03-01T13:00:00+01:00"}`), &acct))
	assert.Equal(t, time.UTC, acct.UpdatedAt.Location())
}

func TestBalanceJSONRejectsBadValues(t *testing.T) {
	for _, in := range []string{
		`{"currency":"EURO"}`,
		`{"currency":""}`,
		`{"balance":{"amount":"1.001","currency":"EUR"}}`,
		`{"credit_limit":{"amount":5,"currency":"EUR"}}`,
		`{"id":"not-a-uuid"}`,
	} {
		var a balance.Account
		assert.Error(t, json.Unmarshal([]byte(in), &a), in)
	}
	for _, in := range []string{
		`{"kind":"gift card"}`,
		`{"kind":""}`,
		`{"amount":{"amount":"1","currency":"ZZZ"}}`,
		`{"ending_balance":{"amount":"1.5","currency":"JPY"}}`,
		`{"created_at":"yesterday"}`,
	} {
		var p balance.Posting
		assert.Error(t, json.Unmarshal([]byte(in), &p), in)
	}
}

func TestLotJSON(t *testing.T) {
	l := balance.Lot{ID: postingID(0x101), AccountID: accountID, Amount: money(t, "10.00", "EUR"),
		Remaining: money(t, "4.00", "EUR"), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0, Sequence: 3}
	b, err := json.Marshal(l)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "0195a1b2-0000-7000-8000-000000000101",
		"account_id": "0195a1b2-0000-7000-8000-000000000001",
		"amount": {"amount": "10.00", "currency": "EUR"},
		"remaining": {"amount": "4.00", "currency": "EUR"},
		"expires_at": "2025-03-01T13:00:00Z",
		"created_at": "2025-03-01T12:00:00Z",
		"sequence": 3
	}`, string(b))
	var back balance.Lot
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, l, back)
	l.ExpiresAt = time.Time{}
	b, err = json.Marshal(l)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "expires_at", "a lot that never expires has no expires_at")

	a, _ := appliedPosting(t)
	p, err := balance.NewPosting(postingID(0x102), a, balance.PostingParams{Kind: balance.KindTransfer,
		Amount: money(t, "1.00", "EUR"), ExpiresAt: t0.Add(time.Hour)}, t0)
	require.NoError(t, err)
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"expires_at":"2025-03-01T13:00:00Z"`)
	assert.Contains(t, string(b), `"kind":"transfer"`)
	var pb balance.Posting
	require.NoError(t, json.Unmarshal(b, &pb))
	assert.Equal(t, p, pb)
}
