package market_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
)

func visitor(hasAccount bool, state customer.State, deleted bool) *customer.Customer {
	c := &customer.Customer{
		ID:         uuid.MustParse("c0000000-0000-0000-0000-000000000001"),
		HasAccount: hasAccount,
		State:      state,
	}
	if deleted {
		at := t0
		c.DeletedAt = &at
	}
	return c
}

func TestAccessMatrix(t *testing.T) {
	vip, wholesale, other := gid(1), gid(2), gid(3)

	public := newMarket(t)
	disabledPublic := newMarket(t, func(p *market.Params) { p.Disabled = true })
	private := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{vip, wholesale} })
	disabledPrivate := newMarket(t, func(p *market.Params) {
		p.AccessGroups = []uuid.UUID{vip}
		p.Disabled = true
	})

	var (
		anonymous     *customer.Customer
		guest         = visitor(false, customer.StateGuest, false)
		invited       = visitor(true, customer.StateInvited, false)
		active        = visitor(true, customer.StateActive, false)
		disabled      = visitor(true, customer.StateDisabled, false)
		erased        = visitor(true, customer.StateErased, true)
		deletedActive = visitor(true, customer.StateActive, true)
		guestActive   = visitor(false, customer.StateActive, false) // inconsistent, still no account
	)

	tests := []struct {
		name     string
		market   market.Market
		c        *customer.Customer
		memberOf []uuid.UUID
		want     error // nil: admitted
	}{
		// A disabled market admits nobody, members included.
		{"disabled public / anonymous", disabledPublic, anonymous, nil, market.ErrDisabled},
		{"disabled public / active", disabledPublic, active, nil, market.ErrDisabled},
		{"disabled private / active member", disabledPrivate, active, []uuid.UUID{vip}, market.ErrDisabled},

		// A public market admits everyone.
		{"public / anonymous", public, anonymous, nil, nil},
		{"public / guest", public, guest, nil, nil},
		{"public / invited", public, invited, nil, nil},
		{"public / disabled customer", public, disabled, nil, nil},
		{"public / active", public, active, []uuid.UUID{other}, nil},

		// A private market admits only registered, active, live members.
		{"private / anonymous", private, anonymous, nil, market.ErrPrivate},
		{"private / anonymous claiming membership", private, anonymous, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / guest", private, guest, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / guest flagged active", private, guestActive, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / invited member", private, invited, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / disabled member", private, disabled, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / erased member", private, erased, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / deleted active member", private, deletedActive, []uuid.UUID{vip}, market.ErrPrivate},
		{"private / active non-member", private, active, nil, market.ErrNotMember},
		{"private / active in other groups", private, active, []uuid.UUID{other, gid(4)}, market.ErrNotMember},
		{"private / active, nil uuid in memberOf", private, active, []uuid.UUID{uuid.Nil}, market.ErrNotMember},
		{"private / active member", private, active, []uuid.UUID{vip}, nil},
		{"private / active member of the second group", private, active, []uuid.UUID{other, wholesale}, nil},
		{"private / active member of both", private, active, []uuid.UUID{wholesale, vip}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.market.Access(tt.c, tt.memberOf)
			assert.Equal(t, tt.want == nil, tt.market.CanAccess(tt.c, tt.memberOf))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, market.ErrAccessDenied)
		})
	}
}

func TestAccessErrors(t *testing.T) {
	reasons := []error{market.ErrNoMarket, market.ErrDisabled, market.ErrPrivate, market.ErrNotMember, market.ErrNotVerified}
	for i, a := range reasons {
		assert.ErrorIs(t, a, market.ErrAccessDenied)
		for j, b := range reasons {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
		assert.NotErrorIs(t, a, market.ErrInvalid)
		assert.NotErrorIs(t, a, market.ErrNotFound)
	}
	assert.NotErrorIs(t, market.ErrAccessDenied, market.ErrDisabled)
}

func TestZeroMarketAdmitsNobody(t *testing.T) {
	var zero market.Market // public-looking: no access groups, not disabled
	assert.ErrorIs(t, zero.Access(nil, nil), market.ErrNoMarket)
	assert.False(t, zero.CanAccess(nil, nil))
}

func TestAccessDoesNotDependOnTime(t *testing.T) {
	// DeletedAt in the future still counts as deleted: the domain does not
	// read the clock.
	m := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{gid(1)} })
	c := visitor(true, customer.StateActive, false)
	future := time.Now().Add(24 * time.Hour)
	c.DeletedAt = &future
	assert.ErrorIs(t, m.Access(c, []uuid.UUID{gid(1)}), market.ErrPrivate)
}

func TestAccessRequireVerified(t *testing.T) {
	vip := gid(1)
	private := newMarket(t, func(p *market.Params) { p.AccessGroups = []uuid.UUID{vip}; p.RequireVerified = true })
	public := newMarket(t, func(p *market.Params) { p.RequireVerified = true })
	member := visitor(true, customer.StateActive, false)
	in := []uuid.UUID{vip}

	assert.NoError(t, private.AccessWith(member, in, true), "a verified member gets in")
	assert.ErrorIs(t, private.AccessWith(member, in, false), market.ErrNotVerified, "an unverified member does not")
	assert.ErrorIs(t, private.AccessWith(member, in, false), market.ErrAccessDenied)
	assert.ErrorIs(t, private.Access(member, in), market.ErrNotVerified, "Access fails closed")
	assert.ErrorIs(t, private.AccessWith(member, nil, true), market.ErrNotMember, "verified is no membership")
	assert.ErrorIs(t, private.AccessWith(nil, nil, true), market.ErrPrivate)
	assert.NoError(t, public.AccessWith(nil, nil, false), "a public market ignores it")
	assert.NoError(t, public.Access(member, nil))

	private.RequireVerified = false
	assert.NoError(t, private.Access(member, in), "without the flag nothing changes")

	m := newMarket(t)
	require.NoError(t, m.Apply(market.Patch{RequireVerified: ptrBool(true)}, t0))
	assert.True(t, m.RequireVerified)
	assert.False(t, market.Patch{RequireVerified: ptrBool(false)}.IsZero())
}

func ptrBool(b bool) *bool { return &b }
