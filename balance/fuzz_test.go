package balance_test

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

var plainDecimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func FuzzParseMoney(f *testing.F) {
	for _, seed := range []struct{ amount, code string }{
		{"1.50", "USD"}, {"1.505", "USD"}, {"-5", "usd"}, {"+0.01", "EUR"},
		{"100", "JPY"}, {"1.5", "JPY"}, {"100.000", "JPY"},
		{"0.001", "BHD"}, {"12.3456", "CLF"}, {"12.34567", "CLF"},
		{"92233720368547758.07", "USD"}, {"92233720368547758.08", "USD"},
		{"-92233720368547758.07", "USD"}, {"-9223372036854775808", "JPY"},
		{"9223372036854775807", "JPY"}, {"922337203685477.5807", "CLF"},
		{"000000000000000000000000000000001", "JPY"}, {"1.0000000000000000000000000", "USD"},
		{"1e3", "USD"}, {"NaN", "USD"}, {".5", "USD"}, {"5.", "USD"}, {"", "USD"},
		{" 1", "USD"}, {"1", "XXX"}, {"1", "XAU"}, {"1", ""}, {"1", "ZZZ"},
	} {
		f.Add(seed.amount, seed.code)
	}
	f.Fuzz(func(t *testing.T, amount, code string) {
		m, err := balance.ParseMoney(amount, code)
		if err != nil {
			require.ErrorIs(t, err, balance.ErrInvalid)
			require.Equal(t, balance.Money{}, m)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			if ve.Field == "amount" && plainDecimal.MatchString(amount) {
				// A well-formed amount is rejected only for its digits or
				// its size, exactly as NewMoney rejects the same decimal.
				d, derr := decimal.NewFromString(amount)
				require.NoError(t, derr)
				_, nerr := balance.NewMoney(d, balance.MustCurrency(code))
				require.Error(t, nerr, "NewMoney accepts %q", amount)
				require.Equal(t, errors.Is(err, balance.ErrOverflow), errors.Is(nerr, balance.ErrOverflow), "%q: %v vs %v", amount, err, nerr)
			}
			return
		}
		require.True(t, plainDecimal.MatchString(amount), "accepted %q", amount)
		cur := m.Currency()
		require.False(t, cur.IsZero())
		require.NotEqual(t, int64(math.MinInt64), m.MinorUnits())

		// The value is exactly the decimal the string denotes.
		d, err := decimal.NewFromString(amount)
		require.NoError(t, err)
		require.True(t, d.Equal(m.Amount()), "%q parsed as %s", amount, m)
		shifted := d.Shift(int32(cur.Digits()))
		require.True(t, shifted.IsInteger())
		require.Equal(t, 0, shifted.BigInt().Cmp(big.NewInt(m.MinorUnits())))

		// Round trips.
		back, err := balance.ParseMoney(m.Amount().String(), cur.Code())
		require.NoError(t, err)
		require.True(t, back.Equal(m))
		require.Equal(t, m, back)
		back, err = balance.ParseMoney(m.AmountString(), cur.Code())
		require.NoError(t, err)
		require.Equal(t, m, back)
		require.Equal(t, m, balance.FromMinorUnits(m.MinorUnits(), cur))
		back, err = balance.NewMoneyFromMinorUnits(m.MinorUnits(), cur)
		require.NoError(t, err)
		require.Equal(t, m, back)
		back, err = balance.NewMoney(m.Amount(), cur)
		require.NoError(t, err)
		require.Equal(t, m, back)
		back, err = balance.NewMoney(d, cur)
		require.NoError(t, err)
		require.Equal(t, m, back)

		// Negation and absolute value stay in range.
		require.Equal(t, m, m.Neg().Neg())
		require.False(t, m.Abs().IsNegative())
	})
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(10000), uint8(0), []byte{1, 1, 1, 1})
	f.Add(int64(-100), uint8(0), []byte{1, 1, 1, 1})
	f.Add(int64(1000), uint8(1), []byte{1, 1, 2, 3})
	f.Add(int64(101), uint8(2), []byte{1, 0, 1, 0, 1})
	f.Add(int64(2), uint8(3), []byte{1, 1, 1, 1, 1})
	f.Add(int64(0), uint8(0), []byte{1, 5})
	f.Add(int64(7), uint8(0), []byte{1, 0, 0})
	f.Add(int64(7), uint8(0), []byte{1})
	f.Add(int64(7), uint8(0), []byte{})
	f.Add(int64(7), uint8(0), []byte{1, 0xff, 2})
	f.Add(int64(math.MaxInt64), uint8(1), []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Add(int64(-math.MaxInt64), uint8(1), []byte{0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0})
	f.Add(int64(math.MinInt64), uint8(0), []byte{1, 1})
	f.Add(int64(5), uint8(0), []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	currencies := []balance.Currency{usd, jpy, bhd, clf}
	f.Fuzz(func(t *testing.T, units int64, cur uint8, raw []byte) {
		total := balance.FromMinorUnits(units, currencies[int(cur)%len(currencies)])
		weights := decodeWeights(raw)

		parts, err := balance.Allocate(total, weights)

		sum := new(big.Int)
		valid := !total.Currency().IsZero() && len(weights) > 0
		for _, w := range weights {
			valid = valid && w >= 0
			sum.Add(sum, big.NewInt(w))
		}
		valid = valid && sum.Sign() > 0 && sum.IsUint64()
		if !valid {
			require.ErrorIs(t, err, balance.ErrInvalid)
			require.Nil(t, parts)
			return
		}
		require.NoError(t, err)
		checkAllocation(t, total, weights, parts)

		// Deterministic.
		again, err := balance.Allocate(total, weights)
		require.NoError(t, err)
		require.Equal(t, parts, again)
	})
}

// decodeWeights reads weights from raw: when the first byte is odd, each
// following byte is a (signed) weight; otherwise each following 8 bytes are a
// little-endian int64 weight.
func decodeWeights(raw []byte) []int64 {
	if len(raw) == 0 {
		return nil
	}
	mode, raw := raw[0], raw[1:]
	var weights []int64
	if mode&1 == 1 {
		for _, b := range raw {
			weights = append(weights, int64(int8(b)))
		}
		return weights
	}
	for len(raw) > 0 {
		var buf [8]byte
		n := copy(buf[:], raw)
		raw = raw[n:]
		weights = append(weights, int64(binary.LittleEndian.Uint64(buf[:])))
	}
	return weights
}
