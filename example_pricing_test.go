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
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage/memory"
)

// The pricing context of a guest, a season's VIP and a B2B buyer in one
// market: what the host's pricing, promotion and content engines need.
func ExamplePricing_Context() {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	svc := clientele.New(memory.New(), clientele.WithClock(func() time.Time { return now }))

	acme, _ := svc.Merchants.Create(ctx, merchant.Params{Name: "Acme",
		BillingAddress: address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}})
	shop, _ := svc.Markets.Create(ctx, market.Params{MerchantID: acme.ID, Code: "de", Name: "Acme Germany",
		BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"),
		PriceListRef: "pl-de", InventoryModelRef: "wh-berlin"}) // TaxDisplay: by customer (the default)

	vip, _ := svc.Groups.Create(ctx, clientele.GroupParams{Name: "Summer VIP"})
	_, _ = svc.Pricing.SetGroupRefs(ctx, vip.ID, pricing.Refs{PriceList: "pl-vip", Promotion: "promo-summer"})
	biz, _ := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "Businesses",
		Rule: segment.Cond(segment.FieldType, segment.OpEq, "business")})
	_, _ = svc.Pricing.SetSegmentRefs(ctx, biz.ID, pricing.Refs{PriceList: "pl-wholesale", ContentAudience: "b2b"})

	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	seasonEnd := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	_, _ = svc.Groups.AddMembersFor(ctx, vip.ID, []uuid.UUID{ada.ID}, group.Validity{Until: seasonEnd})
	bob, _ := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com",
		Type: customer.TypeBusiness, Company: "Bauhaus GmbH", VATID: "DE123456789"})

	show := func(who string, id uuid.UUID) {
		c, err := svc.Pricing.Context(ctx, id, shop.ID)
		if err != nil {
			fmt.Println(err)
			return
		}
		kind := "guest"
		if !c.Guest {
			kind = c.CustomerType.String()
		}
		fmt.Printf("%s: %s company=%q tax=%s currency=%s price lists=%v",
			who, kind, c.Company, c.TaxDisplay, c.Currency.Code(), c.PriceListRefs())
		for _, g := range c.Groups {
			fmt.Printf(" group=%s(until %s, promo %s)", g.Name, g.ValidUntil.Format(time.DateOnly), g.Refs.Promotion)
		}
		for _, s := range c.Segments {
			fmt.Printf(" segment=%s(audience %s)", s.Name, s.Refs.ContentAudience)
		}
		fmt.Printf(" inventory=%s merchant=%s allowed=%v\n", c.InventoryModelRef, c.MerchantName, c.Access.Allowed)
	}
	show("guest", uuid.Nil)
	show("VIP", ada.ID)
	show("B2B", bob.ID)
	now = seasonEnd
	show("VIP after the season", ada.ID)
	// Output:
	// guest: guest company="" tax=including_vat currency=EUR price lists=[pl-de] inventory=wh-berlin merchant=Acme allowed=true
	// VIP: private company="" tax=including_vat currency=EUR price lists=[pl-vip pl-de] group=Summer VIP(until 2025-09-01, promo promo-summer) inventory=wh-berlin merchant=Acme allowed=true
	// B2B: business company="Bauhaus GmbH" tax=excluding_vat currency=EUR price lists=[pl-wholesale pl-de] segment=Businesses(audience b2b) inventory=wh-berlin merchant=Acme allowed=true
	// VIP after the season: private company="" tax=including_vat currency=EUR price lists=[pl-de] inventory=wh-berlin merchant=Acme allowed=true
}
