package storage

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/cases"

	"github.com/clientele-go/clientele/internal/textnorm"
)

// Page size limits shared by every list method.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 1000
)

// PageRequest asks for one page of a list.
type PageRequest struct {
	// Limit is the maximum number of items; zero or less means
	// DefaultPageLimit, more than MaxPageLimit means MaxPageLimit.
	Limit int
	// Cursor is the Next value of the previous page; empty for the first.
	Cursor string
}

// Size returns the effective page size.
func (p PageRequest) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	default:
		return p.Limit
	}
}

// Page is one page of a list.
type Page[T any] struct {
	// Items are the page's items in the list's order.
	Items []T
	// Next is the cursor of the following page, empty on the last page.
	Next string
}

// Cursor is a decoded keyset position: the sort key of the last item of a
// page. Which fields a list uses depends on its order (time and key for
// (CreatedAt, ID) orders, Seq for ledger sequences). Adapters encode it with
// String and decode it with ParseCursor so that cursors look the same
// everywhere.
type Cursor struct {
	Time time.Time // microsecond precision, like stored times
	Key  string
	Seq  int64
}

// wireCursor is a Cursor's token before base64: the time as microseconds
// since the Unix epoch, which every time a store keeps fits (JSON's RFC 3339
// times cannot hold years outside 0000..9999).
type wireCursor struct {
	Time *int64 `json:"t,omitempty"`
	Key  string `json:"k,omitempty"`
	Seq  int64  `json:"s,omitempty"`
}

// String encodes the cursor as an opaque URL-safe token.
func (c Cursor) String() string {
	w := wireCursor{Key: c.Key, Seq: c.Seq}
	if !c.Time.IsZero() {
		us := c.Time.UnixMicro()
		w.Time = &us
	}
	b, _ := json.Marshal(w) // a struct of plain fields always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor decodes a token made by Cursor.String. The empty string is
// the zero Cursor (the first page). Errors wrap ErrInvalidCursor.
func ParseCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	var w wireCursor
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	if dec.More() {
		return c, fmt.Errorf("%w: trailing data", ErrInvalidCursor)
	}
	c.Key, c.Seq = w.Key, w.Seq
	if w.Time != nil {
		c.Time = time.UnixMicro(*w.Time).UTC()
	}
	return c, nil
}

// SearchKey is the form in which names are compared by CustomerFilter.Name:
// NFC, Unicode case-folded, with runs of white space collapsed to one space
// and trimmed. Adapters store SearchKey(first + " " + last) and match the
// filter's SearchKey as a substring, so every adapter agrees.
func SearchKey(s string) string {
	s = textnorm.NFC(cases.Fold().String(textnorm.NFC(s)))
	return strings.Join(strings.Fields(s), " ")
}
