package clienteletest

import (
	"context"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
)

// Scenario is the data Seed loads: a small shop with a public market, a
// private market for VIPs, and customers at every stage.
type Scenario struct {
	// Merchant owns both markets.
	Merchant merchant.Merchant
	// Public is the public EUR market "eu".
	Public market.Market
	// VIPMarket is the private EUR market "vip", open to the VIP group.
	VIPMarket market.Market
	// VIP is the group that unlocks VIPMarket.
	VIP group.Group
	// Guest checked out once without an account (status acquired).
	Guest customer.Customer
	// Regular is a registered customer with no orders (status prospect).
	Regular customer.Customer
	// Member is a registered VIP with two orders (status repeat), a default
	// address and 50.00 EUR of store credit.
	Member customer.Customer
	// Business is a registered business customer with a 500.00 EUR credit
	// limit.
	Business customer.Customer
}

// Seed loads the Scenario into the environment's store and returns it with
// every record as stored after the last change.
func (e *Env) Seed() Scenario {
	e.TB.Helper()
	ctx := context.Background()
	var s Scenario
	s.Merchant = e.MustMerchant("Acme Outfitters")
	s.VIP = e.MustGroup("VIP")
	s.Public = e.MustMarket(s.Merchant.ID, "eu", "EUR")
	s.VIPMarket = e.MustMarket(s.Merchant.ID, "vip", "EUR", Private(s.VIP.ID))

	guest := e.MustGuest(Email("grace.guest@example.com"), Name("Grace", "Guest"))
	e.MustPlaceOrder(guest.ID, "order-1001", "24.90 EUR")

	s.Regular = e.MustRegister(Email("rita.regular@example.com"), Name("Rita", "Regular"))

	member := e.MustRegister(Email("vera.vip@example.com"), Name("Vera", "Vip"), Tags("vip", "newsletter"))
	e.MustJoin(s.VIP.ID, member.ID)
	e.MustAddAddress(member.ID, address.Patch{})
	e.MustPlaceOrder(member.ID, "order-1002", "120.00 EUR")
	e.MustPlaceOrder(member.ID, "order-1003", "80.00 EUR")
	e.MustCredit(member.ID, "50.00 EUR")

	business := e.MustRegister(Email("billing@bauhaus-gmbh.example"), Name("Bruno", "Bauer"),
		Business("Bauhaus GmbH", "DE123456789"))
	_, err := e.Service.Balances.SetCreditLimit(ctx, business.ID, MustMoney(e.TB, "500.00 EUR"))
	e.must(err, "set credit limit")

	s.Guest = e.mustReload(guest)
	s.Member = e.mustReload(member)
	s.Business = e.mustReload(business)
	return s
}

func (e *Env) mustReload(c customer.Customer) customer.Customer {
	e.TB.Helper()
	got, err := e.Service.Customers.Get(context.Background(), c.ID)
	e.must(err, "reload customer %s", c.ID)
	return got
}
