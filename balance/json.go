package balance

import (
	"bytes"
	"encoding/json"
)

// moneyJSON is the wire form of a Money.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON implements json.Marshaler. A Money is an object with the
// amount as a string with exactly the currency's minor-unit digits and the
// ISO 4217 code: {"amount":"12.34","currency":"EUR"}, {"amount":"-5",
// "currency":"JPY"}. A string keeps every digit, which a JSON number read
// into a float would not. The zero Money, which has no currency, is null.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.cur.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(moneyJSON{Amount: m.AmountString(), Currency: m.cur.code})
}

// UnmarshalJSON implements json.Unmarshaler with ParseMoney's rules: the
// value must be an object with a string "amount" and a string "currency"
// and no other member; a currency ParseCurrency rejects, an amount that is
// not a plain decimal string (a JSON number included), has more fraction
// digits than the currency allows ("1.505" USD, "1.5" JPY) or overflows is
// an error. Fewer digits are accepted ("12.3" EUR is 12.30 EUR), as by
// ParseMoney. null leaves m unchanged, as encoding/json does for other
// types. The error is a *ValidationError with Field "amount" or "currency"
// unwrapping to ErrInvalid; on error m is unchanged.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w struct {
		Amount   json.RawMessage `json:"amount"`
		Currency json.RawMessage `json:"currency"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return invalid("amount", "must be an object with a string amount and a currency, like {\"amount\":\"12.34\",\"currency\":\"EUR\"}")
	}
	code, ok := jsonString(w.Currency)
	if !ok {
		return invalid("currency", "must be a string ISO 4217 code")
	}
	c, err := ParseCurrency(code)
	if err != nil {
		return err
	}
	amount, ok := jsonString(w.Amount)
	if !ok {
		return invalid("amount", "must be a string holding a decimal number, like \"12.34\"")
	}
	units, err := parseUnits(amount, c)
	if err != nil {
		return err
	}
	*m = Money{units: units, cur: c}
	return nil
}

// jsonString decodes raw as a JSON string; ok is false for anything else
// (absent, null, a number...).
func jsonString(raw json.RawMessage) (s string, ok bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// accountJSON is Account with its times in UTC; the conversion keeps the
// json tags and drops the methods.
type accountJSON Account

// MarshalJSON implements json.Marshaler with the field names of the json
// tags and times in UTC (RFC 3339).
func (a Account) MarshalJSON() ([]byte, error) {
	w := accountJSON(a)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with times converted to UTC. It replaces the whole value (members absent
// from the JSON are zero), so nothing is shared with the value it replaces. It checks each value (amounts, currency) but
// not the account as a whole: call Validate for that.
func (a *Account) UnmarshalJSON(b []byte) error {
	var w accountJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	*a = Account(w)
	return nil
}

// postingJSON is Posting with its time in UTC.
type postingJSON Posting

// MarshalJSON implements json.Marshaler with the field names of the json
// tags and CreatedAt and ExpiresAt in UTC (RFC 3339); a posting that does
// not expire has no expires_at. EndingBalance is null for a posting not
// yet applied.
func (p Posting) MarshalJSON() ([]byte, error) {
	w := postingJSON(p)
	w.CreatedAt = w.CreatedAt.UTC()
	if !w.ExpiresAt.IsZero() {
		w.ExpiresAt = w.ExpiresAt.UTC()
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON,
// with CreatedAt converted to UTC. It replaces the whole value (members
// absent from the JSON are zero). It checks each value but not the posting
// as a whole: call Validate for that.
func (p *Posting) UnmarshalJSON(b []byte) error {
	var w postingJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.CreatedAt = w.CreatedAt.UTC()
	if !w.ExpiresAt.IsZero() {
		w.ExpiresAt = w.ExpiresAt.UTC()
	}
	*p = Posting(w)
	return nil
}
