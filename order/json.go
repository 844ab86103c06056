package order

import "encoding/json"

// orderJSON is Order without its methods, so that MarshalJSON can hand it to
// encoding/json; the conversion keeps the json tags.
type orderJSON Order

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339).
func (o Order) MarshalJSON() ([]byte, error) {
	w := orderJSON(o)
	w.PlacedAt, w.CreatedAt, w.UpdatedAt = w.PlacedAt.UTC(), w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces.
// Each value is checked as it decodes; the order as a whole is not: call
// Validate for that.
func (o *Order) UnmarshalJSON(b []byte) error {
	var w orderJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.PlacedAt, w.CreatedAt, w.UpdatedAt = w.PlacedAt.UTC(), w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	*o = Order(w)
	return nil
}
