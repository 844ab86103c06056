package balance_test

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

var (
	usd = balance.MustCurrency("USD")
	eur = balance.MustCurrency("EUR")
	jpy = balance.MustCurrency("JPY")
	bhd = balance.MustCurrency("BHD")
	clf = balance.MustCurrency("CLF")
)

func money(t testing.TB, amount, code string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, code)
	require.NoError(t, err)
	return m
}

func TestParseMoneyAccepts(t *testing.T) {
	tests := []struct {
		amount, code string
		minor        int64
		str          string
	}{
		{"1.50", "USD", 150, "1.50 USD"},
		{"1.5", "USD", 150, "1.50 USD"},
		{"1.500000", "USD", 150, "1.50 USD"},
		{"12.34", "USD", 1234, "12.34 USD"},
		{"-5", "USD", -500, "-5.00 USD"},
		{"+5", "USD", 500, "5.00 USD"},
		{"0", "USD", 0, "0.00 USD"},
		{"-0", "USD", 0, "0.00 USD"},
		{"0.01", "USD", 1, "0.01 USD"},
		{"-0.01", "USD", -1, "-0.01 USD"},
		{"007.10", "usd", 710, "7.10 USD"},
		{"100", "JPY", 100, "100 JPY"},
		{"100.00", "JPY", 100, "100 JPY"},
		{"-3", "JPY", -3, "-3 JPY"},
		{"0.001", "BHD", 1, "0.001 BHD"},
		{"1.5", "BHD", 1500, "1.500 BHD"},
		{"0.0001", "CLF", 1, "0.0001 CLF"},
		{"12.3456", "CLF", 123456, "12.3456 CLF"},
		// The edges of int64 minor units.
		{"92233720368547758.07", "USD", math.MaxInt64, "92233720368547758.07 USD"},
		{"-92233720368547758.07", "USD", -math.MaxInt64, "-92233720368547758.07 USD"},
		{"9223372036854775807", "JPY", math.MaxInt64, "9223372036854775807 JPY"},
		{"922337203685477.5807", "CLF", math.MaxInt64, "922337203685477.5807 CLF"},
		{"00000000000000000000000000001", "JPY", 1, "1 JPY"},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.code, func(t *testing.T) {
			m, err := balance.ParseMoney(tt.amount, tt.code)
			require.NoError(t, err)
			assert.Equal(t, tt.minor, m.MinorUnits())
			assert.Equal(t, tt.str, m.String())
			assert.True(t, m.Equal(balance.FromMinorUnits(tt.minor, m.Currency())))
			// The decimal form and the fixed form both parse back.
			back, err := balance.ParseMoney(m.Amount().String(), m.Currency().Code())
			require.NoError(t, err)
			assert.True(t, back.Equal(m))
			back, err = balance.ParseMoney(m.AmountString(), m.Currency().Code())
			require.NoError(t, err)
			assert.True(t, back.Equal(m))
		})
	}
}

func TestParseMoneyRejects(t *testing.T) {
	tests := []struct {
		amount, code string
		field        string
		overflow     bool
	}{
		{"1.505", "USD", "amount", false},
		{"0.001", "USD", "amount", false},
		{"1.5", "JPY", "amount", false},
		{"0.5", "JPY", "amount", false},
		{"1.0001", "BHD", "amount", false},
		{"1.00001", "CLF", "amount", false},
		{"", "USD", "amount", false},
		{"-", "USD", "amount", false},
		{"+", "USD", "amount", false},
		{".", "USD", "amount", false},
		{".5", "USD", "amount", false},
		{"5.", "USD", "amount", false},
		{"1e3", "USD", "amount", false},
		{"1E3", "USD", "amount", false},
		{"1.5e-1", "USD", "amount", false},
		{" 1", "USD", "amount", false},
		{"1 ", "USD", "amount", false},
		{"1 000", "USD", "amount", false},
		{"1,000.00", "USD", "amount", false},
		{"1_000", "USD", "amount", false},
		{"--1", "USD", "amount", false},
		{"+-1", "USD", "amount", false},
		{"1.2.3", "USD", "amount", false},
		{"NaN", "USD", "amount", false},
		{"Inf", "USD", "amount", false},
		{"-Infinity", "USD", "amount", false},
		{"0x10", "USD", "amount", false},
		{"١٢", "USD", "amount", false}, // Arabic-Indic digits
		{"12", "XXX", "currency", false},
		{"12", "ZZZ", "currency", false},
		{"12", "", "currency", false},
		// One minor unit past int64.
		{"92233720368547758.08", "USD", "amount", true},
		{"-92233720368547758.08", "USD", "amount", true},
		{"9223372036854775808", "JPY", "amount", true},
		{"-9223372036854775808", "JPY", "amount", true}, // MinInt64 is outside Money's range
		{"922337203685477.5808", "CLF", "amount", true},
		{"100000000000000000000000", "USD", "amount", true},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.code, func(t *testing.T) {
			m, err := balance.ParseMoney(tt.amount, tt.code)
			require.Error(t, err)
			assert.Equal(t, balance.Money{}, m)
			assert.ErrorIs(t, err, balance.ErrInvalid)
			assert.Equal(t, tt.overflow, errors.Is(err, balance.ErrOverflow))
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestNewMoney(t *testing.T) {
	tests := []struct {
		amount decimal.Decimal
		cur    balance.Currency
		minor  int64
	}{
		{decimal.RequireFromString("1.50"), usd, 150},
		{decimal.New(150, -2), usd, 150},
		{decimal.New(15, -1), usd, 150},
		{decimal.New(1500000, -6), usd, 150},
		{decimal.New(-5, 0), usd, -500},
		{decimal.New(1, 2), usd, 10000},
		{decimal.New(0, 100), usd, 0},
		{decimal.New(0, -100), usd, 0},
		{decimal.New(100, 0), jpy, 100},
		{decimal.New(1, 2), jpy, 100},
		{decimal.New(10000, -2), jpy, 100},
		{decimal.New(1, -3), bhd, 1},
		{decimal.New(1, -4), clf, 1},
		{decimal.New(math.MaxInt64, -2), usd, math.MaxInt64},
		{decimal.New(-math.MaxInt64, -2), usd, -math.MaxInt64},
		{decimal.New(math.MaxInt64, 0), jpy, math.MaxInt64},
		{decimal.New(9, 18), jpy, 9_000_000_000_000_000_000},
		{decimal.RequireFromString("92233720368547758.0700000000000000000000"), usd, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.amount.String()+" "+tt.cur.Code(), func(t *testing.T) {
			m, err := balance.NewMoney(tt.amount, tt.cur)
			require.NoError(t, err)
			assert.Equal(t, tt.minor, m.MinorUnits())
			assert.Equal(t, tt.cur, m.Currency())
			assert.True(t, m.Amount().Equal(tt.amount), "%s != %s", m.Amount(), tt.amount)
			assert.Equal(t, int32(-tt.cur.Digits()), m.Amount().Exponent())
		})
	}
}

func TestNewMoneyRejects(t *testing.T) {
	tests := []struct {
		name     string
		amount   decimal.Decimal
		cur      balance.Currency
		field    string
		overflow bool
	}{
		{"too many digits USD", decimal.RequireFromString("1.505"), usd, "amount", false},
		{"too many digits JPY", decimal.RequireFromString("1.5"), jpy, "amount", false},
		{"tiny", decimal.New(1, -1000), usd, "amount", false},
		{"huge negative exponent", decimal.New(1, math.MinInt32), usd, "amount", false},
		{"huge exponent", decimal.New(1, math.MaxInt32), usd, "amount", true},
		{"just over", decimal.New(math.MaxInt64, -2).Add(decimal.New(1, -2)), usd, "amount", true},
		{"min int64", decimal.New(math.MinInt64, 0), jpy, "amount", true},
		{"1e19 JPY", decimal.New(1, 19), jpy, "amount", true},
		{"1e17 USD", decimal.New(1, 17), usd, "amount", true},
		{"big coefficient", decimal.RequireFromString("123456789012345678901234567890"), jpy, "amount", true},
		{"no currency", decimal.New(1, 0), balance.Currency{}, "currency", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := balance.NewMoney(tt.amount, tt.cur)
			require.Error(t, err)
			assert.Equal(t, balance.Money{}, m)
			assert.ErrorIs(t, err, balance.ErrInvalid)
			assert.Equal(t, tt.overflow, errors.Is(err, balance.ErrOverflow), "overflow: %v", err)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestMinorUnits(t *testing.T) {
	assert.Equal(t, "12.34 USD", balance.FromMinorUnits(1234, usd).String())
	assert.Equal(t, "1234 JPY", balance.FromMinorUnits(1234, jpy).String())
	assert.Equal(t, "1.234 BHD", balance.FromMinorUnits(1234, bhd).String())
	assert.Equal(t, "0.1234 CLF", balance.FromMinorUnits(1234, clf).String())
	assert.Equal(t, "-0.05 USD", balance.FromMinorUnits(-5, usd).String())

	// Outside Money's range or without a currency: the zero Money.
	assert.Equal(t, balance.Money{}, balance.FromMinorUnits(math.MinInt64, usd))
	assert.Equal(t, balance.Money{}, balance.FromMinorUnits(5, balance.Currency{}))

	m, err := balance.NewMoneyFromMinorUnits(-math.MaxInt64, usd)
	require.NoError(t, err)
	assert.Equal(t, int64(-math.MaxInt64), m.MinorUnits())
	_, err = balance.NewMoneyFromMinorUnits(math.MinInt64, usd)
	assert.ErrorIs(t, err, balance.ErrOverflow)
	assert.ErrorIs(t, err, balance.ErrInvalid)
	_, err = balance.NewMoneyFromMinorUnits(1, balance.Currency{})
	assert.ErrorIs(t, err, balance.ErrInvalid)
}

func TestMoneyArithmetic(t *testing.T) {
	a := money(t, "10.25", "USD")
	b := money(t, "0.75", "USD")

	sum, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, "11.00 USD", sum.String())

	diff, err := b.Sub(a)
	require.NoError(t, err)
	assert.Equal(t, "-9.50 USD", diff.String())
	assert.True(t, diff.IsNegative())
	assert.False(t, diff.IsPositive())
	assert.Equal(t, -1, diff.Sign())
	assert.Equal(t, "9.50 USD", diff.Abs().String())
	assert.Equal(t, "9.50 USD", diff.Neg().String())
	assert.Equal(t, "10.25 USD", a.Abs().String())

	zero, err := a.Sub(a)
	require.NoError(t, err)
	assert.True(t, zero.IsZero())
	assert.Equal(t, 0, zero.Sign())
	assert.True(t, zero.Equal(balance.Zero(usd)))

	c, err := a.Cmp(b)
	require.NoError(t, err)
	assert.Equal(t, 1, c)
	c, err = b.Cmp(a)
	require.NoError(t, err)
	assert.Equal(t, -1, c)
	c, err = a.Cmp(money(t, "10.250", "USD"))
	require.NoError(t, err)
	assert.Equal(t, 0, c)

	assert.True(t, a.Equal(money(t, "10.25", "usd")))
	assert.False(t, a.Equal(b))
	assert.False(t, balance.Zero(usd).Equal(balance.Zero(eur)), "zeros in different currencies differ")
}

func TestMoneyMismatch(t *testing.T) {
	a := money(t, "1", "USD")
	b := money(t, "1", "EUR")
	var none balance.Money

	_, err := a.Add(b)
	assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	_, err = a.Sub(b)
	assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	_, err = a.Cmp(b)
	assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	assert.False(t, a.Equal(b))

	for _, pair := range [][2]balance.Money{{a, none}, {none, a}, {none, none}} {
		_, err = pair[0].Add(pair[1])
		assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
		assert.ErrorIs(t, err, balance.ErrInvalid)
		_, err = pair[0].Sub(pair[1])
		assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
		_, err = pair[0].Cmp(pair[1])
		assert.ErrorIs(t, err, balance.ErrInvalid)
	}
}

func TestZeroMoney(t *testing.T) {
	var m balance.Money
	assert.True(t, m.Currency().IsZero())
	assert.True(t, m.IsZero())
	assert.Equal(t, int64(0), m.MinorUnits())
	assert.True(t, m.Amount().IsZero())
	assert.Equal(t, "0", m.String())
	assert.Equal(t, "0", m.AmountString())
	assert.True(t, m.Equal(balance.Money{}))
	assert.False(t, m.Equal(balance.Zero(usd)))
	assert.Equal(t, m, m.Neg())
	assert.Equal(t, m, m.Abs())
}

func TestMoneyOverflow(t *testing.T) {
	maxJPY := balance.FromMinorUnits(math.MaxInt64, jpy)
	minJPY := balance.FromMinorUnits(-math.MaxInt64, jpy)
	one := balance.FromMinorUnits(1, jpy)

	_, err := maxJPY.Add(one)
	assert.ErrorIs(t, err, balance.ErrOverflow)
	_, err = minJPY.Sub(one) // would be MinInt64: outside Money's range
	assert.ErrorIs(t, err, balance.ErrOverflow)
	_, err = minJPY.Add(minJPY)
	assert.ErrorIs(t, err, balance.ErrOverflow)
	_, err = maxJPY.Sub(minJPY)
	assert.ErrorIs(t, err, balance.ErrOverflow)
	_, err = minJPY.Sub(maxJPY)
	assert.ErrorIs(t, err, balance.ErrOverflow)

	m, err := maxJPY.Add(minJPY)
	require.NoError(t, err)
	assert.True(t, m.IsZero())
	m, err = maxJPY.Sub(maxJPY)
	require.NoError(t, err)
	assert.True(t, m.IsZero())
	m, err = minJPY.Neg().Sub(one)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MaxInt64-1), m.MinorUnits())
	assert.Equal(t, maxJPY, minJPY.Neg())
	assert.Equal(t, maxJPY, minJPY.Abs())
}

// TestAddSubEdges checks Add and Sub against decimal arithmetic on values
// near the edges of Money's range.
func TestAddSubEdges(t *testing.T) {
	vals := []int64{0, 1, -1, 2, -2, math.MaxInt64, -math.MaxInt64, math.MaxInt64 - 1, -math.MaxInt64 + 1, math.MaxInt64 / 2, -math.MaxInt64 / 2, math.MaxInt64/2 + 1}
	for _, a := range vals {
		for _, b := range vals {
			ma, mb := balance.FromMinorUnits(a, jpy), balance.FromMinorUnits(b, jpy)
			wantSum, sumOK := refAdd(a, b)
			sum, err := ma.Add(mb)
			if sumOK {
				require.NoError(t, err, "%d + %d", a, b)
				assert.Equal(t, wantSum, sum.MinorUnits())
			} else {
				assert.ErrorIs(t, err, balance.ErrOverflow, "%d + %d", a, b)
			}
			wantDiff, diffOK := refAdd(a, -b)
			diff, err := ma.Sub(mb)
			if diffOK {
				require.NoError(t, err, "%d - %d", a, b)
				assert.Equal(t, wantDiff, diff.MinorUnits())
			} else {
				assert.ErrorIs(t, err, balance.ErrOverflow, "%d - %d", a, b)
			}
		}
	}
}

// refAdd adds a and b exactly and reports whether the sum is in Money's range.
func refAdd(a, b int64) (int64, bool) {
	d := decimal.New(a, 0).Add(decimal.New(b, 0))
	s := d.String()
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v == math.MinInt64 {
		return 0, false
	}
	return v, true
}
