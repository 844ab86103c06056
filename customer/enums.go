package customer

import (
	"fmt"
	"strconv"

	"github.com/clientele-go/clientele/internal/validation"
)

// Status is the customer's purchase lifecycle: how far they have come as a
// buyer, derived from the number of placed orders. It is not about the
// account or signing in (that is State).
//
//	prospect (0 orders) → acquired (1 order) → repeat (2 or more orders)
//
// Only Customer.RecordOrder (and claims, which add orders) changes it, and
// it only ever moves forward (see CanTransition and StatusForOrders). The
// zero Status is invalid, so that a half-built value is caught.
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

// Statuses returns every valid Status, in lifecycle order.
func Statuses() []Status { return []Status{StatusProspect, StatusAcquired, StatusRepeat} }

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool { return s >= StatusProspect && s <= StatusRepeat }

// CanTransition reports whether the status may move from s to to. Statuses
// only move forward, and may skip a step (a claim can add several orders at
// once):
//
//	prospect → acquired, repeat
//	acquired → repeat
//	repeat   → (none)
//
// It is false for s == to (staying is not a transition) and for invalid
// statuses.
func (s Status) CanTransition(to Status) bool { return s.Valid() && to.Valid() && s < to }

// Transitions returns the statuses s may move to, in lifecycle order.
func (s Status) Transitions() []Status {
	var out []Status
	for _, to := range Statuses() {
		if s.CanTransition(to) {
			out = append(out, to)
		}
	}
	return out
}

// String returns "prospect", "acquired" or "repeat" ("Status(n)" for an
// invalid value).
func (s Status) String() string {
	if !s.Valid() {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// ParseStatus returns the Status named s: surrounding white space is
// trimmed and case is folded, so " Acquired " is StatusAcquired. The error is
// a *ValidationError with Field "status" unwrapping to ErrInvalid.
func ParseStatus(s string) (Status, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, statusNames[:])
	return Status(v), err
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

// State is the state of the customer's account: whether there is one and
// whether the customer can sign in to it (guest, invited, active, disabled,
// erased). Orders never change it (the purchase lifecycle is Status); only
// explicit actions do, along this table (see CanTransition):
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

// States returns every valid State, in declaration order.
func States() []State {
	return []State{StateGuest, StateInvited, StateActive, StateDisabled, StateErased}
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

// ParseState returns the State named s: surrounding white space is trimmed
// and case is folded, so " Active " is StateActive. The error is a
// *ValidationError with Field "state" unwrapping to ErrInvalid.
func ParseState(s string) (State, error) {
	v, err := validation.Enum(ErrInvalid, "state", s, stateNames[:])
	return State(v), err
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

// CanTransition reports whether a customer may move from one value to
// another of the same state machine: State (the account: see
// State.CanTransition) or Status (the purchase lifecycle: see
// Status.CanTransition). It is false for from == to.
func CanTransition[T State | Status](from, to T) bool {
	switch f := any(from).(type) {
	case State:
		return f.CanTransition(State(to))
	case Status:
		return f.CanTransition(Status(to))
	}
	return false
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

// Types returns every valid Type, in declaration order.
func Types() []Type { return []Type{TypePrivate, TypeBusiness} }

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

// ParseType returns the Type named s: surrounding white space is trimmed
// and case is folded, so "Business" is TypeBusiness. The error is a
// *ValidationError with Field "type" unwrapping to ErrInvalid.
func ParseType(s string) (Type, error) {
	v, err := validation.Enum(ErrInvalid, "type", s, typeNames[:])
	return Type(v), err
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
