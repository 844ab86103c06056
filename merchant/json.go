package merchant

import "encoding/json"

// merchantJSON is Merchant without its methods, so that MarshalJSON can hand it to
// encoding/json; the conversion keeps the json tags.
type merchantJSON Merchant

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339).
func (m Merchant) MarshalJSON() ([]byte, error) {
	w := merchantJSON(m)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces.
// Each value is checked as it decodes; the merchant as a whole is not: call
// Validate for that.
func (m *Merchant) UnmarshalJSON(b []byte) error {
	var w merchantJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	*m = Merchant(w)
	return nil
}
