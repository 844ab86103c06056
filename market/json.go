package market

import "encoding/json"

// marketJSON is Market without its methods, so that MarshalJSON can hand it to
// encoding/json; the conversion keeps the json tags.
type marketJSON Market

// MarshalJSON implements json.Marshaler with the field names of the json
// tags (the names ValidationError.Field reports) and times in UTC
// (RFC 3339). The default tax display, TaxDisplayByCustomer, is left out
// (as markets have always been written); an invalid one is an error.
func (m Market) MarshalJSON() ([]byte, error) {
	w := marketJSON(m)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	switch {
	case w.TaxDisplay == TaxDisplayByCustomer:
		w.TaxDisplay = 0 // left out by omitempty
	case !w.TaxDisplay.Valid():
		return nil, invalidTaxDisplay(w.TaxDisplay)
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC and a missing tax_display read as
// TaxDisplayByCustomer. It replaces the whole value (other members absent
// from the JSON are zero), so nothing is shared with the value it replaces.
// Each value is checked as it decodes; the market as a whole is not: call
// Validate for that.
func (m *Market) UnmarshalJSON(b []byte) error {
	var w marketJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	if w.TaxDisplay == 0 {
		w.TaxDisplay = TaxDisplayByCustomer
	}
	*m = Market(w)
	return nil
}
