package clientele_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// segmentsNoPricing is a store with segment definitions but neither
// storage.Pricing, storage.SegmentEvaluation nor timed memberships.
type segmentsNoPricing struct {
	lacking
	storage.Segments
}

// TestPricingContextLacking: on a store without storage.Pricing the
// context is still answered: groups from the list by member (untimed),
// segments by segment.Matches on the customer's facts, no references;
// the reference setters answer ErrUnsupported.
func TestPricingContextLacking(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	full := clientele.New(mem)
	store := segmentsNoPricing{lacking{mem}, mem}
	_, ok := any(store).(storage.Pricing)
	require.False(t, ok)
	_, ok = any(store).(storage.SegmentEvaluation)
	require.False(t, ok)
	_, ok = any(store).(storage.PricingSnapshots)
	require.False(t, ok, "the context is read piece by piece")
	e := clienteletest.New(t, clienteletest.WithStore(store), clienteletest.WithServiceOptions(clientele.WithConfusableEmails(true)))
	svc := e.Service

	vip := e.MustGroup("VIP")
	_, err := full.Pricing.SetGroupRefs(ctx, vip.ID, pricing.Refs{PriceList: "pl-vip"})
	require.NoError(t, err)
	m := e.MustMarket(e.MustMerchant("Acme").ID, "lounge", "EUR", clienteletest.Private(vip.ID))
	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err)
	bob, err := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com", Type: customer.TypeBusiness, Company: "Bauhaus GmbH"})
	require.NoError(t, err)
	_, err = svc.Groups.AddMembers(ctx, vip.ID, []uuid.UUID{ada.ID})
	require.NoError(t, err)
	_, err = full.Segments.Create(ctx, clientele.SegmentParams{Name: "VIP businesses",
		Rule: segment.Any(segment.Cond(segment.FieldType, segment.OpEq, "business"), segment.Cond(segment.FieldGroup, segment.OpHas, vip.ID.String()))})
	require.NoError(t, err)
	_, err = full.Segments.Create(ctx, clientele.SegmentParams{Name: "Nobody", Rule: segment.Cond(segment.FieldTag, segment.OpHas, "x")})
	require.NoError(t, err)

	c, err := svc.Pricing.Context(ctx, ada.ID, m.ID)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{vip.ID}, pricingGroupIDs(c.Groups))
	assert.True(t, c.Groups[0].Refs.IsZero(), "no references without the capability")
	assert.Equal(t, []string{"VIP businesses"}, segmentNames(c.Segments), "by group")
	assert.True(t, c.Access.Allowed)

	c, err = svc.Pricing.Context(ctx, bob.ID, m.ID)
	require.NoError(t, err)
	assert.Empty(t, c.Groups)
	assert.Equal(t, []string{"VIP businesses"}, segmentNames(c.Segments), "by type")
	assert.Equal(t, pricing.ExcludingVAT, c.TaxDisplay)
	assert.Equal(t, pricing.ReasonNotMember, c.Access.Reason)

	c, err = svc.Pricing.Context(ctx, uuid.Nil, m.ID)
	require.NoError(t, err)
	assert.True(t, c.Guest)
	assert.Equal(t, pricing.ReasonPrivate, c.Access.Reason)

	_, err = svc.Pricing.SetGroupRefs(ctx, vip.ID, pricing.Refs{PriceList: "x"})
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Pricing.GroupRefs(ctx, vip.ID)
	assert.ErrorIs(t, err, clientele.ErrUnsupported)

	// Without segments at all: none.
	bare := clientele.New(lacking{mem}, clientele.WithConfusableEmails(true))
	c, err = bare.Pricing.Context(ctx, bob.ID, m.ID)
	require.NoError(t, err)
	assert.Empty(t, c.Segments)
}
