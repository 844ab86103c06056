package bulk

import (
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

// ParseFormat returns the Format named s ("jsonl", "csv"; case-insensitive,
// "ndjson" and "json" mean JSONL). Errors wrap ErrInvalid.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "jsonl", "ndjson", "json":
		return JSONL, nil
	case "csv":
		return CSV, nil
	}
	return "", fmt.Errorf("%w: format %s (want jsonl or csv)", ErrInvalid, validation.Quote(s))
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

// ParseMapping returns the Mapping named s (case-insensitive; "" means
// Native). Errors wrap ErrInvalid.
func ParseMapping(s string) (Mapping, error) {
	switch m := Mapping(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Native, nil
	case Native, Shopify, Medusa:
		return m, nil
	}
	return "", fmt.Errorf("%w: mapping %s (want native, shopify or medusa)", ErrInvalid, validation.Quote(s))
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

// Progress counts the rows of an import or export so far.
type Progress struct {
	// Read is the number of rows read (good and bad).
	Read int
	// Imported is the number of customers created.
	Imported int
	// Skipped is the number of rows whose customer existed already.
	Skipped int
	// Failed is the number of bad rows.
	Failed int
}
