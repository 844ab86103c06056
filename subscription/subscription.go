package subscription

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// Errors of this package.
var (
	// ErrInvalid is the sentinel every validation error unwraps to.
	ErrInvalid = errcode.New(errcode.Invalid, "subscription: invalid input")
	// ErrNotFound is returned for an unknown subscription ID.
	ErrNotFound = errcode.New(errcode.NotFound, "subscription: not found")
	// ErrSubscriptionOwned is returned when an ID is recorded for one
	// customer and then for another.
	ErrSubscriptionOwned = errcode.New(errcode.Conflict, "subscription: the ID is recorded for another customer")
	// ErrSubscriptionChanged is returned when an ID is recorded again with
	// other fields (use the update calls to change a subscription).
	ErrSubscriptionChanged = errcode.New(errcode.Conflict, "subscription: the ID is recorded with other fields")
	// ErrInvalidTransition is returned (as a *TransitionError) for a
	// status change the table in the package documentation does not allow.
	ErrInvalidTransition = errcode.New(errcode.FailedPrecondition, "subscription: invalid status transition")
	// ErrTooMany is returned when a customer would have more than
	// MaxPerCustomer live subscriptions.
	ErrTooMany = errcode.New(errcode.FailedPrecondition, "subscription: too many live subscriptions for the customer")
)

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = validation.Error

// Limits.
const (
	MaxIDLength    = 100 // bytes
	MaxPlanLength  = 100 // bytes
	MaxPerCustomer = 100 // live subscriptions
)

// Status is a subscription's state. The zero value is not valid.
type Status int

// The statuses.
const (
	Active Status = iota + 1
	Paused
	PastDue
	Cancelled
)

var statusNames = [...]string{Active: "active", Paused: "paused", PastDue: "past_due", Cancelled: "cancelled"}

// Statuses returns every valid Status.
func Statuses() []Status { return []Status{Active, Paused, PastDue, Cancelled} }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s >= Active && s <= Cancelled }

// String returns the status's name ("past_due"), or "Status(n)".
func (s Status) String() string {
	if s.Valid() {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ParseStatus returns the Status named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "status".
func ParseStatus(s string) (Status, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, statusNames[:])
	return Status(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, validation.New(ErrInvalid, "status", "is not a subscription status: %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus; on
// error s is unchanged.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

var transitions = map[Status][]Status{
	Active:  {Paused, PastDue, Cancelled},
	Paused:  {Active, Cancelled},
	PastDue: {Active, Paused, Cancelled},
}

// CanTransition reports whether the table allows moving from s to to.
func (s Status) CanTransition(to Status) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// TransitionError reports a status change the table does not allow.
// errors.Is(err, ErrInvalidTransition) holds for it.
type TransitionError struct{ From, To Status }

// Error implements the error interface.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s from %s to %s", ErrInvalidTransition, e.From, e.To)
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// Subscription is a reference to one of the host's subscriptions.
type Subscription struct {
	// ID is the host's subscription ID.
	ID         string    `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Plan       string    `json:"plan"`
	Status     Status    `json:"status"`
	// NextChargeAt is when the host charges next, or nil.
	NextChargeAt *time.Time `json:"next_charge_at,omitempty"`
	// PaymentSourceID is the wallet source charged, or nil.
	PaymentSourceID *uuid.UUID `json:"payment_source_id,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	Version         int64      `json:"version"`
}

// Params are what a host records. Status defaults to Active.
type Params struct {
	ID              string     `json:"id"`
	CustomerID      uuid.UUID  `json:"customer_id"`
	Plan            string     `json:"plan"`
	Status          Status     `json:"status,omitempty"`
	NextChargeAt    *time.Time `json:"next_charge_at,omitempty"`
	PaymentSourceID *uuid.UUID `json:"payment_source_id,omitempty"`
}

// New returns the subscription p describes, created at now, validated.
// Errors: *ValidationError naming the field.
func New(p Params, now time.Time) (Subscription, error) {
	now = now.UTC().Truncate(time.Microsecond)
	s := Subscription{ID: p.ID, CustomerID: p.CustomerID, Plan: strings.TrimSpace(p.Plan), Status: p.Status,
		NextChargeAt: utcPtr(p.NextChargeAt), PaymentSourceID: uuidPtr(p.PaymentSourceID), CreatedAt: now, UpdatedAt: now}
	if s.Status == 0 {
		s.Status = Active
	}
	if err := s.Validate(); err != nil {
		return Subscription{}, err
	}
	return s, nil
}

// Validate checks the fields: an ID (at most MaxIDLength bytes of single
// line text without surrounding spaces), a customer, a plan (at most
// MaxPlanLength bytes), a valid status, a non-nil payment source ID when
// set.
func (s Subscription) Validate() error {
	if err := validation.Required(ErrInvalid, "id", s.ID, MaxIDLength); err != nil {
		return err
	}
	if strings.TrimSpace(s.ID) != s.ID {
		return validation.New(ErrInvalid, "id", "must not have leading or trailing spaces")
	}
	if s.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if err := validation.Required(ErrInvalid, "plan", s.Plan, MaxPlanLength); err != nil {
		return err
	}
	if !s.Status.Valid() {
		return validation.New(ErrInvalid, "status", "is not a subscription status")
	}
	if s.PaymentSourceID != nil && *s.PaymentSourceID == uuid.Nil {
		return validation.New(ErrInvalid, "payment_source_id", "must not be the nil UUID")
	}
	return nil
}

// Live reports whether s is not cancelled.
func (s Subscription) Live() bool { return s.Status != Cancelled }

// Charges reports whether s is live and charges the payment source id.
func (s Subscription) Charges(id uuid.UUID) bool {
	return s.Live() && s.PaymentSourceID != nil && *s.PaymentSourceID == id
}

// SetStatus moves s to status to at now. Moving to the current status
// changes nothing. Errors: a *TransitionError.
func (s *Subscription) SetStatus(to Status, now time.Time) error {
	if to == s.Status {
		return nil
	}
	if !s.Status.CanTransition(to) {
		return &TransitionError{From: s.Status, To: to}
	}
	s.Status = to
	s.UpdatedAt = now.UTC()
	return nil
}

// SetPaymentSource makes s charge the source id (nil: none) from now.
// A cancelled subscription's source does not change: a *TransitionError
// (from cancelled to cancelled) unless id is what it already charges.
func (s *Subscription) SetPaymentSource(id *uuid.UUID, now time.Time) error {
	if sameUUID(s.PaymentSourceID, id) {
		return nil
	}
	if !s.Live() {
		return &TransitionError{From: s.Status, To: s.Status}
	}
	if id != nil && *id == uuid.Nil {
		return validation.New(ErrInvalid, "payment_source_id", "must not be the nil UUID")
	}
	s.PaymentSourceID = uuidPtr(id)
	s.UpdatedAt = now.UTC()
	return nil
}

// SetNextChargeAt sets the next charge time (nil: none).
func (s *Subscription) SetNextChargeAt(t *time.Time, now time.Time) {
	if sameTime(s.NextChargeAt, t) {
		return
	}
	s.NextChargeAt = utcPtr(t)
	s.UpdatedAt = now.UTC()
}

// SameAs reports whether recording p again would record s: the same
// customer, plan, status (Active when p leaves it zero), next charge time
// and payment source. A service replays a Record whose params are SameAs
// the stored subscription's.
func (s Subscription) SameAs(p Params) bool {
	st := p.Status
	if st == 0 {
		st = Active
	}
	return s.CustomerID == p.CustomerID && s.Plan == strings.TrimSpace(p.Plan) && s.Status == st &&
		sameTime(s.NextChargeAt, p.NextChargeAt) && sameUUID(s.PaymentSourceID, p.PaymentSourceID)
}

// Clone returns a deep copy of s.
func (s Subscription) Clone() Subscription {
	s.NextChargeAt = utcPtr(s.NextChargeAt)
	s.PaymentSourceID = uuidPtr(s.PaymentSourceID)
	return s
}

// Stored returns s as storage keeps it: a deep copy with times in UTC at
// microsecond precision.
func (s Subscription) Stored() Subscription {
	s = s.Clone()
	s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Microsecond)
	s.UpdatedAt = s.UpdatedAt.UTC().Truncate(time.Microsecond)
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

func uuidPtr(id *uuid.UUID) *uuid.UUID {
	if id == nil {
		return nil
	}
	v := *id
	return &v
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

func sameUUID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
