package address

import "encoding/json"

// entryJSON is Entry without its methods, so that MarshalJSON can hand it to
// encoding/json; the conversion keeps the json tags.
type entryJSON Entry

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339).
func (e Entry) MarshalJSON() ([]byte, error) {
	w := entryJSON(e)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces.
// Each value is checked as it decodes; the entry as a whole is not: call
// Validate for that.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var w entryJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	*e = Entry(w)
	return nil
}
