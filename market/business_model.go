package market

import (
	"fmt"

	"github.com/clientele-go/clientele/internal/validation"
)

// BusinessModel says whom a market sells to. The zero value is not valid.
type BusinessModel int

// The business models.
const (
	// BusinessModelB2C sells to consumers.
	BusinessModelB2C BusinessModel = iota + 1
	// BusinessModelB2B sells to businesses.
	BusinessModelB2B
)

// String returns "b2c" or "b2b" ("BusinessModel(n)" for an invalid value).
func (b BusinessModel) String() string {
	switch b {
	case BusinessModelB2C:
		return "b2c"
	case BusinessModelB2B:
		return "b2b"
	}
	return fmt.Sprintf("BusinessModel(%d)", int(b))
}

// Valid reports whether b is one of the defined business models.
func (b BusinessModel) Valid() bool { return b == BusinessModelB2C || b == BusinessModelB2B }

// ParseBusinessModel returns the business model named s ("b2c" or "b2b").
// The error is a *ValidationError for the field "business_model".
func ParseBusinessModel(s string) (BusinessModel, error) {
	switch s {
	case "b2c":
		return BusinessModelB2C, nil
	case "b2b":
		return BusinessModelB2B, nil
	}
	return 0, invalidBusinessModel(s)
}

func invalidBusinessModel(s string) error {
	return &ValidationError{Field: "business_model", Reason: validation.Quote(s) + " is not b2c or b2b", Err: ErrInvalid}
}

// MarshalText implements encoding.TextMarshaler. An invalid value is an error.
func (b BusinessModel) MarshalText() ([]byte, error) {
	if !b.Valid() {
		return nil, invalidBusinessModel(b.String())
	}
	return []byte(b.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *BusinessModel) UnmarshalText(text []byte) error {
	v, err := ParseBusinessModel(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
