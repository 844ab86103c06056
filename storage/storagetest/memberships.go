package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

// timedMembershipCases are the promises of storage.TimedMemberships: a
// membership counts in its window [From, Until), judged at the caller's
// time, and is kept outside it.
func timedMembershipCases() []testCase {
	return []testCase{
		{"ExpiresAtUntil", timedExpiresAtUntil},
		{"NotYetValid", timedNotYetValid},
		{"ListsSkipOutsideWindow", timedListsSkipOutsideWindow},
		{"ZeroTimeIgnoresWindows", timedZeroTimeIgnoresWindows},
		{"AddMemberForReportsBefore", timedAddMemberForReportsBefore},
		{"AddMemberKeepsWindow", timedAddMemberKeepsWindow},
		{"SetMemberValidity", timedSetMemberValidity},
		{"SetMemberValidityNotMember", timedSetNotMember},
		{"InvalidWindowWritesNothing", timedInvalidWindow},
		{"MicrosecondsUTC", timedMicrosecondsUTC},
		{"DeletedCustomer", timedDeletedCustomer},
		{"RemoveForgetsWindow", timedRemoveForgetsWindow},
		{"GroupDeleteForgetsWindows", timedGroupDeleteForgetsWindows},
		{"RollbackLeavesWindow", timedRollback},
		{"RaceWindowChangeVsRemoval", timedRaceSetVsRemove},
		{"RaceAddForVsRemoval", timedRaceAddForVsRemove},
	}
}

// timed returns the store's TimedMemberships, or skips the test.
func timed(t testing.TB, r storage.Groups) storage.TimedMemberships {
	t.Helper()
	s, ok := r.(storage.TimedMemberships)
	if !ok {
		t.Skipf("the groups repository (%T) lacks the storage.TimedMemberships capability", r)
	}
	return s
}

// addFor adds a membership with the window v that must be new.
func (e *env) addFor(groupID, customerID uuid.UUID, v group.Validity) {
	e.t.Helper()
	added, _, err := timed(e.t, e.store.Groups()).AddMemberFor(e.ctx, groupID, customerID, v)
	require.NoError(e.t, err)
	require.True(e.t, added, "AddMemberFor of a new membership reported added=false")
}

func (e *env) memberOfAt(customerID uuid.UUID, at time.Time, groupIDs ...uuid.UUID) []uuid.UUID {
	e.t.Helper()
	out, err := timed(e.t, e.store.Groups()).MemberOfAt(e.ctx, customerID, groupIDs, at)
	require.NoError(e.t, err)
	return out
}

func (e *env) window(groupID, customerID uuid.UUID) (group.Validity, error) {
	return timed(e.t, e.store.Groups()).Membership(e.ctx, groupID, customerID)
}

// seasonEnd is a fixed instant, far from the env's clock, with microseconds.
var seasonEnd = time.Date(2031, 3, 1, 0, 0, 0, 123456000, time.UTC)

// timedExpiresAtUntil: a membership that expires at T counts at T-1µs and
// not at T, by the time the caller passes.
func timedExpiresAtUntil(t *testing.T, e *env) {
	g, c := e.createGroup("Season VIP"), e.newCustomer()
	e.addFor(g.ID, c.ID, group.Validity{Until: seasonEnd})
	before := seasonEnd.Add(-time.Microsecond)
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOfAt(c.ID, before, g.ID), "a microsecond before Until")
	assertIDs(t, nil, e.memberOfAt(c.ID, seasonEnd, g.ID), "at Until")
	assertIDs(t, nil, e.memberOfAt(c.ID, seasonEnd.Add(time.Hour), g.ID), "after Until")
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, GroupAt: before}))
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, GroupAt: seasonEnd}))
	assertIDs(t, []uuid.UUID{g.ID}, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID, MemberAt: before}, 0)))
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID, MemberAt: seasonEnd}, 0)))
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err, "an expired membership is kept")
	assert.True(t, v.Equal(group.Validity{Until: seasonEnd}), "window %+v", v)
}

// timedNotYetValid: a membership from T counts at T and not at T-1µs.
func timedNotYetValid(t *testing.T, e *env) {
	g, c := e.createGroup("Next season"), e.newCustomer()
	from := seasonEnd
	e.addFor(g.ID, c.ID, group.Validity{From: from, Until: from.Add(24 * time.Hour)})
	assertIDs(t, nil, e.memberOfAt(c.ID, from.Add(-time.Microsecond), g.ID), "before From")
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOfAt(c.ID, from, g.ID), "at From")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, GroupAt: from.Add(-time.Microsecond)}))
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, GroupAt: from}))
}

// timedListsSkipOutsideWindow: the lists page through the members in
// their window only, in order, whatever the page size.
func timedListsSkipOutsideWindow(t *testing.T, e *env) {
	g := e.createGroup("Mixed")
	at := seasonEnd
	var want []uuid.UUID
	for i := range 7 {
		c := e.newCustomer()
		switch i % 3 {
		case 0:
			e.addMember(g.ID, c.ID)
			want = append(want, c.ID)
		case 1:
			e.addFor(g.ID, c.ID, group.Validity{Until: at}) // expired at at
		case 2:
			e.addFor(g.ID, c.ID, group.Validity{From: at.Add(-time.Hour), Until: at.Add(time.Microsecond)})
			want = append(want, c.ID)
		}
	}
	for _, limit := range []int{0, 1, 2} {
		assertIDs(t, want, customerIDs(e.listCustomers(storage.CustomerFilter{GroupID: g.ID, GroupAt: at}, limit)), "pages of %d", limit)
	}
	c := e.newCustomer()
	a, b, d := e.createGroup("A"), e.createGroup("B"), e.createGroup("D")
	e.addFor(a.ID, c.ID, group.Validity{From: at})
	e.addFor(b.ID, c.ID, group.Validity{Until: at})
	e.addMember(d.ID, c.ID)
	for _, limit := range []int{0, 1} {
		assertIDs(t, expectedGroupIDs(a, d), groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID, MemberAt: at}, limit)), "pages of %d", limit)
	}
	assert.ElementsMatch(t, []uuid.UUID{a.ID, d.ID}, e.memberOfAt(c.ID, at, a.ID, b.ID, d.ID))
}

// timedZeroTimeIgnoresWindows: MemberOf, and lists with a zero time, see
// every membership whatever its window.
func timedZeroTimeIgnoresWindows(t *testing.T, e *env) {
	g, c := e.createGroup("G"), e.newCustomer()
	e.addFor(g.ID, c.ID, group.Validity{Until: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)})
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(c.ID, g.ID))
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOfAt(c.ID, time.Time{}, g.ID))
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}))
	assertIDs(t, []uuid.UUID{g.ID}, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID}, 0)))
}

// timedAddMemberForReportsBefore: AddMemberFor adds, or sets an existing
// membership's window and returns the one it had.
func timedAddMemberForReportsBefore(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g, c := e.createGroup("G"), e.newCustomer()
	v1 := group.Validity{Until: seasonEnd}
	added, before, err := r.AddMemberFor(e.ctx, g.ID, c.ID, v1)
	require.NoError(t, err)
	assert.True(t, added)
	assert.True(t, before.IsZero())
	v2 := group.Validity{From: seasonEnd.Add(-time.Hour), Until: seasonEnd.Add(time.Hour)}
	added, before, err = r.AddMemberFor(e.ctx, g.ID, c.ID, v2)
	require.NoError(t, err)
	assert.False(t, added, "re-adding is not a new membership")
	assert.True(t, before.Equal(v1), "before %+v", before)
	added, before, err = r.AddMemberFor(e.ctx, g.ID, c.ID, v2)
	require.NoError(t, err)
	assert.False(t, added)
	assert.True(t, before.Equal(v2), "the same window again")
	added, before, err = r.AddMemberFor(e.ctx, g.ID, c.ID, group.Validity{})
	require.NoError(t, err)
	assert.False(t, added)
	assert.True(t, before.Equal(v2))
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, v.IsZero(), "the zero window makes the membership permanent")
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOfAt(c.ID, seasonEnd.Add(100*time.Hour), g.ID))
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}), "one membership")
}

// timedAddMemberKeepsWindow: AddMember leaves an existing membership's
// window alone and reports added=false.
func timedAddMemberKeepsWindow(t *testing.T, e *env) {
	g, c := e.createGroup("G"), e.newCustomer()
	v := group.Validity{From: seasonEnd}
	e.addFor(g.ID, c.ID, v)
	added, err := e.store.Groups().AddMember(e.ctx, g.ID, c.ID)
	require.NoError(t, err)
	assert.False(t, added)
	got, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, got.Equal(v))
}

// timedSetMemberValidity: SetMemberValidity changes the window of an
// existing membership and returns the previous one.
func timedSetMemberValidity(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g, c := e.createGroup("G"), e.newCustomer()
	e.addMember(g.ID, c.ID)
	v := group.Validity{Until: seasonEnd}
	before, err := r.SetMemberValidity(e.ctx, g.ID, c.ID, v)
	require.NoError(t, err)
	assert.True(t, before.IsZero())
	assertIDs(t, nil, e.memberOfAt(c.ID, seasonEnd, g.ID), "the new window applies")
	before, err = r.SetMemberValidity(e.ctx, g.ID, c.ID, group.Validity{})
	require.NoError(t, err)
	assert.True(t, before.Equal(v))
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOfAt(c.ID, seasonEnd, g.ID))
}

// timedSetNotMember: SetMemberValidity and Membership answer ErrNotFound
// for a missing membership or group, and write nothing.
func timedSetNotMember(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g, c := e.createGroup("G"), e.newCustomer()
	_, err := r.SetMemberValidity(e.ctx, g.ID, c.ID, group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.SetMemberValidity(e.ctx, e.id(), c.ID, group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = e.window(g.ID, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	assertIDs(t, nil, e.memberOf(c.ID, g.ID))
	_, _, err = r.AddMemberFor(e.ctx, e.id(), c.ID, group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrNotFound, "unknown group")
	_, _, err = r.AddMemberFor(e.ctx, g.ID, e.id(), group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrCustomerNotLive, "unknown customer")
}

// timedInvalidWindow: Until <= From is a *group.ValidationError and
// writes nothing.
func timedInvalidWindow(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g, c := e.createGroup("G"), e.newCustomer()
	bad := group.Validity{From: seasonEnd, Until: seasonEnd}
	_, _, err := r.AddMemberFor(e.ctx, g.ID, c.ID, bad)
	require.ErrorIs(t, err, group.ErrInvalid)
	assertIDs(t, nil, e.memberOf(c.ID, g.ID))
	e.addMember(g.ID, c.ID)
	_, err = r.SetMemberValidity(e.ctx, g.ID, c.ID, group.Validity{From: seasonEnd, Until: seasonEnd.Add(-time.Microsecond)})
	require.ErrorIs(t, err, group.ErrInvalid)
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, v.IsZero())
}

// timedMicrosecondsUTC: a window is stored in UTC at microsecond precision.
func timedMicrosecondsUTC(t *testing.T, e *env) {
	g, c := e.createGroup("G"), e.newCustomer()
	zone := time.FixedZone("UTC+5", 5*3600)
	in := group.Validity{From: seasonEnd.Add(-time.Hour).In(zone).Add(999 * time.Nanosecond), Until: seasonEnd.In(zone)}
	e.addFor(g.ID, c.ID, in)
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, time.UTC, v.From.Location())
	assert.Equal(t, time.UTC, v.Until.Location())
	assert.Equal(t, seasonEnd.Add(-time.Hour), v.From, "truncated to the microsecond")
	assert.Equal(t, seasonEnd, v.Until)
}

// timedDeletedCustomer: a deleted customer gets no timed membership, new
// or changed.
func timedDeletedCustomer(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g, c, d := e.createGroup("G"), e.newCustomer(), e.newCustomer()
	e.addMember(g.ID, d.ID)
	e.deleteCustomer(c.ID)
	e.deleteCustomer(d.ID)
	_, _, err := r.AddMemberFor(e.ctx, g.ID, c.ID, group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrCustomerNotLive)
	_, _, err = r.AddMemberFor(e.ctx, g.ID, d.ID, group.Validity{Until: seasonEnd})
	require.ErrorIs(t, err, storage.ErrCustomerNotLive, "an existing membership of a deleted customer")
	v, err := e.window(g.ID, d.ID)
	require.NoError(t, err)
	assert.True(t, v.IsZero(), "unchanged")
}

// timedRemoveForgetsWindow: removing a membership removes its window; a
// later AddMember makes a membership without one.
func timedRemoveForgetsWindow(t *testing.T, e *env) {
	g, c := e.createGroup("G"), e.newCustomer()
	e.addFor(g.ID, c.ID, group.Validity{Until: seasonEnd})
	removed, err := e.store.Groups().RemoveMember(e.ctx, g.ID, c.ID)
	require.NoError(t, err)
	require.True(t, removed)
	_, err = e.window(g.ID, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	e.addMember(g.ID, c.ID)
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, v.IsZero())
}

// timedGroupDeleteForgetsWindows: deleting a group deletes its memberships'
// windows; a group made again with its ID starts with none.
func timedGroupDeleteForgetsWindows(t *testing.T, e *env) {
	g, c := e.createGroup("G"), e.newCustomer()
	e.addFor(g.ID, c.ID, group.Validity{Until: seasonEnd})
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))
	_, err := e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	_, err = e.window(g.ID, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	e.addMember(g.ID, c.ID)
	v, err := e.window(g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, v.IsZero())
}

// timedRollback: a failed transaction leaves neither a new timed
// membership nor a changed window behind.
func timedRollback(t *testing.T, e *env) {
	g, c, d := e.createGroup("G"), e.newCustomer(), e.newCustomer()
	e.addFor(g.ID, d.ID, group.Validity{Until: seasonEnd})
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		r := timed(t, tx.Groups())
		if _, _, err := r.AddMemberFor(ctx, g.ID, c.ID, group.Validity{From: seasonEnd}); err != nil {
			return err
		}
		if _, err := r.SetMemberValidity(ctx, g.ID, d.ID, group.Validity{}); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = e.window(g.ID, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	v, err := e.window(g.ID, d.ID)
	require.NoError(t, err)
	assert.True(t, v.Equal(group.Validity{Until: seasonEnd}), "window %+v", v)
}

// timedRaceSetVsRemove: a window change racing a removal either happens
// before it (and the removal removes the membership) or finds no
// membership; the membership never survives the removal.
func timedRaceSetVsRemove(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g := e.createGroup("G")
	for round := range 8 {
		c := e.newCustomer()
		e.addFor(g.ID, c.ID, group.Validity{Until: seasonEnd})
		var removed bool
		errs := race(2, func(i int) error {
			if i == 0 {
				_, err := r.SetMemberValidity(e.ctx, g.ID, c.ID, group.Validity{From: seasonEnd})
				return err
			}
			var err error
			removed, err = e.store.Groups().RemoveMember(e.ctx, g.ID, c.ID)
			return err
		})
		if errs[0] != nil {
			require.ErrorIs(t, errs[0], storage.ErrNotFound, "round %d: the change lost to the removal", round)
		}
		require.NoError(t, errs[1], "round %d", round)
		assert.True(t, removed, "round %d: the removal found the membership", round)
		_, err := e.window(g.ID, c.ID)
		require.ErrorIs(t, err, storage.ErrNotFound, "round %d: no membership survives the removal", round)
		assertIDs(t, nil, e.memberOf(c.ID, g.ID))
	}
}

// timedRaceAddForVsRemove: AddMemberFor racing RemoveMember ends in one of
// the two serial orders: a membership with the new window, or none.
func timedRaceAddForVsRemove(t *testing.T, e *env) {
	r := timed(t, e.store.Groups())
	g := e.createGroup("G")
	v := group.Validity{From: seasonEnd}
	for round := range 8 {
		c := e.newCustomer()
		e.addFor(g.ID, c.ID, group.Validity{Until: seasonEnd})
		var (
			added, removed bool
		)
		errs := race(2, func(i int) error {
			var err error
			if i == 0 {
				added, _, err = r.AddMemberFor(e.ctx, g.ID, c.ID, v)
			} else {
				removed, err = e.store.Groups().RemoveMember(e.ctx, g.ID, c.ID)
			}
			return err
		})
		require.NoError(t, errors.Join(errs...), "round %d", round)
		assert.True(t, removed, "round %d", round)
		got, err := e.window(g.ID, c.ID)
		if added {
			// Removed first, then added anew with the window.
			require.NoError(t, err, "round %d", round)
			assert.True(t, got.Equal(v), "round %d: window %+v", round, got)
		} else {
			// Changed first, then removed.
			require.ErrorIs(t, err, storage.ErrNotFound, "round %d", round)
		}
	}
}
