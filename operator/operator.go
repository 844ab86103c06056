package operator

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "operator: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned for a customer who is not operator staff.
var ErrNotFound = errcode.New(errcode.NotFound, "operator: not operator staff")

// Role is what operator staff may do. The zero value is not valid.
type Role int

// The roles of operator staff, weakest first.
const (
	// Support reads every merchant's members, customers and groups.
	Support Role = iota + 1
	// Admin also changes them.
	Admin
)

var roleNames = [...]string{Support: "support", Admin: "admin"}

// Roles returns every valid Role, weakest first.
func Roles() []Role { return []Role{Support, Admin} }

// String returns the role's name ("admin", "support"), or "Role(n)".
func (r Role) String() string {
	if r.Valid() {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool { return r >= Support && r <= Admin }

// AtLeast reports whether r is valid and allows what min allows.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r >= min }

// ParseRole returns the Role named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "role".
func ParseRole(s string) (Role, error) {
	v, err := validation.Enum(ErrInvalid, "role", s, roleNames[:])
	return Role(v), err
}

// MarshalText implements encoding.TextMarshaler. An invalid role is an
// error.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, validation.New(ErrInvalid, "role", "is not a valid operator role: %s", r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseRole; on
// error r is unchanged.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Staff is one customer's grant as operator staff.
type Staff struct {
	CustomerID uuid.UUID `json:"customer_id"`
	Role       Role      `json:"role"`
	// Since is when the role was granted or last changed (UTC).
	Since time.Time `json:"since"`
}

// NewStaff returns a validated grant made at now.
func NewStaff(customerID uuid.UUID, role Role, now time.Time) (Staff, error) {
	s := Staff{CustomerID: customerID, Role: role, Since: now.UTC()}
	return s, s.Validate()
}

// Validate checks s: a non-nil customer ID and a valid role. Errors are
// *ValidationError.
func (s Staff) Validate() error {
	if s.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if !s.Role.Valid() {
		return validation.New(ErrInvalid, "role", "is not a valid operator role: %s", s.Role)
	}
	return nil
}
