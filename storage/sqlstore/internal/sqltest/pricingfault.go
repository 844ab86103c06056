package sqltest

import (
	"github.com/clientele-go/clientele/pricing"
)

// pricingFaultOps are the writes of the pricing context: the host
// references of groups and of segments.
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
	{
		name: "Pricing.SetSegmentRefs",
		setup: func(f *faultFixture) {
			f.addSegment("vips")
			_, err := f.svc.Pricing.SetSegmentRefs(f.ctx, f.ids["vips"], pricing.Refs{PriceList: "pl-old"})
			f.must("set the old references", err)
		},
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Pricing.SetSegmentRefs(f.ctx, f.ids["vips"], pricing.Refs{PriceList: "pl-vip", Promotion: "promo"})
			return r.PriceList + " " + r.Promotion, err
		},
	},
}
