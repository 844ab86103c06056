package order

import (
	"fmt"
	"strconv"

	"github.com/clientele-go/clientele/internal/validation"
)

// Status summarizes where an order stands in the host's life cycle. The zero
// Status is invalid, so a half-built order is caught. See the package
// documentation for the meaning of each status and the allowed transitions.
type Status int

// The order statuses.
const (
	StatusPlaced Status = iota + 1
	StatusApproved
	StatusFulfilled
	StatusCompleted
	StatusCancelled
	StatusReturned
)

var statusNames = [...]string{
	StatusPlaced:    "placed",
	StatusApproved:  "approved",
	StatusFulfilled: "fulfilled",
	StatusCompleted: "completed",
	StatusCancelled: "cancelled",
	StatusReturned:  "returned",
}

// Statuses returns every valid Status, in declaration order.
func Statuses() []Status {
	return []Status{StatusPlaced, StatusApproved, StatusFulfilled, StatusCompleted, StatusCancelled, StatusReturned}
}

// Valid reports whether s is one of the declared statuses.
func (s Status) Valid() bool { return s >= StatusPlaced && s <= StatusReturned }

// String returns the snake_case name ("placed"), or "Status(n)" for an
// invalid status.
func (s Status) String() string {
	if !s.Valid() {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// IsFinal reports whether no transition leaves s (cancelled, returned).
func (s Status) IsFinal() bool { return s == StatusCancelled || s == StatusReturned }

// transitions lists, for each status, the statuses it may move to.
var transitions = map[Status][]Status{
	StatusPlaced:    {StatusApproved, StatusFulfilled, StatusCompleted, StatusCancelled},
	StatusApproved:  {StatusFulfilled, StatusCompleted, StatusCancelled},
	StatusFulfilled: {StatusCompleted, StatusReturned},
	StatusCompleted: {StatusReturned},
}

// CanTransition reports whether an order in status s may move to status to:
//
//	placed    → approved, fulfilled, completed, cancelled
//	approved  → fulfilled, completed, cancelled
//	fulfilled → completed, returned
//	completed → returned
//	cancelled, returned: final
//
// It is false for s == to (staying is not a transition; Order.SetStatus
// treats setting the current status again as a no-op before it asks) and for
// invalid statuses.
func (s Status) CanTransition(to Status) bool {
	for _, next := range transitions[s] {
		if next == to {
			return true
		}
	}
	return false
}

// Transitions returns the statuses s may move to, in declaration order.
func (s Status) Transitions() []Status {
	return append([]Status(nil), transitions[s]...)
}

// CanTransition reports whether an order may move from status from to
// status to; it is from.CanTransition(to), as a function.
func CanTransition(from, to Status) bool { return from.CanTransition(to) }

// ParseStatus returns the Status named s: surrounding white space is trimmed
// and case is folded, so " Placed " is StatusPlaced. The error is a
// *ValidationError{Field: "status"} unwrapping to ErrInvalid.
func ParseStatus(s string) (Status, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, statusNames[:])
	return Status(v), err
}

// MarshalText implements encoding.TextMarshaler with the String form
// ("placed"); an invalid status is an error.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", "is not an order status")
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus; on
// error s is unchanged.
func (s *Status) UnmarshalText(text []byte) error {
	parsed, err := ParseStatus(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// TransitionError reports a status change that Status.CanTransition does
// not allow. errors.Is(err, ErrInvalidTransition) holds for it.
type TransitionError struct {
	From, To Status
}

// Error implements the error interface.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s from %s to %s", ErrInvalidTransition, e.From, e.To)
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }
