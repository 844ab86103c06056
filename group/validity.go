package group

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrNotMember is returned when a membership that a call changes or reads
// does not exist (whatever its window: an expired membership exists until
// it is removed).
var ErrNotMember = errcode.New(errcode.NotFound, "group: customer is not a member")

// Validity is the window in which a membership counts: half-open,
// [From, Until). A zero From means since always and a zero Until forever,
// so the zero Validity is a membership without a window (the kind
// AddMembers makes). Outside its window a membership grants no market
// access and is not counted or listed, but it is kept: it starts counting
// at From and stops at Until without anything deleting it.
//
// Times are UTC with microsecond precision, what SQL stores: Normalize
// makes them so, and the services normalize a window before they store it.
// Its JSON form is {"valid_from": ..., "valid_until": ...} with a zero
// time omitted.
type Validity struct {
	From  time.Time `json:"valid_from,omitzero"`
	Until time.Time `json:"valid_until,omitzero"`
}

// The bounds of a window's times: JSON (RFC 3339) holds years 0 to 9999.
var (
	minValidity = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxValidity = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// Normalize returns v with its times in UTC and truncated to the
// microsecond (a zero time stays zero).
func (v Validity) Normalize() Validity {
	if !v.From.IsZero() {
		v.From = v.From.UTC().Truncate(time.Microsecond)
	}
	if !v.Until.IsZero() {
		v.Until = v.Until.UTC().Truncate(time.Microsecond)
	}
	return v
}

// IsZero reports whether v has no window: the membership counts always.
func (v Validity) IsZero() bool { return v.From.IsZero() && v.Until.IsZero() }

// Equal reports whether v and w are the same window (times compared with
// time.Time.Equal).
func (v Validity) Equal(w Validity) bool { return v.From.Equal(w.From) && v.Until.Equal(w.Until) }

// Validate checks v: times in the years 1 to 9999 and, when both are set,
// Until after From (an empty window is a mistake, not a way to suspend a
// membership: remove it instead). Errors are *ValidationError with Field
// "valid_from" or "valid_until".
func (v Validity) Validate() error {
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"valid_from", v.From}, {"valid_until", v.Until}} {
		if !f.t.IsZero() && (f.t.Before(minValidity) || f.t.After(maxValidity)) {
			return validation.New(ErrInvalid, f.name, "must be in the years 1 to 9999")
		}
	}
	if !v.From.IsZero() && !v.Until.IsZero() && !v.Until.After(v.From) {
		return validation.New(ErrInvalid, "valid_until", "must be after valid_from")
	}
	return nil
}

// Contains reports whether the membership counts at t: From <= t (or no
// From) and t < Until (or no Until). A membership that expires at T counts
// at T minus a microsecond and not at T.
func (v Validity) Contains(t time.Time) bool {
	return (v.From.IsZero() || !t.Before(v.From)) && (v.Until.IsZero() || t.Before(v.Until))
}

// UnmarshalJSON implements json.Unmarshaler with times converted to UTC.
// It does not validate: call Validate.
func (v *Validity) UnmarshalJSON(b []byte) error {
	type plain Validity
	var w plain
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*v = Validity(w)
	if !v.From.IsZero() {
		v.From = v.From.UTC()
	}
	if !v.Until.IsZero() {
		v.Until = v.Until.UTC()
	}
	return nil
}

// Membership is a customer's membership of a group and its window. Its
// JSON form is {"group_id", "customer_id", "valid_from", "valid_until"}.
type Membership struct {
	GroupID    uuid.UUID `json:"group_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Validity
}

// UnmarshalJSON implements json.Unmarshaler (the embedded Validity's
// method would otherwise take the whole object).
func (m *Membership) UnmarshalJSON(b []byte) error {
	var ids struct {
		GroupID    uuid.UUID `json:"group_id"`
		CustomerID uuid.UUID `json:"customer_id"`
	}
	if err := json.Unmarshal(b, &ids); err != nil {
		return err
	}
	var v Validity
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = Membership{GroupID: ids.GroupID, CustomerID: ids.CustomerID, Validity: v}
	return nil
}
