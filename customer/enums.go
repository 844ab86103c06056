package customer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clientele-go/clientele/internal/validation"
)

// Status is where a customer stands in the purchase lifecycle. It is derived
// from the number of placed orders (see Customer.RecordOrder and
// StatusForOrders) and only ever moves forward:
//
//	prospect (0 orders) → acquired (1 order) → repeat (2 or more orders)
//
// The zero Status is invalid, so that a half-built value is caught.
type Status int

// The customer statuses.
const (
	// StatusProspect is a customer who has not placed an order yet.
	StatusProspect Status = iota + 1
	// StatusAcquired is a customer with exactly one placed order.
	StatusAcquired
	// StatusRepeat is a customer with two or more placed orders.
	StatusRepeat
)

var statusNames = [...]string{StatusProspect: "prospect", StatusAcquired: "acquired", StatusRepeat: "repeat"}

// StatusForOrders returns the status that n placed orders imply: prospect
// for n <= 0, acquired for 1 and repeat for 2 or more.
func StatusForOrders(n int) Status {
	switch {
	case n <= 0:
		return StatusProspect
	case n == 1:
		return StatusAcquired
	default:
		return StatusRepeat
	}
}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool { return s >= StatusProspect && s <= StatusRepeat }

// String returns "prospect", "acquired" or "repeat" ("Status(n)" for an
// invalid value).
func (s Status) String() string {
	if !s.Valid() {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// ParseStatus parses the String form of a Status (case-insensitive, spaces
// trimmed). Errors are *ValidationError with Field "status".
func ParseStatus(s string) (Status, error) {
	v, ok := parseEnum(s, statusNames[:])
	if !ok {
		return 0, newError("status", "must be one of prospect, acquired, repeat, not %s", validation.Quote(s))
	}
	return Status(v), nil
}

// MarshalText implements encoding.TextMarshaler; invalid values fail.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, newError("status", "is invalid (%d)", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// State is the state of a customer's account. Moves between states follow
// an explicit table (see CanTransition):
//
//	from \ to   guest  invited  active  disabled  erased
//	guest         -       -       -        -        ✓
//	invited       -       -       ✓        ✓        ✓
//	active        -       -       -        ✓        ✓
//	disabled      -       -       ✓        -        ✓
//	erased        -       -       -        -        -
//
// A guest never gains an account: a guest who registers gets a new
// registered customer record. Staying in the same state is not a transition.
// Erased is final. The zero State is invalid.
type State int

// The account states.
const (
	// StateGuest is a customer without an account (checkout as guest).
	StateGuest State = iota + 1
	// StateInvited is an account created for the customer that has not been
	// activated yet (for example by an invitation email).
	StateInvited
	// StateActive is an account the customer can sign in to.
	StateActive
	// StateDisabled is an account that has been switched off; it can be
	// enabled again.
	StateDisabled
	// StateErased is a customer whose personal data has been erased
	// (see Customer.Erase). It is final.
	StateErased
)

var stateNames = [...]string{
	StateGuest:    "guest",
	StateInvited:  "invited",
	StateActive:   "active",
	StateDisabled: "disabled",
	StateErased:   "erased",
}

// transitions is the table documented on State.
var transitions = map[State][]State{
	StateGuest:    {StateErased},
	StateInvited:  {StateActive, StateDisabled, StateErased},
	StateActive:   {StateDisabled, StateErased},
	StateDisabled: {StateActive, StateErased},
	StateErased:   nil,
}

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool { return s >= StateGuest && s <= StateErased }

// String returns "guest", "invited", "active", "disabled" or "erased"
// ("State(n)" for an invalid value).
func (s State) String() string {
	if !s.Valid() {
		return "State(" + strconv.Itoa(int(s)) + ")"
	}
	return stateNames[s]
}

// CanTransition reports whether the table documented on State allows a move
// from s to to:
//
//	guest    → erased
//	invited  → active, disabled, erased
//	active   → disabled, erased
//	disabled → active, erased
//	erased   → (none)
//
// It is false for s == to and for invalid states.
func (s State) CanTransition(to State) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// Transitions returns the states s may move to, in the order of the table.
func (s State) Transitions() []State {
	return append([]State(nil), transitions[s]...)
}

// HasAccount reports whether a customer in state s has an account: true for
// invited, active and disabled, false for guest. Erased customers keep
// whatever they had, so it is false for erased as well as for invalid
// states; use Customer.HasAccount for an erased customer.
func (s State) HasAccount() bool {
	return s == StateInvited || s == StateActive || s == StateDisabled
}

// ParseState parses the String form of a State (case-insensitive, spaces
// trimmed). Errors are *ValidationError with Field "state".
func ParseState(s string) (State, error) {
	v, ok := parseEnum(s, stateNames[:])
	if !ok {
		return 0, newError("state", "must be one of guest, invited, active, disabled, erased, not %s", validation.Quote(s))
	}
	return State(v), nil
}

// MarshalText implements encoding.TextMarshaler; invalid values fail.
func (s State) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, newError("state", "is invalid (%d)", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseState.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// TransitionError reports a state change that the table documented on State
// does not allow. errors.Is(err, ErrInvalidTransition) holds for it.
type TransitionError struct {
	From, To State
}

// Error implements the error interface.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s from %s to %s", ErrInvalidTransition, e.From, e.To)
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// Type says whether a customer buys as a private person or as a business.
// The zero Type is invalid; Params treats it as TypePrivate.
type Type int

// The customer types.
const (
	// TypePrivate is a consumer; prices are shown including VAT.
	TypePrivate Type = iota + 1
	// TypeBusiness is a business customer; prices are shown excluding VAT
	// and a VAT ID may be recorded.
	TypeBusiness
)

var typeNames = [...]string{TypePrivate: "private", TypeBusiness: "business"}

// Valid reports whether t is one of the defined types.
func (t Type) Valid() bool { return t == TypePrivate || t == TypeBusiness }

// String returns "private" or "business" ("Type(n)" for an invalid value).
func (t Type) String() string {
	if !t.Valid() {
		return "Type(" + strconv.Itoa(int(t)) + ")"
	}
	return typeNames[t]
}

// PricesExcludeVAT reports whether prices are shown to this type of customer
// excluding VAT: true for TypeBusiness.
func (t Type) PricesExcludeVAT() bool { return t == TypeBusiness }

// ParseType parses the String form of a Type (case-insensitive, spaces
// trimmed). Errors are *ValidationError with Field "type".
func ParseType(s string) (Type, error) {
	v, ok := parseEnum(s, typeNames[:])
	if !ok {
		return 0, newError("type", "must be private or business, not %s", validation.Quote(s))
	}
	return Type(v), nil
}

// MarshalText implements encoding.TextMarshaler; invalid values fail.
func (t Type) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, newError("type", "is invalid (%d)", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseType.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// parseEnum finds s in names (index 0 is unused) and returns its index.
func parseEnum(s string, names []string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range names {
		if i > 0 && n == s {
			return i, true
		}
	}
	return 0, false
}
