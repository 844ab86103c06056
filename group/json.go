package group

import "encoding/json"

// groupJSON is Group without its methods, so that MarshalJSON can hand it to
// encoding/json; the conversion keeps the json tags.
type groupJSON Group

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339).
func (g Group) MarshalJSON() ([]byte, error) {
	w := groupJSON(g)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces.
// Each value is checked as it decodes; the group as a whole is not: call
// Validate for that.
func (g *Group) UnmarshalJSON(b []byte) error {
	var w groupJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	*g = Group(w)
	return nil
}
