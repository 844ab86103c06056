package order

import "strconv"

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

// transitions lists, for each status, the statuses it may move to (besides
// itself).
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
// Staying in the same (valid) status is always allowed.
func (s Status) CanTransition(to Status) bool {
	if !s.Valid() || !to.Valid() {
		return false
	}
	if s == to {
		return true
	}
	for _, next := range transitions[s] {
		if next == to {
			return true
		}
	}
	return false
}

// ParseStatus returns the Status named s (exactly as String prints it). The
// error is a *ValidationError{Field: "status"} unwrapping to ErrInvalid.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses() {
		if statusNames[st] == s {
			return st, nil
		}
	}
	return 0, invalid("status", "is not an order status")
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", "is not an order status")
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus.
func (s *Status) UnmarshalText(text []byte) error {
	parsed, err := ParseStatus(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
