package clientele_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage/memory"
)

// A season's VIPs: a membership that expires at the season's end grants
// access to the private market until a microsecond before it, and not at
// it, by the service's clock; nothing has to delete it.
func ExampleGroups_AddMembersFor() {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	svc := clientele.New(memory.New(), clientele.WithClock(func() time.Time { return now }))

	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	vip, _ := svc.Groups.Create(ctx, clientele.GroupParams{Name: "Summer VIP"})
	acme, _ := svc.Merchants.Create(ctx, merchant.Params{Name: "Acme",
		BillingAddress: address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}})
	lounge, _ := svc.Markets.Create(ctx, market.Params{MerchantID: acme.ID, Code: "lounge", Name: "VIP lounge",
		BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"), AccessGroups: []uuid.UUID{vip.ID}})

	seasonEnd := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	res, _ := svc.Groups.AddMembersFor(ctx, vip.ID, []uuid.UUID{ada.ID}, group.Validity{Until: seasonEnd})
	fmt.Println(res[0].Outcome)

	for _, at := range []time.Time{seasonEnd.Add(-time.Microsecond), seasonEnd} {
		now = at
		ok, _ := svc.Markets.CanAccess(ctx, lounge.ID, ada.ID)
		members, _ := svc.Groups.Members(ctx, vip.ID, page.Request{})
		fmt.Println(at.Format(time.RFC3339Nano), "access:", ok, "members:", len(members.Items))
	}

	// Next season: extend the kept membership.
	m, _ := svc.Groups.SetMemberValidity(ctx, vip.ID, ada.ID, group.Validity{Until: seasonEnd.AddDate(1, 0, 0)})
	ok, _ := svc.Markets.CanAccess(ctx, lounge.ID, ada.ID)
	fmt.Println("until", m.Until.Format(time.DateOnly), "access:", ok)
	// Output:
	// added
	// 2025-08-31T23:59:59.999999Z access: true members: 1
	// 2025-09-01T00:00:00Z access: false members: 0
	// until 2026-09-01 access: true
}
