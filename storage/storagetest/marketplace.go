package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/storage"
)

// The storage.MerchantRoles capability: merchants' members (a merchant
// keeps its last owner under its lock), operator staff, vendors' own
// customers and groups owned by a merchant.

func marketplaceCases() []testCase {
	return []testCase{
		{"MembersRoundTrip", needsRoles(rolesMembers)},
		{"MemberRules", needsRoles(rolesMemberRules)},
		{"LastOwnerKept", needsRoles(rolesLastOwner)},
		{"ConcurrentRemovalsKeepOneOwner", needsRoles(rolesConcurrentRemovals)},
		{"ConcurrentDemotionsKeepOneOwner", needsRoles(rolesConcurrentDemotions)},
		{"InterleavedRemovalKeepsOwner", needsRoles(rolesInterleavedRemoval)},
		{"Operators", needsRoles(rolesOperators)},
		{"VendorCustomersIsolated", needsRoles(rolesVendorCustomers)},
		{"VendorCustomersPagination", needsRoles(rolesVendorPages)},
		{"OwnedGroups", needsRoles(rolesOwnedGroups)},
		{"GroupNamesPerOwner", needsRoles(rolesGroupNamesPerOwner)},
		{"MerchantDeleteDropsRoles", needsRoles(rolesMerchantDelete)},
		{"MoveRolesForMerge", needsRoles(rolesMove)},
		{"DeleteRolesForErasure", needsRoles(rolesDelete)},
		{"InsideAtomicRollsBack", needsRoles(rolesAtomic)},
	}
}

// needsRoles skips a case on a store without the capability.
func needsRoles(run func(t *testing.T, e *env, r storage.Marketplace)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		m, ok := e.store.(storage.MerchantRoles)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.MerchantRoles capability", e.store)
		}
		run(t, e, m.Marketplace())
	}
}

func (e *env) merchantMember(r storage.Marketplace, merchantID, customerID uuid.UUID, role merchant.Role) merchant.Member {
	e.t.Helper()
	m, err := merchant.NewMember(merchantID, customerID, role, e.now())
	require.NoError(e.t, err)
	out, err := r.AddMember(e.ctx, m)
	require.NoError(e.t, err, "adding a member")
	return out
}

func (e *env) relate(r storage.Marketplace, merchantID, customerID uuid.UUID) merchant.CustomerRelation {
	e.t.Helper()
	rel, err := merchant.NewCustomerRelation(merchantID, customerID, merchant.SourceOrder, e.now())
	require.NoError(e.t, err)
	out, _, err := r.RelateCustomer(e.ctx, rel)
	require.NoError(e.t, err, "relating a customer")
	return out
}

func memberIDs(t *testing.T, r storage.Marketplace, ctx context.Context, merchantID uuid.UUID) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	p := storage.PageRequest{Limit: 2}
	for {
		page, err := r.Members(ctx, merchantID, p)
		require.NoError(t, err)
		for _, m := range page.Items {
			ids = append(ids, m.CustomerID)
		}
		if page.Next == "" {
			return ids
		}
		p.Cursor = page.Next
	}
}

func rolesMembers(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a, b, c := e.newCustomer(), e.newCustomer(), e.newCustomer()
	ma := e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	e.merchantMember(r, m.ID, b.ID, merchant.Staff)
	e.merchantMember(r, m.ID, c.ID, merchant.Admin)

	got, err := r.Member(e.ctx, m.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, ma, got)
	assert.Equal(t, merchant.Owner, got.Role)
	assert.Equal(t, time.UTC, got.CreatedAt.Location())
	assert.Equal(t, []uuid.UUID{a.ID, b.ID, c.ID}, memberIDs(t, r, e.ctx, m.ID), "ordered by (CreatedAt, CustomerID), over pages")

	other := e.createMerchant()
	e.merchantMember(r, other.ID, a.ID, merchant.Staff)
	of, err := r.MembershipsOf(e.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, of, 2)
	assert.Equal(t, m.ID, of[0].MerchantID)
	assert.Equal(t, other.ID, of[1].MerchantID)
	assert.Equal(t, merchant.Staff, of[1].Role)

	none, err := r.MembershipsOf(e.ctx, e.id())
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = r.Member(e.ctx, other.ID, b.ID)
	requireNotFound(t, err, "b is no member of the other merchant")
	assert.Empty(t, memberIDs(t, r, e.ctx, e.id()))
}

func rolesMemberRules(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a := e.newCustomer()
	e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	dup, _ := merchant.NewMember(m.ID, a.ID, merchant.Staff, e.now())
	_, err := r.AddMember(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintMerchantMember)

	nobody, _ := merchant.NewMember(e.id(), a.ID, merchant.Staff, e.now())
	_, err = r.AddMember(e.ctx, nobody)
	requireNotFound(t, err, "no such merchant")

	gone := e.newCustomer()
	e.deleteCustomer(gone.ID)
	dead, _ := merchant.NewMember(m.ID, gone.ID, merchant.Staff, e.now())
	_, err = r.AddMember(e.ctx, dead)
	requireNotLive(t, err)

	_, err = r.AddMember(e.ctx, merchant.Member{MerchantID: m.ID, CustomerID: e.newCustomer().ID})
	require.ErrorIs(t, err, merchant.ErrInvalid, "a member without a role")

	_, _, err = r.UpdateMember(e.ctx, m.ID, e.id(), merchant.Admin, e.now())
	requireNotFound(t, err)
	_, err = r.RemoveMember(e.ctx, m.ID, e.id())
	requireNotFound(t, err)
	_, _, err = r.UpdateMember(e.ctx, m.ID, a.ID, merchant.Role(9), e.now())
	require.ErrorIs(t, err, merchant.ErrInvalid)

	b := e.newCustomer()
	e.merchantMember(r, m.ID, b.ID, merchant.Staff)
	at := e.now()
	before, after, err := r.UpdateMember(e.ctx, m.ID, b.ID, merchant.Admin, at)
	require.NoError(t, err)
	assert.Equal(t, merchant.Staff, before.Role)
	assert.Equal(t, merchant.Admin, after.Role)
	assert.True(t, storage.Micro(at).Equal(after.UpdatedAt))
	got, err := r.Member(e.ctx, m.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, after, got)
	removed, err := r.RemoveMember(e.ctx, m.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, after, removed)
	_, err = r.Member(e.ctx, m.ID, b.ID)
	requireNotFound(t, err)
}

func rolesLastOwner(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a, b := e.newCustomer(), e.newCustomer()
	e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	_, err := r.RemoveMember(e.ctx, m.ID, a.ID)
	require.ErrorIs(t, err, merchant.ErrLastOwner)
	_, _, err = r.UpdateMember(e.ctx, m.ID, a.ID, merchant.Admin, e.now())
	require.ErrorIs(t, err, merchant.ErrLastOwner)

	e.merchantMember(r, m.ID, b.ID, merchant.Owner)
	_, _, err = r.UpdateMember(e.ctx, m.ID, a.ID, merchant.Admin, e.now())
	require.NoError(t, err, "another owner remains")
	_, err = r.RemoveMember(e.ctx, m.ID, b.ID)
	require.ErrorIs(t, err, merchant.ErrLastOwner, "b is now the last owner")
	_, err = r.RemoveMember(e.ctx, m.ID, a.ID)
	require.NoError(t, err, "an admin goes")
	got, err := r.Member(e.ctx, m.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.Owner, got.Role)
}

// owners counts the merchant's owners.
func owners(t *testing.T, r storage.Marketplace, ctx context.Context, merchantID uuid.UUID) int {
	t.Helper()
	page, err := r.Members(ctx, merchantID, storage.PageRequest{Limit: 100})
	require.NoError(t, err)
	n := 0
	for _, m := range page.Items {
		if m.Role == merchant.Owner {
			n++
		}
	}
	return n
}

// raceOwners runs change for each of n owners of a fresh merchant at once,
// rounds times, and checks that exactly one fails with
// merchant.ErrLastOwner and one owner remains.
func raceOwners(t *testing.T, e *env, r storage.Marketplace, change func(ctx context.Context, r storage.Marketplace, merchantID, customerID uuid.UUID) error) {
	const rounds, n = 4, 2
	for range rounds {
		m := e.createMerchant()
		ids := make([]uuid.UUID, n)
		for i := range ids {
			ids[i] = e.newCustomer().ID
			e.merchantMember(r, m.ID, ids[i], merchant.Owner)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
					return change(ctx, txRoles(tx), m.ID, id)
				})
			}()
		}
		close(start)
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				require.ErrorIs(t, err, merchant.ErrLastOwner)
				failed++
			}
		}
		assert.Equal(t, n-1, failed, "all but one change is refused")
		assert.Equal(t, 1, owners(t, r, e.ctx, m.ID), "one owner remains")
	}
}

func txRoles(tx storage.Tx) storage.Marketplace { return tx.(storage.MerchantRoles).Marketplace() }

func rolesConcurrentRemovals(t *testing.T, e *env, r storage.Marketplace) {
	raceOwners(t, e, r, func(ctx context.Context, r storage.Marketplace, merchantID, customerID uuid.UUID) error {
		_, err := r.RemoveMember(ctx, merchantID, customerID)
		return err
	})
}

func rolesConcurrentDemotions(t *testing.T, e *env, r storage.Marketplace) {
	raceOwners(t, e, r, func(ctx context.Context, r storage.Marketplace, merchantID, customerID uuid.UUID) error {
		_, _, err := r.UpdateMember(ctx, merchantID, customerID, merchant.Staff, e.now())
		return err
	})
}

func rolesInterleavedRemoval(t *testing.T, e *env, r storage.Marketplace) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	m := e.createMerchant()
	a, b := e.newCustomer(), e.newCustomer()
	e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	e.merchantMember(r, m.ID, b.ID, merchant.Owner)
	err := e.interleave(a.ID, func(ctx context.Context) error {
		_, err := r.RemoveMember(ctx, m.ID, a.ID)
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := txRoles(tx).RemoveMember(ctx, m.ID, b.ID)
		return err
	})
	require.ErrorIs(t, err, merchant.ErrLastOwner, "the removal outside left b the last owner")
	assert.Equal(t, 1, owners(t, r, e.ctx, m.ID))
}

func rolesOperators(t *testing.T, e *env, r storage.Marketplace) {
	a, b := e.newCustomer(), e.newCustomer()
	_, err := r.Operator(e.ctx, a.ID)
	requireNotFound(t, err)
	s, _ := operator.NewStaff(a.ID, operator.Support, e.now())
	_, existed, err := r.PutOperator(e.ctx, s)
	require.NoError(t, err)
	assert.False(t, existed)
	s2, _ := operator.NewStaff(a.ID, operator.Admin, e.now())
	prev, existed, err := r.PutOperator(e.ctx, s2)
	require.NoError(t, err)
	assert.True(t, existed)
	assert.Equal(t, operator.Support, prev.Role)
	got, err := r.Operator(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, operator.Admin, got.Role)
	sb, _ := operator.NewStaff(b.ID, operator.Support, e.now())
	_, _, err = r.PutOperator(e.ctx, sb)
	require.NoError(t, err)

	page, err := r.Operators(e.ctx, storage.PageRequest{Limit: 1})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, a.ID, page.Items[0].CustomerID)
	require.NotEmpty(t, page.Next)
	page, err = r.Operators(e.ctx, storage.PageRequest{Limit: 1, Cursor: page.Next})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, b.ID, page.Items[0].CustomerID)
	assert.Empty(t, page.Next)

	gone, err := r.RemoveOperator(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, operator.Admin, gone.Role)
	_, err = r.RemoveOperator(e.ctx, a.ID)
	requireNotFound(t, err)

	dead := e.newCustomer()
	e.deleteCustomer(dead.ID)
	sd, _ := operator.NewStaff(dead.ID, operator.Admin, e.now())
	_, _, err = r.PutOperator(e.ctx, sd)
	requireNotLive(t, err)
	_, _, err = r.PutOperator(e.ctx, operator.Staff{CustomerID: b.ID})
	require.ErrorIs(t, err, operator.ErrInvalid)
}

func rolesVendorCustomers(t *testing.T, e *env, r storage.Marketplace) {
	va, vb := e.createMerchant(), e.createMerchant()
	c, d := e.newCustomer(), e.newCustomer()
	first := e.relate(r, va.ID, c.ID)
	e.relate(r, vb.ID, d.ID)

	again, _ := merchant.NewCustomerRelation(va.ID, c.ID, merchant.SourceImport, e.now())
	got, created, err := r.RelateCustomer(e.ctx, again)
	require.NoError(t, err)
	assert.False(t, created, "idempotent")
	assert.Equal(t, first, got, "the first relation stays")

	rel, err := r.CustomerRelation(e.ctx, va.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, first, rel)
	_, err = r.CustomerRelation(e.ctx, va.ID, d.ID)
	requireNotFound(t, err, "d is vendor B's customer, not A's")
	_, err = r.CustomerRelation(e.ctx, vb.ID, c.ID)
	requireNotFound(t, err)

	page, err := r.VendorCustomers(e.ctx, va.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, c.ID, page.Items[0].CustomerID)
	page, err = r.VendorCustomers(e.ctx, e.id(), storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)

	rel, _ = merchant.NewCustomerRelation(e.id(), c.ID, merchant.SourceOrder, e.now())
	_, _, err = r.RelateCustomer(e.ctx, rel)
	requireNotFound(t, err)
	dead := e.newCustomer()
	e.deleteCustomer(dead.ID)
	rel, _ = merchant.NewCustomerRelation(va.ID, dead.ID, merchant.SourceOrder, e.now())
	_, _, err = r.RelateCustomer(e.ctx, rel)
	requireNotLive(t, err)
	_, _, err = r.RelateCustomer(e.ctx, merchant.CustomerRelation{MerchantID: va.ID, CustomerID: c.ID})
	require.ErrorIs(t, err, merchant.ErrInvalid)
	_, err = r.VendorCustomers(e.ctx, va.ID, storage.PageRequest{Cursor: "garbage"})
	require.ErrorIs(t, err, storage.ErrInvalidCursor)
}

func rolesVendorPages(t *testing.T, e *env, r storage.Marketplace) {
	v, other := e.createMerchant(), e.createMerchant()
	var want []uuid.UUID
	for i := range 7 {
		c := e.newCustomer()
		e.relate(r, v.ID, c.ID)
		want = append(want, c.ID)
		if i%2 == 0 {
			e.relate(r, other.ID, c.ID)
		}
	}
	var got []uuid.UUID
	p := storage.PageRequest{Limit: 3}
	for {
		page, err := r.VendorCustomers(e.ctx, v.ID, p)
		require.NoError(t, err)
		for _, rel := range page.Items {
			assert.Equal(t, v.ID, rel.MerchantID)
			got = append(got, rel.CustomerID)
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	assert.Equal(t, want, got, "every relation once, in (Since, CustomerID) order")
}

func rolesOwnedGroups(t *testing.T, e *env, r storage.Marketplace) {
	va, vb := e.createMerchant(), e.createMerchant()
	g := e.groupAt("Vendor A regulars", e.now())
	g.OwnerMerchantID = va.ID
	g, err := e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	e.createGroup("Unowned")
	got, err := e.store.Groups().Get(e.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, va.ID, got.OwnerMerchantID, "the owner round-trips")

	page, err := r.OwnedGroups(e.ctx, va.ID, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, g.ID, page.Items[0].ID)
	page, err = r.OwnedGroups(e.ctx, vb.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items, "vendor B owns none")

	up, err := e.store.Groups().Update(e.ctx, g.ID, func(g *group.Group) error {
		g.OwnerMerchantID = vb.ID
		return g.Rename("Renamed", e.now())
	})
	require.NoError(t, err)
	assert.Equal(t, va.ID, up.OwnerMerchantID, "the owner never changes")

	orphan := e.groupAt("Orphan", e.now())
	orphan.OwnerMerchantID = e.id()
	_, err = e.store.Groups().Create(e.ctx, orphan)
	require.ErrorIs(t, err, storage.ErrNotFound, "the owner must exist")

	require.NoError(t, e.store.Groups().Delete(e.ctx, g.ID))
	page, err = r.OwnedGroups(e.ctx, va.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

// rolesGroupNamesPerOwner: group names are unique per owner (the
// operator's unowned groups are one owner): two vendors and the operator may
// each have a "VIP", a vendor not two, and GetByName finds the operator's.
func rolesGroupNamesPerOwner(t *testing.T, e *env, r storage.Marketplace) {
	va, vb := e.createMerchant(), e.createMerchant()
	owned := func(owner uuid.UUID, name string) (group.Group, error) {
		g := e.groupAt(name, e.now())
		g.OwnerMerchantID = owner
		return e.store.Groups().Create(e.ctx, g)
	}
	a, err := owned(va.ID, "VIP")
	require.NoError(t, err)
	b, err := owned(vb.ID, "VIP")
	require.NoError(t, err, "another vendor's VIP")
	_, err = owned(va.ID, " vip ")
	assert.True(t, storage.IsConflict(err, storage.ConstraintGroupName), "the same vendor's second VIP: %v", err)
	_, err = e.store.Groups().GetByName(e.ctx, "VIP")
	requireNotFound(t, err)
	op := e.createGroup("VIP")
	got, err := e.store.Groups().GetByName(e.ctx, "vip")
	require.NoError(t, err)
	assert.Equal(t, op.ID, got.ID, "GetByName finds the operator's group, never a vendor's")

	// Renames keep to the owner's names.
	c, err := owned(vb.ID, "Regulars")
	require.NoError(t, err)
	_, err = e.store.Groups().Update(e.ctx, c.ID, func(g *group.Group) error { return g.Rename("vip", e.now()) })
	assert.True(t, storage.IsConflict(err, storage.ConstraintGroupName), "%v", err)
	_, err = e.store.Groups().Update(e.ctx, a.ID, func(g *group.Group) error { return g.Rename("Regulars", e.now()) })
	require.NoError(t, err, "vendor A may take a name vendor B uses")
	require.NoError(t, e.store.Merchants().Delete(e.ctx, vb.ID))
	kept, err := e.store.Groups().Get(e.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, vb.ID, kept.OwnerMerchantID, "a deleted vendor's groups keep their scope")
	_, err = e.store.Groups().Update(e.ctx, kept.ID, func(g *group.Group) error { return g.SetDescription("kept", e.now()) })
	require.NoError(t, err)
}

func rolesMerchantDelete(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a, c := e.newCustomer(), e.newCustomer()
	e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	e.relate(r, m.ID, c.ID)
	g := e.groupAt("Owned", e.now())
	g.OwnerMerchantID = m.ID
	g, err := e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)

	require.NoError(t, e.store.Merchants().Delete(e.ctx, m.ID))
	of, err := r.MembershipsOf(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, of)
	_, err = r.CustomerRelation(e.ctx, m.ID, c.ID)
	requireNotFound(t, err)
	got, err := e.store.Groups().Get(e.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, m.ID, got.OwnerMerchantID, "the group stays, with its owner's ID (which scopes its name)")
}

func rolesMove(t *testing.T, e *env, r storage.Marketplace) {
	m1, m2, m3 := e.createMerchant(), e.createMerchant(), e.createMerchant()
	dup, surv := e.newCustomer(), e.newCustomer()
	e.merchantMember(r, m1.ID, dup.ID, merchant.Owner) // both members: the stronger role wins
	e.merchantMember(r, m1.ID, surv.ID, merchant.Staff)
	e.merchantMember(r, m2.ID, dup.ID, merchant.Admin) // moves
	e.merchantMember(r, m3.ID, surv.ID, merchant.Owner)
	early := e.relate(r, m1.ID, dup.ID) // earlier than the survivor's: wins
	e.relate(r, m1.ID, surv.ID)
	e.relate(r, m2.ID, dup.ID)
	s, _ := operator.NewStaff(dup.ID, operator.Admin, e.now())
	_, _, err := r.PutOperator(e.ctx, s)
	require.NoError(t, err)

	n, err := r.MoveRoles(e.ctx, dup.ID, surv.ID)
	require.NoError(t, err)
	assert.Equal(t, 5, n)

	of, err := r.MembershipsOf(e.ctx, dup.ID)
	require.NoError(t, err)
	assert.Empty(t, of)
	of, err = r.MembershipsOf(e.ctx, surv.ID)
	require.NoError(t, err)
	roles := map[uuid.UUID]merchant.Role{}
	for _, m := range of {
		roles[m.MerchantID] = m.Role
	}
	assert.Equal(t, map[uuid.UUID]merchant.Role{m1.ID: merchant.Owner, m2.ID: merchant.Admin, m3.ID: merchant.Owner}, roles)
	assert.Equal(t, []uuid.UUID{surv.ID}, memberIDs(t, r, e.ctx, m1.ID))

	rel, err := r.CustomerRelation(e.ctx, m1.ID, surv.ID)
	require.NoError(t, err)
	assert.True(t, early.Since.Equal(rel.Since), "the earlier relation wins")
	_, err = r.CustomerRelation(e.ctx, m2.ID, surv.ID)
	require.NoError(t, err)
	_, err = r.CustomerRelation(e.ctx, m1.ID, dup.ID)
	requireNotFound(t, err)
	page, err := r.VendorCustomers(e.ctx, m1.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Len(t, page.Items, 1, "deduplicated")

	op, err := r.Operator(e.ctx, surv.ID)
	require.NoError(t, err)
	assert.Equal(t, operator.Admin, op.Role)
	_, err = r.Operator(e.ctx, dup.ID)
	requireNotFound(t, err)

	e.deleteCustomer(dup.ID)
	_, err = r.MoveRoles(e.ctx, surv.ID, dup.ID)
	requireNotLive(t, err)
}

func rolesDelete(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a, b := e.newCustomer(), e.newCustomer()
	e.merchantMember(r, m.ID, a.ID, merchant.Owner)
	e.merchantMember(r, m.ID, b.ID, merchant.Staff)
	e.relate(r, m.ID, a.ID)
	s, _ := operator.NewStaff(a.ID, operator.Support, e.now())
	_, _, err := r.PutOperator(e.ctx, s)
	require.NoError(t, err)
	e.deleteCustomer(a.ID)

	n, err := r.DeleteRoles(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, []uuid.UUID{b.ID}, memberIDs(t, r, e.ctx, m.ID), "the erased owner goes, even as the last one")
	_, err = r.CustomerRelation(e.ctx, m.ID, a.ID)
	requireNotFound(t, err)
	_, err = r.Operator(e.ctx, a.ID)
	requireNotFound(t, err)
	n, err = r.DeleteRoles(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func rolesAtomic(t *testing.T, e *env, r storage.Marketplace) {
	m := e.createMerchant()
	a, c := e.newCustomer(), e.newCustomer()
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		tr := txRoles(tx)
		mm, _ := merchant.NewMember(m.ID, a.ID, merchant.Owner, e.now())
		if _, err := tr.AddMember(ctx, mm); err != nil {
			return err
		}
		rel, _ := merchant.NewCustomerRelation(m.ID, c.ID, merchant.SourceSignup, e.now())
		if _, _, err := tr.RelateCustomer(ctx, rel); err != nil {
			return err
		}
		s, _ := operator.NewStaff(a.ID, operator.Admin, e.now())
		if _, _, err := tr.PutOperator(ctx, s); err != nil {
			return err
		}
		if _, err := tr.Member(ctx, m.ID, a.ID); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.Member(e.ctx, m.ID, a.ID)
	requireNotFound(t, err)
	_, err = r.CustomerRelation(e.ctx, m.ID, c.ID)
	requireNotFound(t, err)
	_, err = r.Operator(e.ctx, a.ID)
	requireNotFound(t, err)
}
