package balance

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/clientele-go/clientele/internal/validation"
)

// Money is an exact amount in a Currency. It is held as a count of the
// currency's minor units (cents for USD, yen for JPY) in an int64, and every
// constructor guarantees that the count lies in [-math.MaxInt64,
// math.MaxInt64], so MinorUnits always fits the BIGINT column SQL adapters
// store, and Neg and Abs can never overflow.
//
// An amount with more fraction digits than its currency allows ("1.505" USD,
// "1.5" JPY) is rejected, never rounded.
//
// The zero Money has no currency: it is not a valid amount. Its MinorUnits
// and Amount are 0, IsZero reports true, String returns "0", and Equal holds
// only against another zero Money. Add, Sub and Cmp return an error for
// which both errors.Is(err, ErrCurrencyMismatch) and errors.Is(err,
// ErrInvalid) hold, and Allocate, NewPosting and the Account methods reject
// it with ErrInvalid; nothing panics. Compare amounts with Equal or Cmp.
type Money struct {
	units int64
	cur   Currency
}

// errNoCurrency is returned by operations on the zero Money.
var errNoCurrency = &multiError{
	msg:  "balance: amount has no currency",
	errs: []error{ErrInvalid, ErrCurrencyMismatch},
}

// NewMoney returns amount in currency c. The amount must be a whole number of
// c's minor units: 1.50 and 1.5 are accepted for USD, 1.505 is not, and 100.0
// is accepted for JPY while 1.5 is not. Its minor units must fit in an int64.
//
// The error is a *ValidationError: Field "currency" (unwrapping to
// ErrInvalid) when c is the zero Currency, Field "amount" otherwise. An amount
// that is too large unwraps to both ErrInvalid and ErrOverflow.
func NewMoney(amount decimal.Decimal, c Currency) (Money, error) {
	if c.IsZero() {
		return Money{}, invalid("currency", "is required")
	}
	units, err := unitsFromDecimal(amount, c)
	if err != nil {
		return Money{}, err
	}
	return Money{units: units, cur: c}, nil
}

// ParseMoney parses a plain decimal amount ("12.34", "-5", "+0.50", "007")
// in the currency with ISO 4217 code (see ParseCurrency). It accepts an
// optional sign, at least one digit, and an optional decimal point followed
// by at least one digit; it rejects empty input, spaces, exponents ("1e3"),
// thousands separators, ".5", "5.", NaN and infinities. Fraction digits
// beyond the currency's minor units must be zeros ("1.500" USD is 1.50 USD,
// "1.505" USD is an error). The minor units must fit in an int64.
//
// The error is a *ValidationError with Field "currency" or "amount" that
// unwraps to ErrInvalid, and also to ErrOverflow when the amount is too large.
func ParseMoney(amount, code string) (Money, error) {
	c, err := ParseCurrency(code)
	if err != nil {
		return Money{}, err
	}
	units, err := parseUnits(amount, c)
	if err != nil {
		return Money{}, err
	}
	return Money{units: units, cur: c}, nil
}

// FromMinorUnits returns units minor units of c (FromMinorUnits(1234, USD) is
// 12.34 USD). It is meant for amounts known to be valid: constants, tests,
// units computed from other Money. It reports nothing: when c is the zero
// Currency or units is math.MinInt64 (outside Money's range) it returns the
// zero Money, which every operation and constructor then rejects. For input
// (a request, a storage column) use NewMoneyFromMinorUnits, which returns
// the error instead.
func FromMinorUnits(units int64, c Currency) Money {
	if c.IsZero() || units == math.MinInt64 {
		return Money{}
	}
	return Money{units: units, cur: c}
}

// NewMoneyFromMinorUnits returns units minor units of c, like FromMinorUnits,
// or an error for the input FromMinorUnits silently turns into the zero
// Money: a *ValidationError (unwrapping to ErrInvalid) when c is the zero
// Currency, and one unwrapping to both ErrInvalid and ErrOverflow when units
// is math.MinInt64. Storage adapters read amounts back with it.
func NewMoneyFromMinorUnits(units int64, c Currency) (Money, error) {
	if c.IsZero() {
		return Money{}, invalid("currency", "is required")
	}
	if units == math.MinInt64 {
		return Money{}, validation.New(errInvalidOverflow, "amount", "is out of range")
	}
	return Money{units: units, cur: c}, nil
}

// Zero returns zero in currency c.
func Zero(c Currency) Money { return Money{cur: c} }

// Amount returns the amount as a decimal with exactly c.Digits() fraction
// digits (its String form trims trailing zeros: 1.50 USD gives "1.5").
func (m Money) Amount() decimal.Decimal {
	return decimal.New(m.units, -int32(m.cur.digits))
}

// Currency returns the currency; it is the zero Currency for the zero Money.
func (m Money) Currency() Currency { return m.cur }

// MinorUnits returns the amount in minor units (1234 for 12.34 USD). It always
// lies in [-math.MaxInt64, math.MaxInt64].
func (m Money) MinorUnits() int64 { return m.units }

// Add returns m + o. Both must be in the same currency (else
// ErrCurrencyMismatch); a sum outside Money's range returns ErrOverflow.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	s, ok := addUnits(m.units, o.units)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s + %s", ErrOverflow, m, o)
	}
	return Money{units: s, cur: m.cur}, nil
}

// Sub returns m - o. Both must be in the same currency (else
// ErrCurrencyMismatch); a difference outside Money's range returns
// ErrOverflow.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	s, ok := subUnits(m.units, o.units)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s - %s", ErrOverflow, m, o)
	}
	return Money{units: s, cur: m.cur}, nil
}

// Neg returns -m. It cannot overflow.
func (m Money) Neg() Money { return Money{units: -m.units, cur: m.cur} }

// Abs returns |m|. It cannot overflow.
func (m Money) Abs() Money {
	if m.units < 0 {
		return m.Neg()
	}
	return m
}

// IsZero reports whether the amount is zero (in any currency, or none).
func (m Money) IsZero() bool { return m.units == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.units < 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.units > 0 }

// Sign returns -1, 0 or +1 for a negative, zero or positive amount.
func (m Money) Sign() int {
	switch {
	case m.units < 0:
		return -1
	case m.units > 0:
		return 1
	}
	return 0
}

// Cmp compares m and o, which must be in the same currency, and returns -1,
// 0 or +1 as m is less than, equal to or greater than o.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency(o); err != nil {
		return 0, err
	}
	switch {
	case m.units < o.units:
		return -1, nil
	case m.units > o.units:
		return 1, nil
	}
	return 0, nil
}

// Equal reports whether m and o have the same currency and amount. Amounts in
// different currencies are never equal, not even zeros.
func (m Money) Equal(o Money) bool { return m.cur == o.cur && m.units == o.units }

// String returns the amount with exactly the currency's fraction digits and
// the currency code: "12.34 USD", "-5 JPY", "0.500 BHD". The zero Money
// prints as "0".
func (m Money) String() string {
	if m.cur.IsZero() {
		return "0"
	}
	return m.AmountString() + " " + m.cur.code
}

// AmountString returns the amount with exactly the currency's fraction
// digits and no currency code: "12.34" for 12.34 USD, "1.50" for 1.5 USD.
// ParseMoney accepts it back.
func (m Money) AmountString() string {
	return formatUnits(m.units, m.cur.digits)
}

func (m Money) sameCurrency(o Money) error {
	if m.cur.IsZero() || o.cur.IsZero() {
		return errNoCurrency
	}
	if m.cur != o.cur {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.cur.code, o.cur.code)
	}
	return nil
}

// addUnits returns a + b and whether it lies in [-MaxInt64, MaxInt64].
func addUnits(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) || s == math.MinInt64 {
		return 0, false
	}
	return s, true
}

// subUnits returns a - b and whether it lies in [-MaxInt64, MaxInt64].
func subUnits(a, b int64) (int64, bool) {
	d := a - b
	if (a >= 0 && b < 0 && d < 0) || (a < 0 && b > 0 && d >= 0) || d == math.MinInt64 {
		return 0, false
	}
	return d, true
}

// formatUnits renders units minor units with digits fraction digits.
func formatUnits(units int64, digits int) string {
	mag := uint64(units)
	neg := units < 0
	if neg {
		mag = -mag // two's complement: correct even for math.MinInt64
	}
	s := strconv.FormatUint(mag, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = zeros[:digits+1-len(s)] + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

const zeros = "00000000000000000000"

// parseUnits parses a plain decimal string into minor units of c.
func parseUnits(s string, c Currency) (int64, error) {
	if s == "" {
		return 0, invalid("amount", "is required")
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fracStart:i]
		if frac == "" {
			return 0, invalid("amount", "is not a plain decimal number")
		}
	}
	if intPart == "" || i != len(s) {
		return 0, invalid("amount", "is not a plain decimal number")
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > c.digits {
		return 0, tooManyDigits(c)
	}
	var mag uint64
	push := func(d byte) bool {
		v := uint64(d - '0')
		if mag > (math.MaxInt64-v)/10 {
			return false
		}
		mag = mag*10 + v
		return true
	}
	for j := 0; j < len(intPart); j++ {
		if !push(intPart[j]) {
			return 0, overflow()
		}
	}
	for j := 0; j < c.digits; j++ {
		d := byte('0')
		if j < len(frac) {
			d = frac[j]
		}
		if !push(d) {
			return 0, overflow()
		}
	}
	units := int64(mag)
	if neg {
		units = -units
	}
	return units, nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

var bigTen = big.NewInt(10)

// unitsFromDecimal converts d into minor units of c without rounding and
// without touching the decimal package's global settings.
func unitsFromDecimal(d decimal.Decimal, c Currency) (int64, error) {
	coef := d.Coefficient() // a copy
	if coef.Sign() == 0 {
		return 0, nil
	}
	// d = coef * 10^exp, so minor units = coef * 10^(exp+digits).
	e := int64(d.Exponent()) + int64(c.digits)
	if e >= 0 {
		// coef is non-zero, so the result is at least 10^e in magnitude.
		if e >= int64(len(pow10)) || coef.BitLen() > 63 {
			return 0, overflow()
		}
		coef.Mul(coef, big.NewInt(pow10[e]))
		if coef.BitLen() > 63 {
			return 0, overflow()
		}
		return coef.Int64(), nil
	}
	k := -e
	// 10^k > 2^(3k) >= 2^BitLen > |coef| when 3k >= BitLen, so coef cannot be
	// a non-zero multiple of 10^k: there are fraction digits left over. The
	// check also keeps 10^k from growing beyond the coefficient's size.
	if 3*k >= int64(coef.BitLen()) {
		return 0, tooManyDigits(c)
	}
	div := new(big.Int).Exp(bigTen, big.NewInt(k), nil)
	q, r := new(big.Int).QuoRem(coef, div, new(big.Int))
	if r.Sign() != 0 {
		return 0, tooManyDigits(c)
	}
	if q.BitLen() > 63 {
		return 0, overflow()
	}
	return q.Int64(), nil
}

func tooManyDigits(c Currency) error {
	return invalid("amount", "has more than %d fraction digits for %s", c.digits, c.code)
}

func overflow() error {
	return validation.New(errInvalidOverflow, "amount", "is too large: its minor units do not fit in int64")
}

// multiError is an error that matches several sentinels with errors.Is while
// keeping a one-line message.
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }
