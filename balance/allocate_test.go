package balance_test

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

func moneyStrings(ms []balance.Money) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		total   balance.Money
		weights []int64
		want    []string
	}{
		{"100.00 in three", balance.FromMinorUnits(10000, usd), []int64{1, 1, 1}, []string{"33.34 USD", "33.33 USD", "33.33 USD"}},
		{"0.02 in three", balance.FromMinorUnits(2, usd), []int64{1, 1, 1}, []string{"0.01 USD", "0.01 USD", "0.00 USD"}},
		{"negative", balance.FromMinorUnits(-100, usd), []int64{1, 1, 1}, []string{"-0.34 USD", "-0.33 USD", "-0.33 USD"}},
		{"weighted", balance.FromMinorUnits(10000, usd), []int64{50, 30, 20}, []string{"50.00 USD", "30.00 USD", "20.00 USD"}},
		{"largest remainder wins", balance.FromMinorUnits(100, usd), []int64{1, 2, 3}, []string{"0.17 USD", "0.33 USD", "0.50 USD"}},
		{"zero weight gets nothing", balance.FromMinorUnits(101, usd), []int64{0, 1, 0, 1}, []string{"0.00 USD", "0.51 USD", "0.00 USD", "0.50 USD"}},
		{"single", balance.FromMinorUnits(12345, usd), []int64{7}, []string{"123.45 USD"}},
		{"zero total", balance.Zero(usd), []int64{1, 2}, []string{"0.00 USD", "0.00 USD"}},
		{"JPY", balance.FromMinorUnits(1000, jpy), []int64{1, 1, 1}, []string{"334 JPY", "333 JPY", "333 JPY"}},
		{"JPY negative", balance.FromMinorUnits(-1000, jpy), []int64{1, 1, 1, 1, 1, 1, 1}, []string{"-143 JPY", "-143 JPY", "-143 JPY", "-143 JPY", "-143 JPY", "-143 JPY", "-142 JPY"}},
		{"BHD", balance.FromMinorUnits(1000, bhd), []int64{1, 1, 1}, []string{"0.334 BHD", "0.333 BHD", "0.333 BHD"}},
		{"fewer units than parts", balance.FromMinorUnits(2, jpy), []int64{1, 1, 1, 1}, []string{"1 JPY", "1 JPY", "0 JPY", "0 JPY"}},
		{"max total", balance.FromMinorUnits(math.MaxInt64, jpy), []int64{1, 1}, []string{"4611686018427387904 JPY", "4611686018427387903 JPY"}},
		{"max weights", balance.FromMinorUnits(math.MaxInt64, jpy), []int64{math.MaxInt64, math.MaxInt64}, []string{"4611686018427387904 JPY", "4611686018427387903 JPY"}},
		{"min total", balance.FromMinorUnits(-math.MaxInt64, jpy), []int64{1, 0, 1}, []string{"-4611686018427387904 JPY", "0 JPY", "-4611686018427387903 JPY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := balance.Allocate(tt.total, tt.weights)
			require.NoError(t, err)
			assert.Equal(t, tt.want, moneyStrings(parts))
			assertSum(t, tt.total, parts)
		})
	}
}

func TestAllocateRejects(t *testing.T) {
	tests := []struct {
		name    string
		total   balance.Money
		weights []int64
		field   string
	}{
		{"nil weights", balance.FromMinorUnits(100, usd), nil, "weights"},
		{"empty weights", balance.FromMinorUnits(100, usd), []int64{}, "weights"},
		{"negative weight", balance.FromMinorUnits(100, usd), []int64{1, -1, 2}, "weights"},
		{"zero sum", balance.FromMinorUnits(100, usd), []int64{0, 0}, "weights"},
		{"sum overflows", balance.FromMinorUnits(100, usd), []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}, "weights"},
		{"no currency", balance.Money{}, []int64{1}, "total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := balance.Allocate(tt.total, tt.weights)
			require.Error(t, err)
			assert.Nil(t, parts)
			assert.ErrorIs(t, err, balance.ErrInvalid)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestAllocateRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	currencies := []balance.Currency{usd, jpy, bhd, clf}
	for i := 0; i < 20000; i++ {
		var units int64
		switch rng.IntN(4) {
		case 0:
			units = rng.Int64N(1000) - 500
		case 1:
			units = rng.Int64N(1_000_000_000) - 500_000_000
		case 2:
			units = rng.Int64() >> rng.UintN(63)
			if rng.IntN(2) == 0 {
				units = -units
			}
		default:
			units = math.MaxInt64 - rng.Int64N(10)
			if rng.IntN(2) == 0 {
				units = -units
			}
		}
		total := balance.FromMinorUnits(units, currencies[rng.IntN(len(currencies))])
		weights := make([]int64, 1+rng.IntN(12))
		positive := false
		for j := range weights {
			switch rng.IntN(4) {
			case 0:
				weights[j] = 0
			case 1:
				weights[j] = 1
			case 2:
				weights[j] = rng.Int64N(1000)
			default:
				weights[j] = rng.Int64N(math.MaxInt64 / 16)
			}
			positive = positive || weights[j] > 0
		}
		if !positive {
			weights[0] = 1
		}
		parts, err := balance.Allocate(total, weights)
		require.NoError(t, err)
		checkAllocation(t, total, weights, parts)
	}
}

// checkAllocation checks the sum and that each part lies within one minor
// unit of its exact share, computed with math/big. It avoids testify in the
// loop so that fuzzing with many weights stays fast.
func checkAllocation(t testing.TB, total balance.Money, weights []int64, parts []balance.Money) {
	t.Helper()
	require.Len(t, parts, len(weights))
	assertSum(t, total, parts)
	sum := new(big.Int)
	for _, w := range weights {
		sum.Add(sum, big.NewInt(w))
	}
	bigTotal := big.NewInt(total.MinorUnits())
	lhs, share, w := new(big.Int), new(big.Int), new(big.Int)
	for i, p := range parts {
		if p.Currency() != total.Currency() {
			t.Fatalf("part %d is in %s, total in %s", i, p.Currency(), total.Currency())
		}
		// |part*sum - total*w| < sum
		lhs.SetInt64(p.MinorUnits())
		lhs.Mul(lhs, sum)
		w.SetInt64(weights[i])
		share.Mul(bigTotal, w)
		lhs.Sub(lhs, share)
		if lhs.CmpAbs(sum) >= 0 {
			t.Fatalf("part %d = %s is not within one unit of its share of %s by %v", i, p, total, weights)
		}
		if weights[i] == 0 && !p.IsZero() {
			t.Fatalf("part %d = %s has weight 0", i, p)
		}
		if !p.IsZero() && p.Sign() != total.Sign() {
			t.Fatalf("part %d = %s has the wrong sign for %s", i, p, total)
		}
	}
}

func assertSum(t testing.TB, total balance.Money, parts []balance.Money) {
	t.Helper()
	sum := balance.Zero(total.Currency())
	for i, p := range parts {
		var err error
		if sum, err = sum.Add(p); err != nil {
			t.Fatalf("adding part %d: %v", i, err)
		}
	}
	require.True(t, sum.Equal(total), "parts sum to %s, want %s", sum, total)
}
