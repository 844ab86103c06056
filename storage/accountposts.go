package storage

import (
	"context"

	"github.com/clientele-go/clientele/balance"
)

// AccountPosts is an optional capability of a Balances repository (found
// with a type assertion on what Balances() returns, on a Store and on a
// Tx): a posting to a customer's account whose ID the caller does not
// know, found and locked in the statement that checks the posting, with
// the expiry postings it made first. A posting then costs the round trips
// of Post alone, where without it the services read the account (a locking
// read), then post, then expire the due lots in a write of their own.
type AccountPosts interface {
	// PostToCustomer is Post (same checks, same errors, same atomic
	// write) to the account of p.CustomerID in p.Amount's currency when
	// p.AccountID is zero, or to p.AccountID (which must be the
	// customer's) when it is set. With the CreditLots capability it
	// returns the expiry postings of the lots due at p.CreatedAt, which
	// it stores first. Errors: those of Post; ErrNotFound (not wrapping
	// ErrCustomerNotLive) when the customer has no account in the
	// currency.
	PostToCustomer(ctx context.Context, p balance.Posting) (Posted, error)
}

// Posted is what AccountPosts.PostToCustomer did.
type Posted struct {
	// Account is the account as it was locked, before the posting and
	// its expiries; each of them moved its Version up by one.
	Account balance.Account
	// Expired are the expiry postings of the lots due at the posting's
	// time, stored before it, in order (none without the CreditLots
	// capability).
	Expired []balance.Posting
	// Posting is the stored posting.
	Posting balance.Posting
}
