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

// ParseKind returns the Kind named s ("shipping" or "billing"). The error is
// a *ValidationError for the field "kind".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "shipping":
		return Shipping, nil
	case "billing":
		return Billing, nil
	}
	return 0, invalidKind(s)
}

func invalidKind(s string) error {
	return &ValidationError{Field: "kind", Reason: validation.Quote(s) + " is not shipping or billing", Err: ErrInvalid}
}

// MarshalText implements encoding.TextMarshaler. An invalid kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, invalidKind(k.String())
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}
