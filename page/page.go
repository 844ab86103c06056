package page

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/clientele-go/clientele/errcode"
)

// Size limits shared by every list.
const (
	// DefaultLimit is the page size when Request.Limit is zero or less.
	DefaultLimit = 50
	// MaxLimit caps Request.Limit.
	MaxLimit = 1000
)

// ErrInvalidCursor reports a cursor that the list was given but did not
// issue: malformed, altered, or issued by another list. It unwraps to
// errcode.Invalid.
var ErrInvalidCursor = errcode.New(errcode.Invalid, "page: invalid cursor")

// Request asks for one page of a list.
type Request struct {
	// Limit is the maximum number of items; zero or less means
	// DefaultLimit, more than MaxLimit means MaxLimit.
	Limit int `json:"limit,omitempty"`
	// Cursor is the Next value of the previous page; empty for the first.
	Cursor string `json:"cursor,omitempty"`
}

// Size returns the effective page size.
func (r Request) Size() int {
	switch {
	case r.Limit <= 0:
		return DefaultLimit
	case r.Limit > MaxLimit:
		return MaxLimit
	default:
		return r.Limit
	}
}

// Page is one page of a list.
type Page[T any] struct {
	// Items are the page's items in the list's order (never nil in JSON:
	// an empty page is "items": []).
	Items []T `json:"items"`
	// Next is the cursor of the following page, empty on the last page.
	Next string `json:"next,omitempty"`
}

// MarshalJSON writes an empty page's Items as [] rather than null.
func (p Page[T]) MarshalJSON() ([]byte, error) {
	type wire Page[T]
	w := wire(p)
	if w.Items == nil {
		w.Items = []T{}
	}
	return json.Marshal(w)
}

// All returns an iterator over every item of a list, fetching one page at a
// time with list, starting from the first page and asking for pages of
// size items (0 for DefaultLimit). An error ends the iteration after it is
// yielded. Items added or removed while iterating may or may not be seen,
// but no item is seen twice: keyset cursors resume after the last item.
//
//	for c, err := range page.All(ctx, 100, func(ctx context.Context, r page.Request) (page.Page[customer.Customer], error) {
//		return svc.Customers.List(ctx, customer.Filter{}, r)
//	}) { ... }
//
// The services offer the same as methods (svc.Customers.All).
func All[T any](ctx context.Context, size int, list func(context.Context, Request) (Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		r := Request{Limit: size}
		for {
			p, err := list(ctx, r)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
			}
			if p.Next == "" {
				return
			}
			r.Cursor = p.Next
		}
	}
}

// Cursor is a decoded keyset position: the list it belongs to and the sort
// key of the last item of a page. Which key fields a list uses depends on
// its order (Time and Key for (CreatedAt, ID) orders, Seq for ledger
// sequences). Storage adapters encode it with String and decode it with
// ParseCursor, so that cursors look the same on every adapter.
type Cursor struct {
	// List names the list that issued the cursor ("customers", "groups",
	// "postings" ...); ParseCursor refuses a cursor of another list.
	List string
	Time time.Time // microsecond precision, like stored times
	Key  string
	Seq  int64
}

// wireCursor is a Cursor's token before base64: the time as microseconds
// since the Unix epoch, which every time a store keeps fits (JSON's RFC 3339
// times cannot hold years outside 0000..9999).
type wireCursor struct {
	List string `json:"l"`
	Time *int64 `json:"t,omitempty"`
	Key  string `json:"k,omitempty"`
	Seq  int64  `json:"s,omitempty"`
}

// String encodes the cursor as an opaque URL-safe token.
func (c Cursor) String() string {
	w := wireCursor{List: c.List, Key: c.Key, Seq: c.Seq}
	if !c.Time.IsZero() {
		us := c.Time.UnixMicro()
		w.Time = &us
	}
	b, _ := json.Marshal(w) // a struct of plain fields always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// maxCursorBytes bounds the token ParseCursor decodes: a cursor holds a
// time, a short key and a list name.
const maxCursorBytes = 1024

// ParseCursor decodes a token that Cursor.String made for the list named
// list. The empty string is the zero Cursor (the first page). A token that
// is malformed, too long or issued by another list returns an error
// wrapping ErrInvalidCursor whose text does not repeat the token.
func ParseCursor(list, s string) (Cursor, error) {
	c := Cursor{List: list}
	if s == "" {
		return c, nil
	}
	if len(s) > maxCursorBytes {
		return c, fmt.Errorf("%w: longer than %d bytes", ErrInvalidCursor, maxCursorBytes)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, fmt.Errorf("%w: not a cursor token", ErrInvalidCursor)
	}
	var w wireCursor
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil || dec.More() {
		return c, fmt.Errorf("%w: not a cursor token", ErrInvalidCursor)
	}
	if w.List != list {
		return c, fmt.Errorf("%w: the cursor was not issued by the %s list", ErrInvalidCursor, list)
	}
	c.Key, c.Seq = w.Key, w.Seq
	if w.Time != nil {
		c.Time = time.UnixMicro(*w.Time).UTC()
	}
	return c, nil
}
