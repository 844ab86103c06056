package clientele

import (
	"context"
	"iter"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
)

// The All methods walk every page of a list for the caller, in the manner
// of Stripe's Go SDK:
//
//	for c, err := range svc.Customers.All(ctx, customer.Filter{Tags: []string{"vip"}}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// Each fetches pages of page.DefaultLimit with the matching List method and
// yields its errors, after which the iteration ends. Items written while
// iterating may or may not be seen; none is seen twice.

// All iterates over every customer matching f, in List's order.
func (s *Customers) All(ctx context.Context, f customer.Filter) iter.Seq2[customer.Customer, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[customer.Customer], error) {
		return s.List(ctx, f, r)
	})
}

// All iterates over every group, in List's order.
func (s *Groups) All(ctx context.Context) iter.Seq2[group.Group, error] {
	return page.All(ctx, 0, s.List)
}

// AllMembers iterates over every live member of the group, in Members'
// order.
func (s *Groups) AllMembers(ctx context.Context, groupID uuid.UUID) iter.Seq2[customer.Customer, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[customer.Customer], error) {
		return s.Members(ctx, groupID, r)
	})
}

// AllGroupsOf iterates over every group the customer belongs to, in
// GroupsOf's order.
func (s *Groups) AllGroupsOf(ctx context.Context, customerID uuid.UUID) iter.Seq2[group.Group, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[group.Group], error) {
		return s.GroupsOf(ctx, customerID, r)
	})
}

// All iterates over every merchant, in List's order.
func (s *Merchants) All(ctx context.Context) iter.Seq2[merchant.Merchant, error] {
	return page.All(ctx, 0, s.List)
}

// All iterates over every market matching f, in List's order.
func (s *Markets) All(ctx context.Context, f market.Filter) iter.Seq2[market.Market, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[market.Market], error) {
		return s.List(ctx, f, r)
	})
}

// AllHistory iterates over the customer's whole ledger in currency c,
// oldest posting first.
func (s *Balances) AllHistory(ctx context.Context, customerID uuid.UUID, c balance.Currency) iter.Seq2[balance.Posting, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[balance.Posting], error) {
		return s.History(ctx, customerID, c, r)
	})
}

// AllHistory iterates over every order of the customer, oldest first.
func (s *Orders) AllHistory(ctx context.Context, customerID uuid.UUID) iter.Seq2[order.Order, error] {
	return page.All(ctx, 0, func(ctx context.Context, r page.Request) (page.Page[order.Order], error) {
		return s.History(ctx, customerID, r)
	})
}
