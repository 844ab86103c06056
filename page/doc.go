// Package page holds the types of keyset pagination that every list of the
// library takes and returns: a [Request] (a size and an opaque cursor), a
// [Page] of items with the cursor of the next one, and [All], which turns a
// list method into an iterator over every item.
//
// It is a leaf package for application code: a handler lists customers with
// clientele's services and page alone, without importing the storage
// contract. storage re-exports these types for adapters (storage.PageRequest
// is page.Request).
//
// Cursors are opaque, URL-safe tokens. Each is bound to the list that issued
// it: a cursor of the groups list given to the customers list returns
// [ErrInvalidCursor], as does a token that was altered.
package page
