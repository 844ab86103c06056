package balance

import (
	"strings"

	"github.com/bojanz/currency"
)

// MaxDigits is the largest number of minor-unit digits a Currency can have.
// ISO 4217 tops out at 4 (CLF, UYW); the bound keeps 10^Digits well inside
// int64.
const MaxDigits = 4

// Currency is an ISO 4217 currency together with its number of minor-unit
// digits (USD 2, JPY 0, BHD 3, CLF 4). Values are comparable with ==.
//
// The zero Currency has no code; it is not a currency, and Money built with it
// is rejected by every constructor and operation of this package. Obtain a
// Currency from ParseCurrency (or MustCurrency for constants).
type Currency struct {
	code   string
	digits int
}

// nonCurrencies are ISO 4217 codes that are not money a customer can hold store credit in: ISO lists their minor
// units as "N.A.". They are XXX (no currency), XTS (testing), the precious
// metals (XAU gold, XAG silver, XPT platinum, XPD palladium, quoted per troy
// ounce), the European bond-market units (XBA, XBB, XBC, XBD) and the
// supranational units of account (XDR, XSU, XUA).
var nonCurrencies = map[string]bool{
	"XXX": true, "XTS": true,
	"XAU": true, "XAG": true, "XPT": true, "XPD": true,
	"XBA": true, "XBB": true, "XBC": true, "XBD": true,
	"XDR": true, "XSU": true, "XUA": true,
}

// ParseCurrency returns the currency with the given ISO 4217 code. Like
// every enum of the domain packages, surrounding white space is trimmed and
// case is folded (" usd " is USD); what remains must be exactly three ASCII
// letters. The canonical form (String, MarshalText) is ISO 4217's upper case.
//
// The currency must be one in use that github.com/bojanz/currency knows
// (current CLDR data), and its number of minor-unit digits is that package's
// (ISO 4217's) count. Retired codes (DEM, HRK) are rejected, and so are the
// units listed by ISO without minor units: XXX, XTS, the precious metals XAU,
// XAG, XPT, XPD, the bond-market units XBA..XBD, and XDR, XSU, XUA.
//
// The error is a *ValidationError{Field: "currency"} unwrapping to ErrInvalid.
func ParseCurrency(code string) (Currency, error) {
	code = strings.TrimSpace(code)
	if len(code) != 3 {
		return Currency{}, invalid("currency", "must be a three-letter ISO 4217 code")
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return Currency{}, invalid("currency", "must be a three-letter ISO 4217 code")
		}
	}
	upper := strings.ToUpper(code)
	if nonCurrencies[upper] {
		return Currency{}, invalid("currency", "%s is not a currency", upper)
	}
	scale, ok := currency.GetDigits(upper)
	if !ok || !currency.IsValid(upper) {
		return Currency{}, invalid("currency", "%s is not a known ISO 4217 currency", upper)
	}
	if scale > MaxDigits {
		return Currency{}, invalid("currency", "%s has unsupported minor units", upper)
	}
	return Currency{code: upper, digits: int(scale)}, nil
}

// MustCurrency is like ParseCurrency but panics on error. It is meant for
// package-level variables, tests and examples, never for input.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Code returns the upper-case ISO 4217 code ("USD"), or "" for the zero
// Currency.
func (c Currency) Code() string { return c.code }

// Digits returns the number of minor-unit digits (2 for USD, 0 for JPY).
func (c Currency) Digits() int { return c.digits }

// IsZero reports whether c is the zero Currency (no currency at all).
func (c Currency) IsZero() bool { return c.code == "" }

// String returns the ISO 4217 code, or "" for the zero Currency.
func (c Currency) String() string { return c.code }

// MarshalText implements encoding.TextMarshaler with the ISO 4217 code
// ("EUR"). The zero Currency is not a currency: it is an error, a
// *ValidationError{Field: "currency"} unwrapping to ErrInvalid.
func (c Currency) MarshalText() ([]byte, error) {
	if c.IsZero() {
		return nil, invalid("currency", "is required")
	}
	return []byte(c.code), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseCurrency's
// rules. Empty text is an error like any other code ParseCurrency rejects
// (JSON null leaves the value unchanged, as encoding/json does). On error c
// is unchanged.
func (c *Currency) UnmarshalText(text []byte) error {
	parsed, err := ParseCurrency(string(text))
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}

// pow10 holds 10^0 .. 10^18, every power of ten that fits in an int64.
var pow10 = [...]int64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
}
