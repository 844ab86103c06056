package storage

import (
	"strings"

	"golang.org/x/text/cases"

	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/page"
)

// The pagination types of the contract are those of package page, which
// application code imports without the contract.
type (
	// PageRequest asks for one page of a list; see page.Request.
	PageRequest = page.Request
	// Page is one page of a list; see page.Page.
	Page[T any] = page.Page[T]
	// Cursor is a decoded keyset position; see page.Cursor.
	Cursor = page.Cursor
)

// Page size limits shared by every list method.
const (
	DefaultPageLimit = page.DefaultLimit
	MaxPageLimit     = page.MaxLimit
)

// The names of the lists whose cursors adapters issue (Cursor.List). A
// cursor issued by one list is refused by every other with
// ErrInvalidCursor.
const (
	ListCustomers = "customers"
	ListGroups    = "groups"
	ListMerchants = "merchants"
	ListMarkets   = "markets"
	ListPostings  = "postings"
	ListOrders    = "orders"
)

// ParseCursor decodes a token that Cursor.String made for the list named
// list; see page.ParseCursor. Errors wrap ErrInvalidCursor.
func ParseCursor(list, s string) (Cursor, error) { return page.ParseCursor(list, s) }

// SearchKey is the form in which names are compared by CustomerFilter.Name:
// NFC, Unicode case-folded, with runs of white space collapsed to one space
// and trimmed. Adapters store SearchKey(first + " " + last) and match the
// filter's SearchKey as a substring, so every adapter agrees.
func SearchKey(s string) string {
	s = textnorm.NFC(cases.Fold().String(textnorm.NFC(s)))
	return strings.Join(strings.Fields(s), " ")
}
