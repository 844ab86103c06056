package sqltest

import (
	"github.com/clientele-go/clientele/pricing"
)

// pricingFaultOps are the writes of the pricing context: the host
// references of groups (the segments' setter runs the same statements on
// its own table).
var pricingFaultOps = []faultOp{
	{
		name: "Pricing.SetGroupRefs",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			_, err := f.svc.Pricing.SetGroupRefs(f.ctx, g, pricing.Refs{PriceList: "pl-old"})
			f.must("set the old references", err)
		},
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Pricing.SetGroupRefs(f.ctx, f.ids["VIP"], pricing.Refs{PriceList: "pl-vip", Promotion: "promo"})
			return r.PriceList + " " + r.Promotion, err
		},
	},
}
