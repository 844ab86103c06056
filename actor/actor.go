package actor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/clientele-go/clientele/errcode"
)

// Kind is what sort of actor acts.
type Kind string

// The kinds of actor.
const (
	// KindCustomer is a customer acting on their own data (ID: the
	// customer's ID).
	KindCustomer Kind = "customer"
	// KindStaff is a person of the organization (ID: the host's user ID).
	KindStaff Kind = "staff"
	// KindApp is an app or integration acting through the host's API (ID:
	// the app's or API key's ID).
	KindApp Kind = "app"
	// KindSystem is the host itself: a job, a migration, an import (ID: the
	// job's name, or empty).
	KindSystem Kind = "system"
)

// MaxID is the longest actor ID accepted, in bytes.
const MaxID = 200

// ErrInvalid reports an actor that is not one of the kinds above, or whose
// ID is missing, too long or not printable text. It unwraps to
// errcode.Invalid.
var ErrInvalid = errcode.New(errcode.Invalid, "actor: invalid actor")

// Actor is who makes a change. The zero Actor is the anonymous system (the
// actor of a call whose context carries none).
type Actor struct {
	// Kind is what sort of actor this is; empty means KindSystem.
	Kind Kind `json:"kind"`
	// ID identifies the actor within its kind (<= MaxID bytes). It is
	// required for customers, staff and apps; optional for the system.
	ID string `json:"id,omitempty"`
}

// Customer returns the actor of a customer acting on their own data.
func Customer(id fmt.Stringer) Actor { return Actor{Kind: KindCustomer, ID: id.String()} }

// Staff returns the actor of a member of staff with the host's user ID.
func Staff(id string) Actor { return Actor{Kind: KindStaff, ID: id} }

// App returns the actor of an app or integration with its ID.
func App(id string) Actor { return Actor{Kind: KindApp, ID: id} }

// System returns the actor of the host's own process, named (a job's name)
// or not ("").
func System(name string) Actor { return Actor{Kind: KindSystem, ID: name} }

// Normalize returns a with an empty Kind made KindSystem.
func (a Actor) Normalize() Actor {
	if a.Kind == "" {
		a.Kind = KindSystem
	}
	return a
}

// Validate checks that a's kind is known and its ID present where the kind
// needs one, at most MaxID bytes of valid UTF-8 without control characters.
// Errors: *errcode.ValidationError naming "actor.kind" or "actor.id",
// unwrapping to ErrInvalid.
func (a Actor) Validate() error {
	a = a.Normalize()
	switch a.Kind {
	case KindCustomer, KindStaff, KindApp:
		if a.ID == "" {
			return &errcode.ValidationError{Field: "actor.id", Reason: "is required for a " + string(a.Kind), Err: ErrInvalid}
		}
	case KindSystem:
	default:
		return &errcode.ValidationError{Field: "actor.kind", Reason: "must be customer, staff, app or system", Err: ErrInvalid}
	}
	switch {
	case len(a.ID) > MaxID:
		return &errcode.ValidationError{Field: "actor.id", Reason: fmt.Sprintf("is longer than %d bytes", MaxID), Err: ErrInvalid}
	case !utf8.ValidString(a.ID):
		return &errcode.ValidationError{Field: "actor.id", Reason: "is not valid UTF-8", Err: ErrInvalid}
	case strings.ContainsFunc(a.ID, isControl):
		return &errcode.ValidationError{Field: "actor.id", Reason: "contains a control character", Err: ErrInvalid}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// String returns "kind" or "kind:id": "staff:u_42", "system". Parse reads it
// back.
func (a Actor) String() string {
	a = a.Normalize()
	if a.ID == "" {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + a.ID
}

// Parse reads the form String writes, and checks it with Validate.
func Parse(s string) (Actor, error) {
	kind, id, _ := strings.Cut(s, ":")
	a := Actor{Kind: Kind(kind), ID: id}
	if kind == "" {
		return Actor{}, &errcode.ValidationError{Field: "actor.kind", Reason: "is required", Err: ErrInvalid}
	}
	if err := a.Validate(); err != nil {
		return Actor{}, err
	}
	return a, nil
}

// UnmarshalJSON reads {"kind": ..., "id": ...} and validates it.
func (a *Actor) UnmarshalJSON(b []byte) error {
	type plain Actor
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &errcode.ValidationError{Field: "actor", Reason: "must be an object with a kind and an id", Err: ErrInvalid}
		}
		return err
	}
	v := Actor(p).Normalize()
	if err := v.Validate(); err != nil {
		return err
	}
	*a = v
	return nil
}

type contextKey struct{}

// NewContext returns a copy of ctx that carries a: the actor of every
// change made with it.
func NewContext(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, contextKey{}, a.Normalize())
}

// FromContext returns the actor ctx carries, or the anonymous system
// (System("")) when it carries none.
func FromContext(ctx context.Context) Actor {
	a, _ := Lookup(ctx)
	return a
}

// Lookup returns the actor ctx carries and true, or the anonymous system and
// false when it carries none.
func Lookup(ctx context.Context) (Actor, bool) {
	if a, ok := ctx.Value(contextKey{}).(Actor); ok {
		return a, true
	}
	return System(""), false
}
