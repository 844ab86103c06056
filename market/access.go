package market

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
)

// ErrAccessDenied is the sentinel every access denial unwraps to.
var ErrAccessDenied = errcode.New(errcode.Denied, "market: access denied")

// The reasons for a denial; each satisfies errors.Is(err, ErrAccessDenied).
var (
	// ErrDisabled: the market is disabled and admits nobody.
	ErrDisabled = fmt.Errorf("%w: market is disabled", ErrAccessDenied)
	// ErrPrivate: the market is private and the visitor is anonymous, a
	// guest, not active or deleted.
	ErrPrivate = fmt.Errorf("%w: market is private to registered, active customers", ErrAccessDenied)
	// ErrNotMember: the customer is registered and active but belongs to
	// none of the market's access groups.
	ErrNotMember = fmt.Errorf("%w: customer is not in any of the market's access groups", ErrAccessDenied)
	// ErrNoMarket: the Market has no ID, as the zero value (a market that
	// was never loaded): the rule fails closed instead of treating it as
	// a public market.
	ErrNoMarket = fmt.Errorf("%w: no market (the zero Market)", ErrAccessDenied)
	// ErrNotVerified: the market is private, requires verified customers
	// (RequireVerified) and the customer, a member, is not verified
	// (unverified, pending or rejected).
	ErrNotVerified = fmt.Errorf("%w: market requires a verified customer", ErrAccessDenied)
)

// Access decides whether c may buy in the market and returns nil when they
// may, or ErrNoMarket, ErrDisabled, ErrPrivate or ErrNotMember. c == nil means an
// anonymous visitor; memberOf lists the IDs of the groups c belongs to (only
// its intersection with AccessGroups matters, so a caller may pass just
// those). The rule:
//
//   - a Market without an ID (the zero value) admits nobody;
//   - a disabled market admits nobody;
//   - a public market admits everyone, anonymous visitors included;
//   - a private market admits a customer that has an account, is in
//     customer.StateActive, is not deleted and is a member of at least one
//     of the market's access groups.
//
// A private market with RequireVerified also needs the customer verified,
// which Access does not know: it answers ErrNotVerified for such a market
// (it fails closed); use AccessWith.
func (m Market) Access(c *customer.Customer, memberOf []uuid.UUID) error {
	return m.AccessWith(c, memberOf, false)
}

// AccessWith is Access knowing whether c's identity verification is
// verified: a private market with RequireVerified admits a member only
// when verified is true (ErrNotVerified otherwise, decided after
// membership); any other market ignores verified.
func (m Market) AccessWith(c *customer.Customer, memberOf []uuid.UUID, verified bool) error {
	if m.ID == uuid.Nil {
		return ErrNoMarket
	}
	if m.Disabled {
		return ErrDisabled
	}
	if !m.IsPrivate() {
		return nil
	}
	if c == nil || !c.HasAccount || c.State != customer.StateActive || c.DeletedAt != nil {
		return ErrPrivate
	}
	for _, id := range memberOf {
		if id != uuid.Nil && m.HasAccessGroup(id) {
			if m.RequireVerified && !verified {
				return ErrNotVerified
			}
			return nil
		}
	}
	return ErrNotMember
}

// CanAccess reports whether Access(c, memberOf) admits the visitor.
func (m Market) CanAccess(c *customer.Customer, memberOf []uuid.UUID) bool {
	return m.Access(c, memberOf) == nil
}
