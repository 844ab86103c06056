package merchant

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrLastOwner is returned when a change of a merchant's members would
// leave a merchant that has an owner without one: the last owner can be
// neither removed nor demoted. Storage checks it under the merchant's lock.
var ErrLastOwner = errcode.New(errcode.FailedPrecondition, "merchant: a merchant keeps at least one owner")

// ErrMemberTaken is returned when adding a customer who is already a
// member of the merchant.
var ErrMemberTaken = errcode.New(errcode.Conflict, "merchant: already a member")

// ErrMemberNotFound is returned for a customer who is not a member of the
// merchant.
var ErrMemberNotFound = errcode.New(errcode.NotFound, "merchant: member not found")

// ErrForbidden is returned when the acting member's role does not allow the
// call (a staff member changing members, an admin appointing an owner).
// A customer who is not a member at all gets ErrNotFound instead, so that
// a merchant's existence does not leak.
var ErrForbidden = errcode.New(errcode.Denied, "merchant: the member's role does not allow this")

// Role is what a member may do for a merchant. Roles are ordered: an owner
// may do everything an admin may, an admin everything staff may. The zero
// value is not valid.
type Role int

// The roles of a merchant's members, weakest first.
const (
	// Staff reads the merchant's customers and groups.
	Staff Role = iota + 1
	// Admin also manages members (except owners) and groups.
	Admin
	// Owner also appoints and removes owners and admins.
	Owner
)

var roleNames = [...]string{Staff: "staff", Admin: "admin", Owner: "owner"}

// Roles returns every valid Role, weakest first.
func Roles() []Role { return []Role{Staff, Admin, Owner} }

// String returns the role's name ("owner", "admin", "staff"), or "Role(n)".
func (r Role) String() string {
	if r.Valid() {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool { return r >= Staff && r <= Owner }

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
		return nil, validation.New(ErrInvalid, "role", "is not a valid merchant role: %s", r)
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

// Member is a registered customer's membership of a merchant: one
// identity may be a buyer and a member of several merchants at once.
type Member struct {
	MerchantID uuid.UUID `json:"merchant_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Role       Role      `json:"role"`
	CreatedAt  time.Time `json:"created_at"` // UTC
	UpdatedAt  time.Time `json:"updated_at"` // UTC
}

// NewMember returns a validated membership created at now.
func NewMember(merchantID, customerID uuid.UUID, role Role, now time.Time) (Member, error) {
	now = now.UTC()
	m := Member{MerchantID: merchantID, CustomerID: customerID, Role: role, CreatedAt: now, UpdatedAt: now}
	return m, m.Validate()
}

// Validate checks m: non-nil IDs and a valid role. Errors are
// *ValidationError.
func (m Member) Validate() error {
	if m.MerchantID == uuid.Nil {
		return validation.New(ErrInvalid, "merchant_id", "is required")
	}
	if m.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if !m.Role.Valid() {
		return validation.New(ErrInvalid, "role", "is not a valid merchant role: %s", m.Role)
	}
	return nil
}

// Source says how a customer came to be a vendor's own customer. The zero
// value is not valid.
type Source int

// The sources of a vendor-customer relation.
const (
	// SourceOrder: the customer ordered from the vendor.
	SourceOrder Source = iota + 1
	// SourceImport: the vendor imported the customer.
	SourceImport
	// SourceSignup: the customer signed up in the vendor's storefront.
	SourceSignup
	// SourceManual: a member or the operator linked them.
	SourceManual
)

var sourceNames = [...]string{SourceOrder: "order", SourceImport: "import", SourceSignup: "signup", SourceManual: "manual"}

// Sources returns every valid Source.
func Sources() []Source { return []Source{SourceOrder, SourceImport, SourceSignup, SourceManual} }

// String returns the source's name ("order", "import"...), or "Source(n)".
func (s Source) String() string {
	if s.Valid() {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Valid reports whether s is one of the sources above.
func (s Source) Valid() bool { return s >= SourceOrder && s <= SourceManual }

// ParseSource returns the Source named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "source".
func ParseSource(s string) (Source, error) {
	v, err := validation.Enum(ErrInvalid, "source", s, sourceNames[:])
	return Source(v), err
}

// MarshalText implements encoding.TextMarshaler. An invalid source is an
// error.
func (s Source) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, validation.New(ErrInvalid, "source", "is not a valid relation source: %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseSource; on
// error s is unchanged.
func (s *Source) UnmarshalText(b []byte) error {
	v, err := ParseSource(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// CustomerRelation records that a customer is one of a vendor's own
// customers: visible to that vendor's members only.
type CustomerRelation struct {
	MerchantID uuid.UUID `json:"merchant_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Since is when the relation began (UTC); a repeated link keeps it.
	Since  time.Time `json:"since"`
	Source Source    `json:"source"`
}

// NewCustomerRelation returns a validated relation beginning at now.
func NewCustomerRelation(merchantID, customerID uuid.UUID, source Source, now time.Time) (CustomerRelation, error) {
	r := CustomerRelation{MerchantID: merchantID, CustomerID: customerID, Since: now.UTC(), Source: source}
	return r, r.Validate()
}

// Validate checks r: non-nil IDs and a valid source. Errors are
// *ValidationError.
func (r CustomerRelation) Validate() error {
	if r.MerchantID == uuid.Nil {
		return validation.New(ErrInvalid, "merchant_id", "is required")
	}
	if r.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if !r.Source.Valid() {
		return validation.New(ErrInvalid, "source", "is not a valid relation source: %s", r.Source)
	}
	return nil
}
