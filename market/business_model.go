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

// BusinessModels returns every valid BusinessModel: b2c, b2b.
func BusinessModels() []BusinessModel { return []BusinessModel{BusinessModelB2C, BusinessModelB2B} }

var businessModelNames = [...]string{BusinessModelB2C: "b2c", BusinessModelB2B: "b2b"}

// ParseBusinessModel returns the business model named s ("b2c" or "b2b"):
// surrounding white space is trimmed and case is folded, so "B2B" is
// BusinessModelB2B. The error is a *ValidationError for the field
// "business_model" unwrapping to ErrInvalid.
func ParseBusinessModel(s string) (BusinessModel, error) {
	v, err := validation.Enum(ErrInvalid, "business_model", s, businessModelNames[:])
	return BusinessModel(v), err
}

func invalidBusinessModel(b BusinessModel) error {
	return validation.New(ErrInvalid, "business_model", "must be b2c or b2b, not %s", b)
}

// MarshalText implements encoding.TextMarshaler. An invalid value is an error.
func (b BusinessModel) MarshalText() ([]byte, error) {
	if !b.Valid() {
		return nil, invalidBusinessModel(b)
	}
	return []byte(b.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseBusinessModel;
// on error b is unchanged.
func (b *BusinessModel) UnmarshalText(text []byte) error {
	v, err := ParseBusinessModel(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
