package company

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/internal/validation"
)

// Role is a member's role in a company. The zero value is not valid.
type Role int

// The roles.
const (
	// RoleAdmin manages the company, its members and approves orders.
	RoleAdmin Role = iota + 1
	// RoleApprover approves (or rejects) buyers' orders over their limits.
	RoleApprover
	// RoleBuyer places orders.
	RoleBuyer
)

var roleNames = [...]string{RoleAdmin: "admin", RoleApprover: "approver", RoleBuyer: "buyer"}

// Roles returns every valid Role.
func Roles() []Role { return []Role{RoleAdmin, RoleApprover, RoleBuyer} }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r >= RoleAdmin && r <= RoleBuyer }

// String returns the role's name ("buyer"), or "Role(n)".
func (r Role) String() string {
	if r.Valid() {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// ParseRole returns the Role named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "role".
func ParseRole(s string) (Role, error) {
	v, err := validation.Enum(ErrInvalid, "role", s, roleNames[:])
	return Role(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid role is an error.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, invalid("role", "is not a company role: %s", r)
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

// CanApprove reports whether the role may approve orders.
func (r Role) CanApprove() bool { return r == RoleAdmin || r == RoleApprover }

// Period is the length of a spending limit's window. The zero value is not
// valid.
type Period int

// The periods.
const (
	Day Period = iota + 1
	Week
	Month
	Year
)

var periodNames = [...]string{Day: "day", Week: "week", Month: "month", Year: "year"}

// Periods returns every valid Period.
func Periods() []Period { return []Period{Day, Week, Month, Year} }

// Valid reports whether p is one of the periods.
func (p Period) Valid() bool { return p >= Day && p <= Year }

// String returns the period's name ("month"), or "Period(n)".
func (p Period) String() string {
	if p.Valid() {
		return periodNames[p]
	}
	return fmt.Sprintf("Period(%d)", int(p))
}

// ParsePeriod returns the Period named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "period".
func ParsePeriod(s string) (Period, error) {
	v, err := validation.Enum(ErrInvalid, "period", s, periodNames[:])
	return Period(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid period is an
// error.
func (p Period) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, invalid("period", "is not a limit period: %s", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParsePeriod; on
// error p is unchanged.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// PeriodWindow returns the window [start, end) of period that holds t,
// in the time zone loc (UTC when nil): a day starts at midnight, a week on
// Monday at midnight (ISO 8601), a month on its first day, a year on
// January 1st. The bounds are computed with time.Date in loc, so a day
// across a daylight-saving change is 23 or 25 hours long. They are
// returned in UTC. An invalid period returns the instant t as both bounds.
func PeriodWindow(period Period, loc *time.Location, t time.Time) (start, end time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	y, m, d := l.Date()
	switch period {
	case Day:
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	case Week:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
	case Month:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	case Year:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		end = time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
	default:
		return t.UTC(), t.UTC()
	}
	return start.UTC(), end.UTC()
}

// PeriodLimit caps what a member spends in each Period.
type PeriodLimit struct {
	Period Period        `json:"period"`
	Amount balance.Money `json:"amount"`
}

// Limits are a member's optional spending limits, in the company's
// currency. A nil limit does not limit.
type Limits struct {
	// PerOrder caps one order's amount.
	PerOrder *balance.Money `json:"per_order,omitempty"`
	// Period caps what the member's orders add up to in each period.
	Period *PeriodLimit `json:"period,omitempty"`
}

// IsZero reports whether l limits nothing.
func (l Limits) IsZero() bool { return l.PerOrder == nil && l.Period == nil }

// Clone returns a deep copy of l.
func (l Limits) Clone() Limits {
	if l.PerOrder != nil {
		v := *l.PerOrder
		l.PerOrder = &v
	}
	if l.Period != nil {
		v := *l.Period
		l.Period = &v
	}
	return l
}

// Validate checks that the limits are in currency c and not negative.
func (l Limits) Validate(c balance.Currency) error {
	if l.PerOrder != nil {
		if l.PerOrder.Currency() != c {
			return invalid("limits.per_order", "must be in %s", c)
		}
		if l.PerOrder.IsNegative() {
			return invalid("limits.per_order", "must not be negative")
		}
	}
	if l.Period != nil {
		if !l.Period.Period.Valid() {
			return invalid("limits.period.period", "is not a limit period")
		}
		if l.Period.Amount.Currency() != c {
			return invalid("limits.period.amount", "must be in %s", c)
		}
		if l.Period.Amount.IsNegative() {
			return invalid("limits.period.amount", "must not be negative")
		}
	}
	return nil
}

// Member is a registered customer's membership of a company.
type Member struct {
	CompanyID  uuid.UUID `json:"company_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Role       Role      `json:"role"`
	Limits     Limits    `json:"limits"`
	Joined     time.Time `json:"joined"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

// NewMember returns a validated membership, joined at now, with limits in
// currency c.
func NewMember(companyID, customerID uuid.UUID, role Role, limits Limits, c balance.Currency, now time.Time) (Member, error) {
	now = now.UTC().Truncate(time.Microsecond)
	m := Member{CompanyID: companyID, CustomerID: customerID, Role: role, Limits: limits.Clone(),
		Joined: now, UpdatedAt: now, Version: 1}
	if err := m.Validate(c); err != nil {
		return Member{}, err
	}
	return m, nil
}

// Validate checks the membership, its limits in currency c.
func (m Member) Validate(c balance.Currency) error {
	switch {
	case m.CompanyID == uuid.Nil:
		return invalid("company_id", "is required")
	case m.CustomerID == uuid.Nil:
		return invalid("customer_id", "is required")
	case !m.Role.Valid():
		return invalid("role", "is not a company role")
	}
	return m.Limits.Validate(c)
}

// Clone returns a deep copy of m.
func (m Member) Clone() Member {
	m.Limits = m.Limits.Clone()
	return m
}

// Reservation is an amount of a member's period spend held for one order
// (the host's order ID) placed at At: an allowed order, or one waiting for
// approval. It is released when the order is cancelled or rejected.
type Reservation struct {
	CompanyID  uuid.UUID     `json:"company_id"`
	CustomerID uuid.UUID     `json:"customer_id"`
	OrderID    string        `json:"order_id"`
	Amount     balance.Money `json:"amount"`
	At         time.Time     `json:"at"`
}
