package market

import (
	"fmt"

	"github.com/clientele-go/clientele/internal/validation"
)

// TaxDisplay is a market's setting for showing prices with or without
// VAT. The zero value is not valid: it stands for "not set" in Params,
// where New makes it TaxDisplayByCustomer, the default. Its text form is
// "by_customer", "gross" or "net"; a Market's JSON leaves the default out
// (see Market.MarshalJSON).
type TaxDisplay int

// The tax display settings.
const (
	// TaxDisplayByCustomer, the default, decides per customer: prices
	// excluding VAT for a business customer (customer.TypeBusiness),
	// including VAT for a private customer and a guest.
	TaxDisplayByCustomer TaxDisplay = iota + 1
	// TaxDisplayGross shows every visitor prices including VAT (a
	// consumer shop).
	TaxDisplayGross
	// TaxDisplayNet shows every visitor prices excluding VAT (a
	// wholesale shop).
	TaxDisplayNet
)

var taxDisplayNames = [...]string{TaxDisplayByCustomer: "by_customer", TaxDisplayGross: "gross", TaxDisplayNet: "net"}

// TaxDisplays returns every valid TaxDisplay: by_customer, gross, net.
func TaxDisplays() []TaxDisplay {
	return []TaxDisplay{TaxDisplayByCustomer, TaxDisplayGross, TaxDisplayNet}
}

// Valid reports whether t is one of the settings.
func (t TaxDisplay) Valid() bool { return t >= TaxDisplayByCustomer && t <= TaxDisplayNet }

// String returns the setting's name ("by_customer"), or "TaxDisplay(n)".
func (t TaxDisplay) String() string {
	if t.Valid() {
		return taxDisplayNames[t]
	}
	return fmt.Sprintf("TaxDisplay(%d)", int(t))
}

// ParseTaxDisplay returns the TaxDisplay named s ("by_customer", "gross"
// or "net"); white space is trimmed and case folded. The error is a
// *ValidationError for the field "tax_display" unwrapping to ErrInvalid.
func ParseTaxDisplay(s string) (TaxDisplay, error) {
	v, err := validation.Enum(ErrInvalid, "tax_display", s, taxDisplayNames[:])
	return TaxDisplay(v), err
}

func invalidTaxDisplay(t TaxDisplay) error {
	return validation.New(ErrInvalid, "tax_display", "must be by_customer, gross or net, not %s", t)
}

// MarshalText implements encoding.TextMarshaler; an invalid setting is an
// error.
func (t TaxDisplay) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, invalidTaxDisplay(t)
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseTaxDisplay;
// on error t is unchanged.
func (t *TaxDisplay) UnmarshalText(b []byte) error {
	v, err := ParseTaxDisplay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ExcludesVAT reports whether prices are shown excluding VAT to a visitor
// who is (business) or is not a business customer. An invalid setting
// decides as TaxDisplayByCustomer does (a valid Market never has one).
func (t TaxDisplay) ExcludesVAT(business bool) bool {
	switch t {
	case TaxDisplayGross:
		return false
	case TaxDisplayNet:
		return true
	}
	return business
}
