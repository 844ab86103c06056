package clientele_test

import (
	"context"
	"encoding/json"
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
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// TestTimedMembershipServiceClock: on every engine, a membership that
// expires at T grants market access, is listed and counted at T-1µs by
// the service clock, and not at T; one valid from T not before T.
func TestTimedMembershipServiceClock(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		clock := clienteletest.NewClock(clienteletest.Epoch, 0) // frozen: the test sets it
		e := clienteletest.New(t, clienteletest.WithStore(s), clienteletest.WithClock(clock))
		ctx := context.Background()
		svc := e.Service
		vip := e.MustGroup("Season VIP")
		next := e.MustGroup("Next season")
		m := e.MustMarket(e.MustMerchant("Acme").ID, "vip", "EUR", clienteletest.Private(vip.ID))
		m2 := e.MustMarket(e.MustMerchant("Beta").ID, "next", "EUR", clienteletest.Private(next.ID))
		ada, bob := e.MustRegister(), e.MustRegister()
		T := clienteletest.Epoch.Add(90 * 24 * time.Hour).Add(123 * time.Microsecond)
		e.MustJoinFor(vip.ID, group.Validity{Until: T}, ada.ID)
		e.MustJoin(vip.ID, bob.ID)
		e.MustJoinFor(next.ID, group.Validity{From: T}, ada.ID)

		check := func(at time.Time, adaInVIP bool) {
			t.Helper()
			clock.Set(at)
			ok, err := svc.Markets.CanAccess(ctx, m.ID, ada.ID)
			require.NoError(t, err)
			assert.Equal(t, adaInVIP, ok, "access to the VIP market at %v", at)
			err = svc.Markets.Access(ctx, m2.ID, ada.ID)
			if adaInVIP {
				require.ErrorIs(t, err, market.ErrNotMember, "next season's market before From")
			} else {
				require.NoError(t, err, "next season's market from From")
			}
			members, err := svc.Groups.Members(ctx, vip.ID, page.Request{})
			require.NoError(t, err)
			want := []uuid.UUID{bob.ID}
			if adaInVIP {
				want = []uuid.UUID{ada.ID, bob.ID}
			}
			assert.ElementsMatch(t, want, customerIDList(members.Items), "members at %v", at)
			listed, err := svc.Customers.List(ctx, customer.Filter{GroupID: vip.ID}, page.Request{})
			require.NoError(t, err)
			assert.ElementsMatch(t, want, customerIDList(listed.Items), "customers listed by group at %v", at)
			groups, err := svc.Groups.GroupsOf(ctx, ada.ID, page.Request{})
			require.NoError(t, err)
			if adaInVIP {
				assert.Equal(t, []uuid.UUID{vip.ID}, groupIDsOf(groups.Items))
			} else {
				assert.Equal(t, []uuid.UUID{next.ID}, groupIDsOf(groups.Items))
			}
		}
		check(T.Add(-time.Microsecond), true)
		check(T, false)
		check(T.Add(time.Hour), false)

		// The expired membership is kept: its window can be extended.
		ms, err := svc.Groups.Membership(ctx, vip.ID, ada.ID)
		require.NoError(t, err)
		assert.True(t, ms.Until.Equal(T))
		e.TakeEvents()
		_, err = svc.Groups.SetMemberValidity(ctx, vip.ID, ada.ID, group.Validity{Until: T.Add(2 * time.Hour)})
		require.NoError(t, err)
		ok, err := svc.Markets.CanAccess(ctx, m.ID, ada.ID)
		require.NoError(t, err)
		assert.True(t, ok, "extended")
		evs := e.TakeEvents()
		require.Len(t, evs, 1)
		assert.Equal(t, event.GroupMemberValidityChanged, evs[0].Type)
		p, err := event.Decode[event.MemberPayload](evs[0])
		require.NoError(t, err)
		assert.True(t, p.Validity.Until.Equal(T.Add(2*time.Hour)))
		require.NotNil(t, p.Before)
		assert.True(t, p.Before.Until.Equal(T))
	})
}

func customerIDList(cs []customer.Customer) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func groupIDsOf(gs []group.Group) []uuid.UUID {
	out := make([]uuid.UUID, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

// TestAddMembersFor: outcomes, events and errors of the timed batch.
func TestAddMembersFor(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	g := e.MustGroup("VIP")
	ada, bob, cy := e.MustRegister(), e.MustRegister(), e.MustRegister()
	gone := e.MustRegister()
	require.NoError(t, e.Service.Customers.Delete(ctx, gone.ID))
	e.MustJoin(g.ID, ada.ID)
	until := clienteletest.Epoch.Add(time.Hour)
	e.MustJoinFor(g.ID, group.Validity{Until: until}, bob.ID)
	e.TakeEvents()

	v := group.Validity{From: clienteletest.Epoch, Until: clienteletest.Epoch.Add(24 * time.Hour).Add(1500 * time.Nanosecond)}
	res, err := e.Service.Groups.AddMembersFor(ctx, g.ID, []uuid.UUID{ada.ID, bob.ID, cy.ID, gone.ID, cy.ID}, v)
	require.NoError(t, err)
	assert.Equal(t, []clientele.MemberOutcome{clientele.MemberValidityChanged, clientele.MemberValidityChanged,
		clientele.MemberAdded, clientele.MemberFailed, clientele.MemberAlreadyMember}, outcomes(res))
	require.ErrorIs(t, res[3].Err, customer.ErrNotFound)
	evs := e.TakeEvents()
	require.Len(t, evs, 3)
	types := []event.Type{evs[0].Type, evs[1].Type, evs[2].Type}
	assert.Equal(t, []event.Type{event.GroupMemberValidityChanged, event.GroupMemberValidityChanged, event.GroupMemberAdded}, types)
	want := v.Normalize()
	for i, ev := range evs {
		p, err := event.Decode[event.MemberPayload](ev)
		require.NoError(t, err)
		assert.True(t, p.Validity.Equal(want), "event %d carries the window (µs): %+v", i, p.Validity)
		switch i {
		case 0:
			require.NotNil(t, p.Before)
			assert.True(t, p.Before.IsZero(), "ada had no window")
		case 1:
			require.NotNil(t, p.Before)
			assert.True(t, p.Before.Until.Equal(until))
		case 2:
			assert.Nil(t, p.Before, "a new member has no previous window")
		}
	}
	ms, err := e.Service.Groups.Membership(ctx, g.ID, cy.ID)
	require.NoError(t, err)
	assert.True(t, ms.Validity.Equal(want))
	assert.Equal(t, time.UTC, ms.Until.Location())
	assert.Equal(t, 0, ms.Until.Nanosecond()%1000, "microseconds")
	b, err := json.Marshal(ms)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"valid_until":"2025-01-02T09:00:00.000001Z"`)

	// AddMembers keeps a window as it is.
	res, err = e.Service.Groups.AddMembers(ctx, g.ID, []uuid.UUID{cy.ID})
	require.NoError(t, err)
	assert.Equal(t, clientele.MemberAlreadyMember, res[0].Outcome)
	ms, err = e.Service.Groups.Membership(ctx, g.ID, cy.ID)
	require.NoError(t, err)
	assert.True(t, ms.Validity.Equal(want))

	// Bad input.
	_, err = e.Service.Groups.AddMembersFor(ctx, g.ID, []uuid.UUID{ada.ID}, group.Validity{From: until, Until: until})
	var ve *group.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "valid_until", ve.Field)
	_, err = e.Service.Groups.AddMembersFor(ctx, uuid.New(), []uuid.UUID{ada.ID}, v)
	require.ErrorIs(t, err, group.ErrNotFound)
	_, err = e.Service.Groups.SetMemberValidity(ctx, g.ID, gone.ID, v)
	require.ErrorIs(t, err, group.ErrNotMember)
	_, err = e.Service.Groups.SetMemberValidity(ctx, uuid.New(), ada.ID, v)
	require.ErrorIs(t, err, group.ErrNotFound)
	_, err = e.Service.Groups.Membership(ctx, g.ID, gone.ID)
	require.ErrorIs(t, err, group.ErrNotMember)
	assert.Empty(t, e.TakeEvents(), "failed calls emit nothing")

	// The same window again changes nothing and emits nothing.
	_, err = e.Service.Groups.SetMemberValidity(ctx, g.ID, cy.ID, v)
	require.NoError(t, err)
	assert.Empty(t, e.TakeEvents())
}

// TestMergeKeepsMembershipWindow: merging moves a timed membership with its
// window.
func TestMergeKeepsMembershipWindow(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	g := e.MustGroup("VIP")
	dup, surv := e.MustRegister(), e.MustRegister()
	v := group.Validity{Until: clienteletest.Epoch.Add(time.Hour)}
	e.MustJoinFor(g.ID, v, dup.ID)
	_, err := e.Service.Customers.Merge(staff(ctx), dup.ID, surv.ID)
	require.NoError(t, err)
	ms, err := e.Service.Groups.Membership(ctx, g.ID, surv.ID)
	require.NoError(t, err)
	assert.True(t, ms.Validity.Equal(v), "window %+v", ms.Validity)
}
