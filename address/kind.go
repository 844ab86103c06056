package address

import (
	"fmt"

	"github.com/clientele-go/clientele/internal/validation"
)

// Kind says which default of a Book an operation is about. The zero value is
// not a valid Kind.
type Kind int

// The kinds of default address.
const (
	Shipping Kind = iota + 1
	Billing
)

// String returns "shipping" or "billing" ("Kind(n)" for an invalid kind).
func (k Kind) String() string {
	switch k {
	case Shipping:
		return "shipping"
	case Billing:
		return "billing"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Valid reports whether k is Shipping or Billing.
func (k Kind) Valid() bool { return k == Shipping || k == Billing }

// Kinds returns every valid Kind: Shipping, Billing.
func Kinds() []Kind { return []Kind{Shipping, Billing} }

var kindNames = [...]string{Shipping: "shipping", Billing: "billing"}

// ParseKind returns the Kind named s ("shipping" or "billing"): surrounding
// white space is trimmed and case is folded, so " Billing " is Billing. The
// error is a *ValidationError for the field "kind" unwrapping to ErrInvalid.
func ParseKind(s string) (Kind, error) {
	v, err := validation.Enum(ErrInvalid, "kind", s, kindNames[:])
	return Kind(v), err
}

func invalidKind(k Kind) error {
	return validation.New(ErrInvalid, "kind", "must be shipping or billing, not %s", k)
}

// MarshalText implements encoding.TextMarshaler. An invalid kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, invalidKind(k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseKind; on
// error k is unchanged.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}
