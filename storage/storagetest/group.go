package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

func groupCases() []testCase {
	return []testCase{
		{"CreateReturnsVersion1", groupCreateReturnsVersion1},
		{"GetMissing", groupGetMissing},
		{"CreateDuplicateID", groupCreateDuplicateID},
		{"NameUniqueByNameKey", groupNameUnique},
		{"GetByName", groupGetByName},
		{"UpdateBumpsVersion", groupUpdateBumpsVersion},
		{"RenameOntoTakenConflicts", groupRenameOntoTaken},
		{"RenameReleasesOldName", groupRenameReleasesOldName},
		{"RenameToOwnNameKey", groupRenameToOwnKey},
		{"UpdateFnErrorWritesNothing", groupUpdateFnError},
		{"UpdateKeepsIDCreatedAtVersion", groupUpdateKeepsIdentity},
		{"UpdateMissing", groupUpdateMissing},
		{"Delete", groupDelete},
		{"DeleteRemovesMemberships", groupDeleteRemovesMemberships},
		{"DeleteMissing", groupDeleteMissing},
		{"DeleteUsedByMarketConflicts", groupDeleteUsedByMarket},
		{"ListOrder", groupListOrder},
		{"ListMemberID", groupListMemberID},
		{"AddMemberReportsAdded", groupAddMember},
		{"AddMemberUnknownGroup", groupAddMemberUnknownGroup},
		{"AddMemberUnknownCustomer", groupAddMemberUnknownCustomer},
		{"AddMemberDeletedCustomer", groupAddMemberDeletedCustomer},
		{"AddMemberVersion", groupAddMemberVersion},
		{"RemoveMember", groupRemoveMember},
		{"RemoveMemberUnknownGroup", groupRemoveMemberUnknownGroup},
		{"MemberOf", groupMemberOf},
	}
}

func (e *env) getGroup(id uuid.UUID) group.Group {
	e.t.Helper()
	g, err := e.store.Groups().Get(e.ctx, id)
	require.NoError(e.t, err, "getting group %s", id)
	return g
}

// listGroups returns every group matching f, walking pages of limit.
func (e *env) listGroups(f storage.GroupFilter, limit int) []group.Group {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[group.Group], error) {
		return e.store.Groups().List(e.ctx, f, p)
	})
}

func groupIDs(gs []group.Group) []uuid.UUID {
	out := make([]uuid.UUID, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

func expectedGroupIDs(gs ...group.Group) []uuid.UUID {
	gs = slices.Clone(gs)
	sortByTimeID(gs, func(g group.Group) (time.Time, uuid.UUID) { return g.CreatedAt, g.ID })
	return groupIDs(gs)
}

func (e *env) memberOf(customerID uuid.UUID, groupIDs ...uuid.UUID) []uuid.UUID {
	e.t.Helper()
	out, err := e.store.Groups().MemberOf(e.ctx, customerID, groupIDs)
	require.NoError(e.t, err)
	return out
}

func groupCreateReturnsVersion1(t *testing.T, e *env) {
	g, err := group.New(e.id(), group.Params{Name: "Wholesale Ünïcode", Description: "Line one\nline two", Metadata: map[string]string{"k": "v", "ключ": "значение"}}, e.now())
	require.NoError(t, err)
	g.Version = 5
	out, err := e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	want := g
	want.Version = 1
	assertGroup(t, want, out, "Create's result")
	assertGroup(t, want, e.getGroup(g.ID), "Get")
	byName, err := e.store.Groups().GetByName(e.ctx, "wholesale ünïcode")
	require.NoError(t, err)
	assertGroup(t, want, byName, "GetByName")
}

func groupGetMissing(t *testing.T, e *env) {
	_, err := e.store.Groups().Get(e.ctx, e.id())
	requireNotFound(t, err)
}

func groupCreateDuplicateID(t *testing.T, e *env) {
	g := e.createGroup("First")
	dup := e.groupAt("Second", e.now())
	dup.ID = g.ID
	_, err := e.store.Groups().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assertGroup(t, g, e.getGroup(g.ID))
	_, err = e.store.Groups().GetByName(e.ctx, "Second")
	requireNotFound(t, err, "nothing is written on conflict")
}

func groupNameUnique(t *testing.T, e *env) {
	g := e.createGroup("VIP Customers")
	for _, name := range []string{"VIP Customers", "vip customers", "  VIP   customers ", "VIP\u00a0Customers"} {
		require.Equal(t, group.NameKey("VIP Customers"), group.NameKey(name))
		_, err := e.store.Groups().Create(e.ctx, e.groupAt(name, e.now()))
		requireConflict(t, err, storage.ConstraintGroupName, "name %q", name)
	}
	// Unicode case folding: ß and SS share a key.
	e.createGroup("Straße")
	_, err := e.store.Groups().Create(e.ctx, e.groupAt("STRASSE", e.now()))
	requireConflict(t, err, storage.ConstraintGroupName)

	e.createGroup("VIP Customers 2")
	gs := e.listGroups(storage.GroupFilter{}, 0)
	assert.Len(t, gs, 3, "only the accepted groups exist")
	assertGroup(t, g, e.getGroup(g.ID))
}

func groupGetByName(t *testing.T, e *env) {
	g := e.createGroup("Gold Members")
	for _, name := range []string{"Gold Members", "gold members", " GOLD   MEMBERS "} {
		got, err := e.store.Groups().GetByName(e.ctx, name)
		require.NoError(t, err, "GetByName(%q)", name)
		assertGroup(t, g, got)
	}
	for _, name := range []string{"Gold", "Gold Members!", ""} {
		_, err := e.store.Groups().GetByName(e.ctx, name)
		requireNotFound(t, err, "GetByName(%q)", name)
	}
}

func groupUpdateBumpsVersion(t *testing.T, e *env) {
	g := e.createGroup("Silver")
	for v := int64(2); v <= 3; v++ {
		now := e.now()
		out, err := e.store.Groups().Update(e.ctx, g.ID, func(g *group.Group) error {
			return g.SetDescription("described at "+now.String(), now)
		})
		require.NoError(t, err)
		assert.Equal(t, v, out.Version)
		assert.Equal(t, "described at "+now.String(), out.Description)
		assertUTC(t, "UpdatedAt", now, out.UpdatedAt)
		assertGroup(t, out, e.getGroup(g.ID))
	}
}

func groupRenameOntoTaken(t *testing.T, e *env) {
	e.createGroup("Alpha")
	b := e.createGroup("Beta")
	_, err := e.store.Groups().Update(e.ctx, b.ID, func(g *group.Group) error {
		return g.Rename("ALPHA", e.now())
	})
	requireConflict(t, err, storage.ConstraintGroupName)
	assertGroup(t, b, e.getGroup(b.ID), "nothing is written on conflict")
	got, err := e.store.Groups().GetByName(e.ctx, "beta")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID, "Beta keeps its name")
}

func groupRenameReleasesOldName(t *testing.T, e *env) {
	g := e.createGroup("Old Name")
	_, err := e.store.Groups().Update(e.ctx, g.ID, func(g *group.Group) error {
		return g.Rename("New Name", e.now())
	})
	require.NoError(t, err)
	_, err = e.store.Groups().GetByName(e.ctx, "Old Name")
	requireNotFound(t, err, "the old name is released")
	got, err := e.store.Groups().GetByName(e.ctx, "new name")
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.ID)
	fresh := e.createGroup("Old Name")
	got, err = e.store.Groups().GetByName(e.ctx, "old name")
	require.NoError(t, err)
	assert.Equal(t, fresh.ID, got.ID)
}

func groupRenameToOwnKey(t *testing.T, e *env) {
	g := e.createGroup("vip")
	out, err := e.store.Groups().Update(e.ctx, g.ID, func(g *group.Group) error {
		return g.Rename("VIP", e.now())
	})
	require.NoError(t, err, "renaming a group to a spelling of its own name key")
	assert.Equal(t, "VIP", out.Name)
	got, err := e.store.Groups().GetByName(e.ctx, "vip")
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.ID)
}

func groupUpdateFnError(t *testing.T, e *env) {
	g := e.createGroup("Steady")
	want := &sentinel{"group update refused"}
	_, err := e.store.Groups().Update(e.ctx, g.ID, func(x *group.Group) error {
		x.Name = "Changed"
		x.Metadata["source"] = "mutated"
		return want
	})
	requireSame(t, want, err)
	assertGroup(t, g, e.getGroup(g.ID), "nothing is written when fn fails")
	_, err = e.store.Groups().GetByName(e.ctx, "Changed")
	requireNotFound(t, err)
}

func groupUpdateKeepsIdentity(t *testing.T, e *env) {
	g := e.createGroup("Identity")
	other := e.id()
	out, err := e.store.Groups().Update(e.ctx, g.ID, func(x *group.Group) error {
		x.ID = other
		x.CreatedAt = x.CreatedAt.Add(time.Hour)
		x.Version = 42
		return x.SetDescription("changed", e.now())
	})
	require.NoError(t, err)
	assert.Equal(t, g.ID, out.ID)
	assertUTC(t, "CreatedAt", g.CreatedAt, out.CreatedAt)
	assert.Equal(t, int64(2), out.Version)
	assertGroup(t, out, e.getGroup(g.ID))
	_, err = e.store.Groups().Get(e.ctx, other)
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{g.ID}, groupIDs(e.listGroups(storage.GroupFilter{}, 0)))
}

func groupUpdateMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Groups().Update(e.ctx, e.id(), func(*group.Group) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing group")
}

func groupDelete(t *testing.T, e *env) {
	g := e.createGroup("Doomed")
	keep := e.createGroup("Kept")
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))
	_, err := e.store.Groups().Get(e.ctx, g.ID)
	requireNotFound(t, err)
	_, err = e.store.Groups().GetByName(e.ctx, "Doomed")
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{keep.ID}, groupIDs(e.listGroups(storage.GroupFilter{}, 0)))
	e.createGroup("Doomed") // the name is free again
	requireNotFound(t, e.store.Groups().Delete(e.ctx, g.ID), "deleting twice")
}

func groupDeleteRemovesMemberships(t *testing.T, e *env) {
	g := e.createGroup("Members")
	other := e.createGroup("Other")
	a := e.newCustomer()
	b := e.newCustomer()
	e.addMember(g.ID, a.ID)
	e.addMember(g.ID, b.ID)
	e.addMember(other.ID, a.ID)
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))

	assertIDs(t, []uuid.UUID{other.ID}, e.memberOf(a.ID, g.ID, other.ID))
	assertIDs(t, nil, e.memberOf(b.ID, g.ID, other.ID))
	assertIDs(t, []uuid.UUID{other.ID}, groupIDs(e.listGroups(storage.GroupFilter{MemberID: a.ID}, 0)))
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: b.ID}, 0)))
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}))
	// The customers themselves are untouched.
	e.getCustomer(a.ID)
	e.getCustomer(b.ID)
}

func groupDeleteMissing(t *testing.T, e *env) {
	requireNotFound(t, e.store.Groups().Delete(e.ctx, e.id()))
}

func groupDeleteUsedByMarket(t *testing.T, e *env) {
	g := e.createGroup("Private Access")
	c := e.newCustomer()
	e.addMember(g.ID, c.ID)
	m := e.createMerchant()
	mk := e.createMarket(m.ID, withAccessGroups(g.ID))

	err := e.store.Groups().Delete(e.ctx, g.ID)
	requireConflict(t, err, storage.ConstraintMarketAccessGroup)
	assertGroup(t, g, e.getGroup(g.ID), "nothing is deleted")
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(c.ID, g.ID), "memberships are kept")
	got, err := e.store.Markets().Get(e.ctx, mk.ID)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{g.ID}, got.AccessGroups)

	// Once no market uses it, the group can go.
	require.NoError(t, e.store.Markets().Delete(e.ctx, mk.ID))
	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))
}

func groupListOrder(t *testing.T, e *env) {
	t0 := e.now()
	var gs []group.Group
	for i, at := range []time.Time{t0.Add(time.Second), t0, t0, t0.Add(-time.Microsecond), t0} {
		g := e.groupAt("Group "+string(rune('A'+i)), at)
		_, err := e.store.Groups().Create(e.ctx, g)
		require.NoError(t, err)
		gs = append(gs, g)
	}
	want := expectedGroupIDs(gs...)
	for _, limit := range []int{0, 1, 2} {
		assertIDs(t, want, groupIDs(e.listGroups(storage.GroupFilter{}, limit)), "ordered by (CreatedAt, ID), pages of %d", limit)
	}
}

func groupListMemberID(t *testing.T, e *env) {
	a := e.createGroup("A")
	b := e.createGroup("B")
	c := e.createGroup("C")
	d := e.createGroup("D")
	x := e.newCustomer()
	y := e.newCustomer()
	e.addMember(d.ID, x.ID) // added out of creation order
	e.addMember(a.ID, x.ID)
	e.addMember(c.ID, x.ID)
	e.addMember(b.ID, y.ID)
	for _, limit := range []int{0, 1, 2} {
		assertIDs(t, expectedGroupIDs(a, c, d), groupIDs(e.listGroups(storage.GroupFilter{MemberID: x.ID}, limit)), "pages of %d", limit)
	}
	assertIDs(t, []uuid.UUID{b.ID}, groupIDs(e.listGroups(storage.GroupFilter{MemberID: y.ID}, 0)))
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: e.id()}, 0)), "unknown customer")
}

func groupAddMember(t *testing.T, e *env) {
	g := e.createGroup("G")
	c := e.newCustomer()
	added, err := e.store.Groups().AddMember(e.ctx, g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, added, "the first AddMember adds")
	added, err = e.store.Groups().AddMember(e.ctx, g.ID, c.ID)
	require.NoError(t, err, "adding an existing member is not an error")
	assert.False(t, added, "the second AddMember reports added=false")
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}), "one membership")
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(c.ID, g.ID))
}

func groupAddMemberUnknownGroup(t *testing.T, e *env) {
	c := e.newCustomer()
	_, err := e.store.Groups().AddMember(e.ctx, e.id(), c.ID)
	requireNotFound(t, err)
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID}, 0)))
}

func groupAddMemberUnknownCustomer(t *testing.T, e *env) {
	g := e.createGroup("G")
	_, err := e.store.Groups().AddMember(e.ctx, g.ID, e.id())
	requireNotLive(t, err)
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, IncludeDeleted: true}))
}

func groupAddMemberDeletedCustomer(t *testing.T, e *env) {
	g := e.createGroup("G")
	c := e.newCustomer()
	e.deleteCustomer(c.ID)
	_, err := e.store.Groups().AddMember(e.ctx, g.ID, c.ID)
	requireNotLive(t, err, "only live customers can join a group")
	assertIDs(t, nil, e.memberOf(c.ID, g.ID))
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID, IncludeDeleted: true}))
}

// groupAddMemberVersion: storage.MemberVersions adds as AddMember does
// and returns the group's current version, with a refusal of the customer
// too; the refusal leaves a transaction usable, as the services' batches
// need.
func groupAddMemberVersion(t *testing.T, e *env) {
	mv, ok := e.store.Groups().(storage.MemberVersions)
	if !ok {
		t.Skipf("the store's Groups (%T) lacks the storage.MemberVersions capability", e.store.Groups())
	}
	g := e.createGroup("G")
	now := e.now()
	_, err := e.store.Groups().Update(e.ctx, g.ID, func(g *group.Group) error { return g.SetDescription("v2", now) })
	require.NoError(t, err)
	c := e.newCustomer()
	added, v, err := mv.AddMemberVersion(e.ctx, g.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, added)
	assert.Equal(t, int64(2), v, "the group's version after one update")
	added, v, err = mv.AddMemberVersion(e.ctx, g.ID, c.ID)
	require.NoError(t, err, "adding an existing member is not an error")
	assert.False(t, added)
	assert.Equal(t, int64(2), v)
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(c.ID, g.ID))

	_, v, err = mv.AddMemberVersion(e.ctx, g.ID, e.id())
	requireNotLive(t, err, "an unknown customer")
	assert.Equal(t, int64(2), v, "a refused customer still tells the group's version")
	gone := e.newCustomer()
	e.deleteCustomer(gone.ID)
	_, _, err = mv.AddMemberVersion(e.ctx, g.ID, gone.ID)
	requireNotLive(t, err, "a deleted customer")
	_, v, err = mv.AddMemberVersion(e.ctx, e.id(), c.ID)
	requireNotFound(t, err, "an unknown group")
	assert.False(t, errors.Is(err, storage.ErrCustomerNotLive), "the group is what is missing: %v", err)
	assert.Zero(t, v)

	// In a transaction, a refused customer is a per-item failure: the
	// transaction goes on and commits the next member.
	d := e.newCustomer()
	err = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		txmv, ok := tx.Groups().(storage.MemberVersions)
		require.True(t, ok, "a Tx's Groups has the capability of the store's")
		if _, _, err := txmv.AddMemberVersion(ctx, g.ID, gone.ID); !errors.Is(err, storage.ErrCustomerNotLive) {
			return fmt.Errorf("want a refusal, got %v", err)
		}
		added, _, err := txmv.AddMemberVersion(ctx, g.ID, d.ID)
		if err == nil && !added {
			err = errors.New("not added")
		}
		return err
	})
	require.NoError(t, err)
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(d.ID, g.ID))

	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, _, err = mv.AddMemberVersion(ctx, g.ID, e.newCustomer().ID)
	require.ErrorIs(t, err, context.Canceled)
}

func groupRemoveMember(t *testing.T, e *env) {
	g := e.createGroup("G")
	a := e.newCustomer()
	b := e.newCustomer()
	e.addMember(g.ID, a.ID)
	e.addMember(g.ID, b.ID)

	removed, err := e.store.Groups().RemoveMember(e.ctx, g.ID, a.ID)
	require.NoError(t, err)
	assert.True(t, removed)
	removed, err = e.store.Groups().RemoveMember(e.ctx, g.ID, a.ID)
	require.NoError(t, err, "removing a non-member is not an error")
	assert.False(t, removed)
	removed, err = e.store.Groups().RemoveMember(e.ctx, g.ID, e.id())
	require.NoError(t, err, "removing an unknown customer is not an error")
	assert.False(t, removed)

	assertIDs(t, []uuid.UUID{b.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}))
	assertIDs(t, nil, e.memberOf(a.ID, g.ID))
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: a.ID}, 0)))

	// And a removed member can join again.
	added, err := e.store.Groups().AddMember(e.ctx, g.ID, a.ID)
	require.NoError(t, err)
	assert.True(t, added)
}

func groupRemoveMemberUnknownGroup(t *testing.T, e *env) {
	c := e.newCustomer()
	_, err := e.store.Groups().RemoveMember(e.ctx, e.id(), c.ID)
	requireNotFound(t, err)
}

func groupMemberOf(t *testing.T, e *env) {
	var gs []group.Group
	for _, n := range []string{"A", "B", "C", "D", "E"} {
		gs = append(gs, e.createGroup(n))
	}
	c := e.newCustomer()
	other := e.newCustomer()
	for _, i := range []int{0, 2, 3} {
		e.addMember(gs[i].ID, c.ID)
	}
	e.addMember(gs[1].ID, other.ID)

	ask := []uuid.UUID{gs[3].ID, gs[1].ID, e.id(), gs[0].ID, gs[4].ID, gs[2].ID}
	want := []uuid.UUID{gs[3].ID, gs[0].ID, gs[2].ID}
	slices.SortFunc(want, compareIDs)
	slices.SortFunc(ask, func(a, b uuid.UUID) int { return compareIDs(b, a) }) // asked in descending order
	assertIDs(t, want, e.memberOf(c.ID, ask...), "members among the asked IDs, in ascending byte order")
	assertIDs(t, nil, e.memberOf(c.ID), "no IDs asked")
	assertIDs(t, nil, e.memberOf(c.ID, gs[1].ID, gs[4].ID))
	assertIDs(t, nil, e.memberOf(e.id(), gs[0].ID), "unknown customer")
	assertIDs(t, []uuid.UUID{gs[1].ID}, e.memberOf(other.ID, ask...))
}
