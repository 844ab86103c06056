package clientele_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

func pricingGroupIDs(gs []pricing.Group) []uuid.UUID {
	var out []uuid.UUID
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

func segmentNames(ss []pricing.Segment) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

// TestPricingContext: on every engine, the pricing context of a guest, a
// VIP whose timed membership expires at T (the group's price list at
// T-1µs, not at T), a B2B buyer (excluding VAT, company, type, a segment
// with its references) and a denial with its reason.
func TestPricingContext(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		clock := clienteletest.NewClock(clienteletest.Epoch, 0)
		e := clienteletest.New(t, clienteletest.WithStore(s), clienteletest.WithClock(clock))
		ctx := context.Background()
		svc := e.Service
		acme := e.MustMerchant("Acme")
		vip := e.MustGroup("Season VIP")
		e.MustGroupRefs(vip.ID, pricing.Refs{PriceList: " pl-vip ", Promotion: "promo-summer"})
		shop := e.MustMarket(acme.ID, "shop", "EUR")
		_, err := svc.Markets.Update(ctx, shop.ID, market.Patch{PriceListRef: ptr("pl-shop"), InventoryModelRef: ptr("wh-1")})
		require.NoError(t, err)
		lounge := e.MustMarket(acme.ID, "lounge", "EUR", clienteletest.Private(vip.ID))
		gross := e.MustMarket(acme.ID, "gross", "EUR", clienteletest.TaxDisplay(market.TaxDisplayGross))
		net := e.MustMarket(acme.ID, "net", "CHF", clienteletest.TaxDisplay(market.TaxDisplayNet), clienteletest.B2B())
		got, err := svc.Markets.Get(ctx, net.ID)
		require.NoError(t, err)
		assert.Equal(t, market.TaxDisplayNet, got.TaxDisplay, "stored")

		b2b, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "Businesses",
			Rule: segment.Cond(segment.FieldType, segment.OpEq, "business")})
		require.NoError(t, err)
		_, err = svc.Pricing.SetSegmentRefs(ctx, b2b.ID, pricing.Refs{Promotion: "promo-b2b", ContentAudience: "aud-b2b"})
		require.NoError(t, err)
		_, err = svc.Segments.Create(ctx, clientele.SegmentParams{Name: "Taggers", Rule: segment.Cond(segment.FieldTag, segment.OpHas, "nobody")})
		require.NoError(t, err)

		ada := e.MustRegister()
		bob := e.MustRegister(clienteletest.Business("Bauhaus GmbH", "DE123456789"))
		T := clienteletest.Epoch.Add(90 * 24 * time.Hour).Add(123 * time.Microsecond)
		e.MustJoinFor(vip.ID, group.Validity{Until: T}, ada.ID)

		// A guest.
		g, err := svc.Pricing.Context(ctx, uuid.Nil, shop.ID)
		require.NoError(t, err)
		assert.True(t, g.Guest)
		assert.Equal(t, uuid.Nil, g.CustomerID)
		assert.Empty(t, g.Groups)
		assert.Empty(t, g.Segments)
		assert.Equal(t, pricing.IncludingVAT, g.TaxDisplay)
		assert.Equal(t, "EUR", g.Currency.Code())
		assert.Equal(t, "pl-shop", g.PriceListRef)
		assert.Equal(t, "wh-1", g.InventoryModelRef)
		assert.Equal(t, acme.ID, g.MerchantID)
		assert.Equal(t, "Acme", g.MerchantName)
		assert.True(t, g.Access.Allowed)
		g, err = svc.Pricing.Context(ctx, uuid.Nil, lounge.ID)
		require.NoError(t, err)
		assert.False(t, g.Access.Allowed)
		assert.Equal(t, pricing.ReasonPrivate, g.Access.Reason)
		assert.ErrorIs(t, g.Access.Err, market.ErrPrivate)
		g, err = svc.Pricing.Context(ctx, uuid.Nil, net.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.ExcludingVAT, g.TaxDisplay, "a net market shows a guest net prices")

		// The VIP at T-1µs and at T.
		clock.Set(T.Add(-time.Microsecond))
		v, err := svc.Pricing.Context(ctx, ada.ID, lounge.ID)
		require.NoError(t, err)
		assert.False(t, v.Guest)
		assert.Equal(t, ada.ID, v.CustomerID)
		assert.Equal(t, customer.TypePrivate, v.CustomerType)
		assert.Equal(t, pricing.IncludingVAT, v.TaxDisplay)
		require.Equal(t, []uuid.UUID{vip.ID}, pricingGroupIDs(v.Groups))
		assert.Equal(t, pricing.Refs{PriceList: "pl-vip", Promotion: "promo-summer"}, v.Groups[0].Refs)
		assert.Equal(t, "Season VIP", v.Groups[0].Name)
		assert.True(t, v.Groups[0].ValidUntil.Equal(T), "the window's end: %v", v.Groups[0].ValidUntil)
		assert.True(t, v.Access.Allowed)
		assert.Empty(t, v.Segments)
		v, err = svc.Pricing.Context(ctx, ada.ID, shop.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"pl-vip", "pl-shop"}, v.PriceListRefs())

		clock.Set(T)
		v, err = svc.Pricing.Context(ctx, ada.ID, shop.ID)
		require.NoError(t, err)
		assert.Empty(t, v.Groups, "expired at T")
		assert.Equal(t, []string{"pl-shop"}, v.PriceListRefs())
		v, err = svc.Pricing.Context(ctx, ada.ID, lounge.ID)
		require.NoError(t, err)
		assert.False(t, v.Access.Allowed)
		assert.Equal(t, pricing.ReasonNotMember, v.Access.Reason)
		assert.ErrorIs(t, v.Access.Err, market.ErrNotMember)

		// The B2B buyer.
		b, err := svc.Pricing.Context(ctx, bob.ID, shop.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.TypeBusiness, b.CustomerType)
		assert.Equal(t, "Bauhaus GmbH", b.Company)
		assert.Equal(t, "DE123456789", b.VATID)
		assert.Equal(t, pricing.ExcludingVAT, b.TaxDisplay)
		assert.Equal(t, []string{"Businesses"}, segmentNames(b.Segments))
		assert.Equal(t, pricing.Refs{Promotion: "promo-b2b", ContentAudience: "aud-b2b"}, b.Segments[0].Refs)
		assert.True(t, b.Access.Allowed)
		b, err = svc.Pricing.Context(ctx, bob.ID, gross.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.IncludingVAT, b.TaxDisplay, "a gross market shows everyone gross prices")
		b, err = svc.Pricing.Context(ctx, bob.ID, lounge.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.ReasonNotMember, b.Access.Reason)

		// A disabled market.
		_, err = svc.Markets.Update(ctx, shop.ID, market.Patch{Disabled: ptr(true)})
		require.NoError(t, err)
		b, err = svc.Pricing.Context(ctx, bob.ID, shop.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.ReasonDisabled, b.Access.Reason)

		// Errors.
		_, err = svc.Pricing.Context(ctx, uuid.New(), shop.ID)
		assert.ErrorIs(t, err, customer.ErrNotFound)
		_, err = svc.Pricing.Context(ctx, bob.ID, uuid.New())
		assert.ErrorIs(t, err, market.ErrNotFound)
	})
}

// TestPricingRefs: on every engine, setting a group's or a segment's
// references emits an event when they change and nothing when they do
// not; bad input and unknown IDs are errors that change nothing.
func TestPricingRefs(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := context.Background()
		svc := e.Service
		g := e.MustGroup("VIP")
		sg, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "All", Rule: segment.All()})
		require.NoError(t, err)
		drain(t, svc, "all")

		r, err := svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{PriceList: " pl-1 "})
		require.NoError(t, err)
		assert.Equal(t, pricing.Refs{PriceList: "pl-1"}, r)
		_, err = svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{PriceList: "pl-1"})
		require.NoError(t, err)
		_, err = svc.Pricing.SetSegmentRefs(ctx, sg.ID, pricing.Refs{ContentAudience: "aud"})
		require.NoError(t, err)
		evs := drain(t, svc, "all")
		assert.Equal(t, []event.Type{event.GroupRefsChanged, event.SegmentRefsChanged}, types(evs))

		_, err = svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{Promotion: strings.Repeat("x", pricing.MaxRefLength+1)})
		assert.ErrorIs(t, err, pricing.ErrInvalid)
		_, err = svc.Pricing.SetGroupRefs(ctx, uuid.New(), pricing.Refs{PriceList: "x"})
		assert.ErrorIs(t, err, group.ErrNotFound)
		_, err = svc.Pricing.SetSegmentRefs(ctx, uuid.New(), pricing.Refs{PriceList: "x"})
		assert.ErrorIs(t, err, segment.ErrNotFound)
		assert.Empty(t, drain(t, svc, "all"))

		got, err := svc.Pricing.GroupRefs(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.Refs{PriceList: "pl-1"}, got)
		got, err = svc.Pricing.SegmentRefs(ctx, sg.ID)
		require.NoError(t, err)
		assert.Equal(t, pricing.Refs{ContentAudience: "aud"}, got)
		_, err = svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{})
		require.NoError(t, err)
		got, err = svc.Pricing.GroupRefs(ctx, g.ID)
		require.NoError(t, err)
		assert.True(t, got.IsZero())

		// A deleted group takes its references with it.
		require.NoError(t, svc.Segments.Delete(ctx, sg.ID))
		_, err = svc.Pricing.SegmentRefs(ctx, sg.ID)
		assert.ErrorIs(t, err, segment.ErrNotFound)
	})
}

// TestPricingContextRequiresVerified: on every engine, a member of a
// private market's access group is denied it with the reason not_verified
// while the market requires verified customers and the member is not (nor
// while the review is pending), and allowed once approved.
func TestPricingContextRequiresVerified(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := context.Background()
		g := e.MustGroup("Verified VIP")
		vault := e.MustMarket(e.MustMerchant("Acme").ID, "vault", "EUR", clienteletest.Private(g.ID), clienteletest.RequireVerified())
		ada := e.MustRegister()
		e.MustJoin(g.ID, ada.ID)

		denied := func(step string) {
			t.Helper()
			c, err := e.Service.Pricing.Context(ctx, ada.ID, vault.ID)
			require.NoError(t, err, step)
			assert.False(t, c.Access.Allowed, step)
			assert.Equal(t, pricing.ReasonNotVerified, c.Access.Reason, step)
			assert.ErrorIs(t, c.Access.Err, market.ErrNotVerified, step)
			assert.ErrorIs(t, c.Access.Err, market.ErrAccessDenied, step)
			assert.Equal(t, []uuid.UUID{g.ID}, pricingGroupIDs(c.Groups), "%s: the member's groups are listed", step)
		}
		denied("never reviewed")
		e.MustSubmitVerification(ada.ID)
		denied("pending review")

		e.MustVerify(ada.ID)
		c, err := e.Service.Pricing.Context(ctx, ada.ID, vault.ID)
		require.NoError(t, err)
		assert.True(t, c.Access.Allowed, "verified: %+v", c.Access)
		assert.Empty(t, c.Access.Reason)
		assert.NoError(t, c.Access.Err)
	})
}

// TestPricingContextManyGroups: on every engine, a customer in more groups
// than a context lists (pricing.MaxGroups, the first by ID) gets into a
// private market whose access group is not among those listed: with the
// list cut (GroupsTruncated), access asks about the market's access groups
// themselves.
func TestPricingContextManyGroups(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := context.Background()
		ada, bob := e.MustRegister(), e.MustRegister()
		// One transaction for the setup: the service's calls join it.
		var last uuid.UUID
		err := s.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			last = uuid.Nil
			for i := range pricing.MaxGroups + 1 {
				g, err := e.Service.Groups.Create(ctx, clientele.GroupParams{Name: fmt.Sprintf("many-%03d", i)})
				if err != nil {
					return err
				}
				if _, err := e.Service.Groups.AddMembers(ctx, g.ID, []uuid.UUID{ada.ID}); err != nil {
					return err
				}
				if bytes.Compare(g.ID[:], last[:]) > 0 {
					last = g.ID
				}
			}
			return nil
		})
		require.NoError(t, err)
		// The group with the highest ID sorts after the first MaxGroups.
		lounge := e.MustMarket(e.MustMerchant("Acme").ID, "lounge", "EUR", clienteletest.Private(last))

		c, err := e.Service.Pricing.Context(ctx, ada.ID, lounge.ID)
		require.NoError(t, err)
		assert.True(t, c.GroupsTruncated)
		require.Len(t, c.Groups, pricing.MaxGroups)
		assert.NotContains(t, pricingGroupIDs(c.Groups), last, "the access group is beyond the list")
		assert.True(t, c.Access.Allowed, "a member of the access group: %+v", c.Access)

		// Someone in none of them is still kept out.
		c, err = e.Service.Pricing.Context(ctx, bob.ID, lounge.ID)
		require.NoError(t, err)
		assert.False(t, c.GroupsTruncated)
		assert.Equal(t, pricing.ReasonNotMember, c.Access.Reason)
	})
}
