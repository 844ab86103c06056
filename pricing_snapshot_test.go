package clientele_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// withoutSnapshots is a store with every capability Pricing.Context reads
// but storage.PricingSnapshots: the context is read one piece at a time.
type withoutSnapshots struct {
	storage.Store
	storage.Pricing
	storage.Segments
	storage.SegmentEvaluation
	storage.Verifications
	storage.OrderHistory
}

func readsOnly(t *testing.T, s storage.Store) withoutSnapshots {
	t.Helper()
	w := withoutSnapshots{Store: s}
	var ok [5]bool
	w.Pricing, ok[0] = s.(storage.Pricing)
	w.Segments, ok[1] = s.(storage.Segments)
	w.SegmentEvaluation, ok[2] = s.(storage.SegmentEvaluation)
	w.Verifications, ok[3] = s.(storage.Verifications)
	w.OrderHistory, ok[4] = s.(storage.OrderHistory)
	require.Equal(t, [5]bool{true, true, true, true, true}, ok, "%T", s)
	_, snap := s.(storage.PricingSnapshots)
	require.True(t, snap, "%T has the capability", s)
	_, snap = any(w).(storage.PricingSnapshots)
	require.False(t, snap)
	return w
}

// TestPricingContextSnapshot: on every engine, Pricing.Context from the
// one-read snapshot (storage.PricingSnapshots) equals the context read
// piece by piece, for customers with tags, addresses, orders, untimed and
// timed memberships (more than pricing.MaxGroups for one) and
// verifications, in public and private markets, on both sides of a
// membership's end; and the errors are the same.
func TestPricingContextSnapshot(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		clock := clienteletest.NewClock(clienteletest.Epoch, 0)
		e := clienteletest.New(t, clienteletest.WithStore(s), clienteletest.WithClock(clock))
		reads := clientele.New(readsOnly(t, s), clientele.WithClock(clock.Now))
		ctx := actor.NewContext(context.Background(), actor.Staff("ana"))
		svc := e.Service
		T := clienteletest.Epoch.Add(30 * 24 * time.Hour).Add(7 * time.Microsecond)

		vip, season, next := e.MustGroup("VIP"), e.MustGroup(`Säsong "☀"`), e.MustGroup("Next")
		e.MustGroupRefs(season.ID, pricing.Refs{PriceList: "pl-season", Promotion: `promo "q" \ ü`})
		acme := e.MustMerchant("Acme")
		markets := []market.Market{
			e.MustMarket(acme.ID, "shop", "EUR"),
			e.MustMarket(acme.ID, "lounge", "EUR", clienteletest.Private(vip.ID, season.ID)),
			e.MustMarket(acme.ID, "vault", "EUR", clienteletest.Private(next.ID), clienteletest.RequireVerified()),
		}
		for i, r := range []segment.Rule{
			segment.Cond(segment.FieldType, segment.OpEq, "business"),
			segment.Cond(segment.FieldGroup, segment.OpHas, season.ID.String()),
			segment.All(segment.Cond(segment.FieldTag, segment.OpHas, "vip"), segment.Not(segment.Cond(segment.FieldGroup, segment.OpHas, next.ID.String()))),
			segment.Cond(segment.FieldCountry, segment.OpEq, "FR"),
			segment.Cond(segment.FieldSpent, segment.OpGte, "100.00 EUR"),
			segment.Cond(segment.FieldOrderCount, segment.OpGte, "2"),
		} {
			sg, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: fmt.Sprintf("S%d", i), Rule: r})
			require.NoError(t, err)
			if i%2 == 0 {
				_, err = svc.Pricing.SetSegmentRefs(ctx, sg.ID, pricing.Refs{Promotion: fmt.Sprintf("promo-%d", i)})
				require.NoError(t, err)
			}
		}

		var ids []uuid.UUID
		for i := range 8 {
			var opts []clienteletest.CustomerOption
			if i%3 == 0 {
				opts = append(opts, clienteletest.Business(fmt.Sprintf("Firm %d", i), ""))
			}
			if i%2 == 0 {
				opts = append(opts, clienteletest.Tags("vip"))
			}
			c := e.MustRegister(opts...)
			ids = append(ids, c.ID)
			if i%4 != 3 {
				e.MustJoin(vip.ID, c.ID)
			}
			switch i % 3 {
			case 0:
				e.MustJoinFor(season.ID, group.Validity{Until: T}, c.ID)
			case 1:
				e.MustJoinFor(next.ID, group.Validity{From: T}, c.ID)
			}
			if i%2 == 1 {
				e.MustAddAddress(c.ID, address.Patch{Country: ptr([]string{"FR", "DE"}[i%4/2])})
			}
			for k := range i % 3 {
				e.MustPlaceOrder(c.ID, fmt.Sprintf("o-%d-%d", i, k), "75.00 EUR")
			}
			if i%3 != 2 {
				subj := verification.CustomerSubject(c.ID)
				_, err := svc.Verifications.Submit(ctx, subj)
				require.NoError(t, err)
				if i%3 == 0 {
					_, err = svc.Verifications.Approve(ctx, subj)
					require.NoError(t, err)
				}
			}
		}
		// One customer in more groups than a context lists (written to
		// the store directly: the services' events would only slow this).
		for i := range pricing.MaxGroups {
			g, err := group.New(uuid.New(), group.Params{Name: fmt.Sprintf("Crowd %03d", i)}, clienteletest.Epoch)
			require.NoError(t, err)
			_, err = s.Groups().Create(ctx, g)
			require.NoError(t, err)
			_, err = s.Groups().AddMember(ctx, g.ID, ids[0])
			require.NoError(t, err)
		}

		same := func(customerID, marketID uuid.UUID) (pricing.Context, error) {
			t.Helper()
			want, wantErr := reads.Pricing.Context(ctx, customerID, marketID)
			got, err := svc.Pricing.Context(ctx, customerID, marketID)
			if wantErr != nil {
				assert.Equal(t, wantErr.Error(), fmt.Sprint(err))
				return got, err
			}
			require.NoError(t, err)
			assert.Equal(t, want, got, "customer %v, market %v at %v", customerID, marketID, clock.Peek())
			return got, err
		}
		allowed, segs := 0, 0
		for _, at := range []time.Time{T.Add(-time.Microsecond), T} {
			clock.Set(at)
			for _, id := range append(ids, uuid.Nil) {
				for _, m := range markets {
					c, _ := same(id, m.ID)
					if c.Access.Allowed {
						allowed++
					}
					segs += len(c.Segments)
				}
			}
		}
		assert.Positive(t, allowed)
		assert.Positive(t, segs)
		c, err := same(ids[0], markets[1].ID)
		require.NoError(t, err)
		assert.True(t, c.GroupsTruncated)
		assert.Len(t, c.Groups, pricing.MaxGroups)

		_, err = same(uuid.New(), markets[0].ID)
		assert.ErrorIs(t, err, customer.ErrNotFound)
		_, err = same(ids[1], uuid.New())
		assert.ErrorIs(t, err, market.ErrNotFound)
		_, err = same(uuid.Nil, uuid.New())
		assert.ErrorIs(t, err, market.ErrNotFound)
		require.NoError(t, svc.Customers.Delete(ctx, ids[2]))
		_, err = same(ids[2], markets[0].ID)
		assert.ErrorIs(t, err, customer.ErrNotFound)
	})
}
