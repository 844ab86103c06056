package customer

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MarshalText implements encoding.TextMarshaler with the spelling the
// customer typed (String: Display, or Address when Display is empty), which
// ParseEmail turns back into the same Email. The zero Email is an error, a
// *ValidationError{Field: "email"}.
func (e Email) MarshalText() ([]byte, error) {
	if e.IsZero() {
		return nil, emailError("is required")
	}
	return []byte(e.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseEmail's rules,
// so the canonical Address is computed again from the text and an invalid
// address is a *ValidationError{Field: "email"}. The one address ParseEmail
// refuses that it accepts is an erased customer's placeholder, exactly as
// ErasedEmail makes it, so that an erased customer's JSON decodes. On error
// e is unchanged.
func (e *Email) UnmarshalText(text []byte) error {
	parsed, err := parseEmail(string(text), true)
	if err != nil {
		return err
	}
	if _, domain, _ := strings.Cut(parsed.Address, "@"); domain == ErasedEmailDomain && !isErasedPlaceholder(parsed) {
		return emailError("uses the reserved domain %s", ErasedEmailDomain)
	}
	*e = parsed
	return nil
}

// isErasedPlaceholder reports whether e is ErasedEmail(id) for some id.
func isErasedPlaceholder(e Email) bool {
	local, _, _ := strings.Cut(e.Address, "@")
	rest, ok := strings.CutPrefix(local, "erased-")
	if !ok {
		return false
	}
	id, err := uuid.Parse(rest)
	return err == nil && ErasedEmail(id) == e
}

// customerJSON is Customer without its methods, so that MarshalJSON can
// hand it to encoding/json; the conversion keeps the json tags.
type customerJSON Customer

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339).
func (c Customer) MarshalJSON() ([]byte, error) {
	w := customerJSON(c)
	w.CreatedAt, w.UpdatedAt, w.DeletedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC(), utcPtr(w.DeletedAt)
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces. Each value is checked as it decodes (the
// email, the enums); the customer as a whole is not: call Validate for
// that.
func (c *Customer) UnmarshalJSON(b []byte) error {
	var w customerJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt, w.DeletedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC(), utcPtr(w.DeletedAt)
	*c = Customer(w)
	return nil
}

// utcPtr returns a new pointer to *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
