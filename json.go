package clientele

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/internal/validation"
)

// memberOutcomeNames are the text forms of the MemberOutcomes, by value.
var memberOutcomeNames = [...]string{
	MemberFailed:          "failed",
	MemberAdded:           "added",
	MemberAlreadyMember:   "already_member",
	MemberRemoved:         "removed",
	MemberNotMember:       "not_member",
	MemberValidityChanged: "validity_changed",
}

// MarshalText implements encoding.TextMarshaler with the outcome's name
// ("already_member"); a value that is no outcome is a
// *group.ValidationError{Field: "outcome"}.
func (o MemberOutcome) MarshalText() ([]byte, error) {
	if o < 0 || int(o) >= len(memberOutcomeNames) {
		return nil, validation.New(group.ErrInvalid, "outcome", "is not a member outcome (%d)", int(o))
	}
	return []byte(memberOutcomeNames[o]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: like every enum, the
// name is trimmed and its case folded. An unknown name is a
// *group.ValidationError{Field: "outcome"}; on error o is unchanged.
func (o *MemberOutcome) UnmarshalText(text []byte) error {
	v, err := validation.Enum(group.ErrInvalid, "outcome", string(text), memberOutcomeNames[:])
	if err != nil {
		return err
	}
	*o = MemberOutcome(v)
	return nil
}

// MarshalJSON implements json.Marshaler: {"customer_id": ..., "outcome":
// ..., "error": ..., "code": ...}, where "error" is Err's message and
// "code" its errcode category ("not_found"), both left out when Err is
// nil, so that a client can act on a failed item without reading its
// text. It is an output: an error's message does not carry its identity,
// so MemberResult has no UnmarshalJSON.
func (r MemberResult) MarshalJSON() ([]byte, error) {
	w := struct {
		CustomerID uuid.UUID     `json:"customer_id"`
		Outcome    MemberOutcome `json:"outcome"`
		Error      string        `json:"error,omitempty"`
		Code       string        `json:"code,omitempty"`
	}{CustomerID: r.CustomerID, Outcome: r.Outcome}
	if r.Err != nil {
		w.Error = r.Err.Error()
		w.Code = errcode.Of(r.Err).String()
	}
	return json.Marshal(w)
}
