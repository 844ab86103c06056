package storage_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/clientele-go/clientele/storage"
)

// An adapter encodes the sort key of a page's last item as the opaque Next
// token, and decodes the token the caller sends back for the next page.
func ExampleCursor() {
	next := storage.Cursor{List: storage.ListCustomers, Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), Key: "0195..."}.String()

	c, err := storage.ParseCursor(storage.ListCustomers, next)
	fmt.Println(c.Time, c.Key, err)

	_, err = storage.ParseCursor(storage.ListGroups, next) // another list's cursor
	fmt.Println(errors.Is(err, storage.ErrInvalidCursor))
	// Output:
	// 2025-03-01 12:00:00 +0000 UTC 0195... <nil>
	// true
}

// A ConflictError names the unique constraint a write broke, and is also
// ErrConflict.
func ExampleConflictError() {
	err := storage.Conflict(storage.ConstraintCustomerEmail, nil)

	var ce *storage.ConflictError
	fmt.Println(errors.As(err, &ce) && ce.Constraint == storage.ConstraintCustomerEmail)
	fmt.Println(errors.Is(err, storage.ErrConflict))
	// Output:
	// true
	// true
}
