package bulk

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is wrapped by every error about a bad row or a bad option.
var ErrInvalid = errcode.New(errcode.Invalid, "bulk: invalid input")

// Format is the file format: JSON Lines or CSV.
type Format string

// The formats.
const (
	// JSONL is JSON Lines: one JSON object per line.
	JSONL Format = "jsonl"
	// CSV is RFC 4180 CSV with a header row naming the columns.
	CSV Format = "csv"
)

// Formats returns every Format.
func Formats() []Format { return []Format{JSONL, CSV} }

// ParseFormat returns the Format named s ("jsonl" or "csv"; "ndjson" and
// "json" mean JSONL), with surrounding white space trimmed and case
// folded. Errors are a *errcode.ValidationError for field "format"
// wrapping ErrInvalid.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "jsonl", "ndjson", "json":
		return JSONL, nil
	case "csv":
		return CSV, nil
	}
	return "", validation.New(ErrInvalid, "format", "must be jsonl or csv")
}

// Valid reports whether f is JSONL or CSV.
func (f Format) Valid() bool { return f == JSONL || f == CSV }

// String returns "jsonl" or "csv".
func (f Format) String() string { return string(f) }

// MarshalText returns the name; the zero Format (or another invalid one)
// is an error wrapping ErrInvalid.
func (f Format) MarshalText() ([]byte, error) {
	if !f.Valid() {
		return nil, validation.New(ErrInvalid, "format", "must be jsonl or csv")
	}
	return []byte(f), nil
}

// UnmarshalText parses b with ParseFormat; on error f is unchanged.
func (f *Format) UnmarshalText(b []byte) error {
	v, err := ParseFormat(string(b))
	if err == nil {
		*f = v
	}
	return err
}

// Mapping is the layout of the rows: Clientele's own, or that of another
// system's customer export.
type Mapping string

// The mappings.
const (
	// Native is Clientele's own layout, which carries every field of a
	// Record (see docs/IMPORT.md).
	Native Mapping = "native"
	// Shopify is the layout of Shopify's customer CSV export.
	Shopify Mapping = "shopify"
	// Medusa is the layout of a Medusa v2 customer (customer module).
	Medusa Mapping = "medusa"
)

// Mappings returns every Mapping.
func Mappings() []Mapping { return []Mapping{Native, Shopify, Medusa} }

// ParseMapping returns the Mapping named s ("native", "shopify" or
// "medusa"), with surrounding white space trimmed and case folded. Errors
// are a *errcode.ValidationError for field "mapping" wrapping ErrInvalid.
// (NewReader and NewWriter take the zero Mapping as Native.)
func ParseMapping(s string) (Mapping, error) {
	switch m := Mapping(strings.ToLower(strings.TrimSpace(s))); m {
	case Native, Shopify, Medusa:
		return m, nil
	}
	return "", validation.New(ErrInvalid, "mapping", "must be native, shopify or medusa")
}

// Valid reports whether m is one of the mappings.
func (m Mapping) Valid() bool { return m == Native || m == Shopify || m == Medusa }

// String returns the name.
func (m Mapping) String() string { return string(m) }

// MarshalText returns the name; the zero Mapping (or another invalid one)
// is an error wrapping ErrInvalid.
func (m Mapping) MarshalText() ([]byte, error) {
	if !m.Valid() {
		return nil, validation.New(ErrInvalid, "mapping", "must be native, shopify or medusa")
	}
	return []byte(m), nil
}

// UnmarshalText parses b with ParseMapping; on error m is unchanged.
func (m *Mapping) UnmarshalText(b []byte) error {
	v, err := ParseMapping(string(b))
	if err == nil {
		*m = v
	}
	return err
}

// RowError is a bad row: its line in the file (1 is the first line; a CSV
// file's header is line 1), the field at fault as the file names it (a
// column or JSON name; "" when the row as a whole is unreadable) and the
// cause.
type RowError struct {
	Line  int
	Field string
	Err   error
}

// Error returns "line N: field: cause".
func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// MarshalJSON writes {"line":3,"field":"email","error":"..."}, the error as
// its message.
func (e RowError) MarshalJSON() ([]byte, error) {
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return json.Marshal(struct {
		Line  int    `json:"line"`
		Field string `json:"field,omitempty"`
		Error string `json:"error"`
	}{e.Line, e.Field, msg})
}

// Progress counts the rows of an import or export so far.
type Progress struct {
	// Read is the number of rows read (good and bad).
	Read int `json:"read"`
	// Imported is the number of customers created.
	Imported int `json:"imported"`
	// Skipped is the number of rows whose customer existed already.
	Skipped int `json:"skipped"`
	// Failed is the number of bad rows.
	Failed int `json:"failed"`
}
