// Package pricing is the pricing context: what a host's pricing, promotion
// and content engines need to know about a visitor in a market, answered in
// one call (Pricing.Context of package clientele). It is pure: no I/O.
//
// A Context carries the customer's type and company, the tax display
// (prices including or excluding VAT: the market's setting,
// market.TaxDisplay, and by default the customer's type), the market's
// currency, price list and inventory references, the merchant, the groups
// whose memberships are in force at the service clock (timed memberships
// judged at Context.At), the segments the customer is in (at most
// MaxSegments evaluated), the host references (Refs) those groups and
// segments carry, and whether the visitor may buy (Access, with the reason
// of a denial). A guest (no customer) gets a context too: no groups, no
// segments, prices including VAT unless the market shows net prices.
//
// # JSON form
//
// Context marshals with the json tags of its fields, times in UTC
// (RFC 3339), for example:
//
//	{"at":"2026-06-01T12:00:00Z","customer_id":"…","guest":false,
//	 "customer_type":"business","company":"Acme GmbH","vat_id":"DE123456789",
//	 "tax_display":"excluding_vat","market_id":"…","market_code":"de-b2b",
//	 "currency":"EUR","price_list_ref":"pl-de","inventory_model_ref":"wh-de",
//	 "merchant_id":"…","merchant_name":"Shop",
//	 "groups":[{"id":"…","name":"VIP","valid_until":"2026-09-01T00:00:00Z",
//	            "refs":{"price_list_ref":"pl-vip"}}],
//	 "segments":[{"id":"…","name":"Big spenders","refs":{"promotion_ref":"promo-7"}}],
//	 "access":{"allowed":true}}
//
// A denial reads "access":{"allowed":false,"reason":"not_member",
// "message":"market: access denied: customer is not in any of the market's
// access groups"}; the reasons are the names of the Reason constants
// (Reason.String). An allowed access has no reason (the zero Reason, left
// out).
package pricing
