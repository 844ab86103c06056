package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
)

// CreditLots is an optional capability of a Balances repository (found with
// a type assertion on what Balances() returns, on a Store and on a Tx):
// keeping the credit lots of expiring store credit (see balance.Lot).
//
// A Balances with it keeps the lots in Post, in the same atomic write as
// the posting: holding the account's lock it loads the account's lots as a
// balance.Book and applies the posting with balance.Book.Post, which first
// expires the lots due at the posting's CreatedAt (storing their expiry
// postings before the posting, so the posting's Sequence follows them),
// then makes a lot for a credit or takes a debit from the live lots. So the
// invariant of balance.Book.Check holds after every write, and no debit
// takes from an expired lot. Post stores a posting's ExpiresAt.
//
// A Balances without it still works; the services then refuse a credit
// with an expiry with ErrUnsupported, and expiry runs do nothing.
type CreditLots interface {
	// Lots returns the account's lots, emptied ones included, in the order
	// debits consume them (balance.CompareLots). Errors: ErrNotFound for a
	// missing account.
	Lots(ctx context.Context, accountID uuid.UUID) ([]balance.Lot, error)

	// DueLots returns the lots due at now (Remaining > 0 and ExpiresAt at
	// or before now) of every account, ordered by (ExpiresAt, ID), one page
	// at a time: what an expiry run walks. Adapters keep an index on the
	// expiry, so a page costs O(log n + page size). Errors:
	// ErrInvalidCursor.
	DueLots(ctx context.Context, now time.Time, p PageRequest) (Page[balance.Lot], error)

	// ExpireDue locks the account, expires its lots due at now
	// (balance.Book.Expire) and stores the expiry postings, in one atomic
	// write, returning them in order (none when nothing is due). A lot
	// expires once: a second call finds it empty, and its expiry posting
	// has the idempotency key balance.ExpiryKey(lot), unique per account.
	// Errors: ErrNotFound for a missing account; an error wrapping
	// ErrCustomerNotLive when the account's customer is deleted (checked
	// under the lock). Nothing is written on error.
	ExpireDue(ctx context.Context, accountID uuid.UUID, now time.Time) ([]balance.Posting, error)
}

// ListDueLots names the cursors of CreditLots.DueLots.
const ListDueLots = "due_lots"
