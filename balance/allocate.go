package balance

import (
	"cmp"
	"math/bits"
	"slices"
)

// Allocate splits total into len(weights) parts proportional to weights, in
// whole minor units, so that the parts always sum exactly to total.
//
// It uses the largest-remainder method on minor units: every part first gets
// the floor of its exact share |total|*w/sum(w); the minor units left over
// (fewer than len(weights)) go one each to the parts with the largest
// remainders, ties going to the lower index. Every part therefore lies within
// one minor unit of its exact share, a zero weight always gets zero, and the
// result is deterministic. A negative total is split as its magnitude and
// every part negated, so -1.00 USD in three gives -0.34, -0.33, -0.33.
// Equal weights (all 1) give an equal split: 100.00 USD in three is 33.34,
// 33.33, 33.33.
//
// Weights must be non-negative with a positive sum that fits in a uint64;
// weights must not be empty; total must have a currency. Errors are
// *ValidationError values (Field "weights" or "total") unwrapping to
// ErrInvalid. The arithmetic is exact 128-bit integer arithmetic.
func Allocate(total Money, weights []int64) ([]Money, error) {
	if total.cur.IsZero() {
		return nil, invalid("total", "has no currency")
	}
	if len(weights) == 0 {
		return nil, invalid("weights", "must not be empty")
	}
	var sum uint64
	for i, w := range weights {
		if w < 0 {
			return nil, invalid("weights", "weight %d is negative", i)
		}
		var carry uint64
		sum, carry = bits.Add64(sum, uint64(w), 0)
		if carry != 0 {
			return nil, invalid("weights", "sum overflows uint64")
		}
	}
	if sum == 0 {
		return nil, invalid("weights", "must have a positive sum")
	}

	neg := total.units < 0
	mag := uint64(total.units)
	if neg {
		mag = -mag
	}

	quot := make([]uint64, len(weights))
	rem := make([]uint64, len(weights))
	var given uint64
	for i, w := range weights {
		// mag*w < 2^64 * sum, so hi < sum and Div64 cannot panic.
		hi, lo := bits.Mul64(mag, uint64(w))
		quot[i], rem[i] = bits.Div64(hi, lo, sum)
		given += quot[i] // sum of floors <= mag: cannot overflow
	}
	left := mag - given // < len(weights), as each floor loses less than one
	if left > 0 {
		// Candidates are the parts with a positive remainder, ordered by
		// remainder descending and then by index.
		order := make([]int, 0, len(weights))
		for i, r := range rem {
			if r > 0 {
				order = append(order, i)
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(rem[b], rem[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		// The remainders sum to left*sum with each below sum, so more than
		// left of them are positive: zero weights never receive a unit.
		for _, i := range order[:left] {
			quot[i]++
		}
	}

	parts := make([]Money, len(weights))
	for i, q := range quot {
		u := int64(q) // q <= mag <= MaxInt64
		if neg {
			u = -u
		}
		parts[i] = Money{units: u, cur: total.cur}
	}
	return parts, nil
}
