package balance_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

func TestParseCurrency(t *testing.T) {
	tests := []struct {
		in     string
		code   string
		digits int
	}{
		{"USD", "USD", 2},
		{"EUR", "EUR", 2},
		{"JPY", "JPY", 0},
		{"KRW", "KRW", 0},
		{"BHD", "BHD", 3},
		{"KWD", "KWD", 3},
		{"CLF", "CLF", 4},
		{"usd", "USD", 2},
		{"uSd", "USD", 2},
		{"jpy", "JPY", 0},
		{" usd", "USD", 2}, // trimmed, as every enum
		{"EUR\n", "EUR", 2},
		{"XOF", "XOF", 0}, // a real currency despite the X
		{"CHF", "CHF", 2}, // standard rounding, not cash rounding
		{"IQD", "IQD", 3}, // ISO 4217 says 3 (old CLDR tables said 0)
		{"VES", "VES", 2}, // codes introduced since 2018, unknown to x/text
		{"MRU", "MRU", 2},
		{"SLE", "SLE", 2},
		{"VED", "VED", 2},
		{"ZWG", "ZWG", 2},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := balance.ParseCurrency(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.code, c.Code())
			assert.Equal(t, tt.code, c.String())
			assert.Equal(t, tt.digits, c.Digits())
			assert.False(t, c.IsZero())
			assert.Equal(t, balance.MustCurrency(tt.code), c)
		})
	}
}

func TestParseCurrencyRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ", "US", "USDD", "U SD", "U5D", "ÜSD", "usd\x00",
		"ZZZ", "AAA", // unknown
		"XXX", "XTS", // not currencies
		"XAU", "XAG", "XPT", "XPD", // precious metals
		"XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", // units of account
		"xxx", "xau",
		"DEM", "HRK", "VEF", // retired
	} {
		t.Run(in, func(t *testing.T) {
			c, err := balance.ParseCurrency(in)
			require.Error(t, err)
			assert.True(t, c.IsZero())
			assert.ErrorIs(t, err, balance.ErrInvalid)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, "currency", ve.Field)
		})
	}
}

func TestMustCurrencyPanics(t *testing.T) {
	assert.Panics(t, func() { balance.MustCurrency("XXX") })
	assert.NotPanics(t, func() { balance.MustCurrency("EUR") })
}

func TestCurrencyZero(t *testing.T) {
	var c balance.Currency
	assert.True(t, c.IsZero())
	assert.Equal(t, "", c.Code())
	assert.Equal(t, "", c.String())
	assert.Equal(t, 0, c.Digits())
}

func TestCurrencyText(t *testing.T) {
	type wrapper struct {
		Currency balance.Currency `json:"currency"`
	}
	b, err := json.Marshal(wrapper{balance.MustCurrency("BHD")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"currency":"BHD"}`, string(b))

	var w wrapper
	require.NoError(t, json.Unmarshal([]byte(`{"currency":"jpy"}`), &w))
	assert.Equal(t, balance.MustCurrency("JPY"), w.Currency)
	assert.Equal(t, 0, w.Currency.Digits())

	err = json.Unmarshal([]byte(`{"currency":"XXX"}`), &w)
	assert.ErrorIs(t, err, balance.ErrInvalid)

	// The zero Currency is not a currency: it neither marshals nor decodes
	// from empty text; null leaves the value as it was.
	_, err = json.Marshal(wrapper{})
	assert.ErrorIs(t, err, balance.ErrInvalid)
	w = wrapper{Currency: balance.MustCurrency("USD")}
	for _, bad := range []string{`""`, `"  "`, `"EU"`, `"EURO"`, `"XXX"`, `"DEM"`, `978`, `true`, `{}`} {
		err := json.Unmarshal([]byte(`{"currency":`+bad+`}`), &w)
		assert.Error(t, err, bad)
		assert.Equal(t, balance.MustCurrency("USD"), w.Currency, "unchanged after %s", bad)
	}
	var ve *balance.ValidationError
	require.ErrorAs(t, json.Unmarshal([]byte(`{"currency":""}`), &w), &ve)
	assert.Equal(t, "currency", ve.Field)
	require.NoError(t, json.Unmarshal([]byte(`{"currency":null}`), &w))
	assert.Equal(t, balance.MustCurrency("USD"), w.Currency)
}
