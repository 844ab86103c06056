package privacy

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
)

// MaxReason is the most bytes of an erasure's reason.
const MaxReason = 500

// ErrInvalid reports an invalid request or erasure record; a
// *errcode.ValidationError naming the field unwraps to it.
var ErrInvalid = errcode.New(errcode.Invalid, "privacy: invalid input")

// Request asks for a customer's erasure.
type Request struct {
	// Reason says why (a ticket number, "data-subject request"): at most
	// MaxReason bytes of printable UTF-8 (newlines and tabs allowed). It
	// is kept in the erasure record and the customer.erased event, so it
	// must not name the person.
	Reason string `json:"reason,omitempty"`
}

// Validate checks r. Errors: *errcode.ValidationError unwrapping to
// ErrInvalid.
func (r Request) Validate() error { return checkReason(r.Reason) }

func checkReason(s string) error {
	switch {
	case len(s) > MaxReason:
		return &errcode.ValidationError{Field: "reason", Reason: fmt.Sprintf("is longer than %d bytes", MaxReason), Err: ErrInvalid}
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
	}):
		return &errcode.ValidationError{Field: "reason", Reason: "is not printable UTF-8 text", Err: ErrInvalid}
	}
	return nil
}

// Erasure records one customer's erasure: who erased it, when and why. It
// is kept durably (apart from the outbox, so that pruning events never
// loses it) and holds no personal data.
//
// Its JSON form uses snake_case names.
type Erasure struct {
	// CustomerID is the erased customer (its pseudonymous ID, under which
	// the ledger and the order history stay).
	CustomerID uuid.UUID `json:"customer_id"`
	// At is when the erasure committed (UTC, microseconds).
	At time.Time `json:"at"`
	// Actor is who asked for it (the context's actor.Actor).
	Actor actor.Actor `json:"actor"`
	// Reason is the request's reason.
	Reason string `json:"reason,omitempty"`
	// Merged are the customers that had been merged into this one
	// (their tombstones lead to it) and were erased with it, in
	// ascending byte order.
	Merged []uuid.UUID `json:"merged,omitempty"`
}

// Validate checks what an adapter stores: a customer ID, a UTC time, a
// valid actor and a reason within its bounds. Errors:
// *errcode.ValidationError unwrapping to ErrInvalid.
func (e Erasure) Validate() error {
	if e.CustomerID == uuid.Nil {
		return &errcode.ValidationError{Field: "customer_id", Reason: "is required", Err: ErrInvalid}
	}
	if e.At.IsZero() || e.At.Location() != time.UTC {
		return &errcode.ValidationError{Field: "at", Reason: "must be a UTC time", Err: ErrInvalid}
	}
	if err := e.Actor.Validate(); err != nil {
		return &errcode.ValidationError{Field: "actor", Reason: err.Error(), Err: ErrInvalid}
	}
	for _, id := range e.Merged {
		if id == uuid.Nil {
			return &errcode.ValidationError{Field: "merged", Reason: "holds a nil ID", Err: ErrInvalid}
		}
	}
	return checkReason(e.Reason)
}
