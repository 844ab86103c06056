package storage

import (
	"context"

	"github.com/clientele-go/clientele/customer"
)

// CustomerSkeletons is an optional capability of a Customers repository
// (found with a type assertion on what Customers() returns, on a Store and
// on a Tx): finding live customers by the look-alike key of their email,
// which registration uses to refuse an address that passes for another
// customer's. A repository without it still works; the services then
// answer registrations with ErrUnsupported unless look-alike addresses are
// allowed (clientele.WithConfusableEmails(true)).
type CustomerSkeletons interface {
	// ListByEmailSkeleton returns the live customers with the has_account
	// flag whose address has the look-alike key skeleton (that is,
	// customer.EmailSkeleton(c.Email.Address) == skeleton), ordered by
	// (CreatedAt, ID) ascending, one page at a time: the customers whose
	// addresses look like one another, which registration refuses to add
	// to. Adapters keep the key in an index, so a call costs O(log n +
	// page size), and keep it current on every write. Errors:
	// ErrInvalidCursor; *LimitError when skeleton is longer than
	// MaxKeyBytes.
	ListByEmailSkeleton(ctx context.Context, skeleton string, hasAccount bool, p PageRequest) (Page[customer.Customer], error)
}

// ListEmailSkeleton names the cursors of CustomerSkeletons.ListByEmailSkeleton.
const ListEmailSkeleton = "email_skeleton"

// CustomerEmailLookup is an optional capability of a Customers repository
// (found with a type assertion, like CustomerSkeletons): finding the live
// customer with an address whether or not they have an account, in one
// read. Without it, the services ask GetByEmail twice (the registered
// customer, then the guest).
type CustomerEmailLookup interface {
	// LookupEmail returns the live customer with the canonical email
	// address: the registered one (HasAccount) when there is one, the
	// guest otherwise. The lookup is byte-exact on the canonical form, as
	// GetByEmail's. Errors: ErrNotFound; *LimitError when canonicalEmail
	// is longer than MaxKeyBytes.
	LookupEmail(ctx context.Context, canonicalEmail string) (customer.Customer, error)
}
