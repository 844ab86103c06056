package clientele_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// vendorWorld is two vendors, each with an owner, a staff member, one own
// customer and one group.
type vendorWorld struct {
	a, b           merchant.Merchant
	ownerA, ownerB uuid.UUID
	staffA         uuid.UUID
	custA, custB   uuid.UUID
	groupA, groupB group.Group
}

func newVendorWorld(t *testing.T, e *clienteletest.Env) vendorWorld {
	t.Helper()
	var w vendorWorld
	var oa, ob merchant.Member
	w.a, oa = e.MustVendor("Vendor A")
	w.b, ob = e.MustVendor("Vendor B")
	w.ownerA, w.ownerB = oa.CustomerID, ob.CustomerID
	w.staffA = e.MustRegister().ID
	e.MustAddVendorMember(w.a.ID, w.staffA, merchant.Staff)
	w.custA, w.custB = e.MustRegister().ID, e.MustRegister().ID
	e.MustRelateCustomer(w.a.ID, w.custA)
	e.MustRelateCustomer(w.b.ID, w.custB)
	w.groupA = e.MustVendorGroup(w.a.ID, "A regulars")
	w.groupB = e.MustVendorGroup(w.b.ID, "B regulars")
	return w
}

// TestVendorSeesOnlyItsOwn: on every engine, vendor A's members list and
// get only A's customers and groups, and a member of A can read or change
// nothing of B (merchant.ErrNotFound, as for a merchant that does not
// exist).
func TestVendorSeesOnlyItsOwn(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		v := e.Service.Vendors
		ctx := context.Background()
		w := newVendorWorld(t, e)
		e.TakeEvents()

		for _, acting := range []uuid.UUID{w.ownerA, w.staffA} {
			custs, err := v.VendorCustomers(ctx, acting, w.a.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, custs.Items, 1)
			assert.Equal(t, w.custA, custs.Items[0].CustomerID)
			vc, err := v.VendorCustomer(ctx, acting, w.a.ID, w.custA)
			require.NoError(t, err)
			assert.Equal(t, w.custA, vc.Customer.ID)
			_, err = v.VendorCustomer(ctx, acting, w.a.ID, w.custB)
			require.ErrorIs(t, err, customer.ErrNotFound, "B's customer is not A's")
			groups, err := v.VendorGroups(ctx, acting, w.a.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, groups.Items, 1)
			assert.Equal(t, w.groupA.ID, groups.Items[0].ID)
			_, err = v.VendorGroup(ctx, acting, w.a.ID, w.groupB.ID)
			require.ErrorIs(t, err, group.ErrNotFound, "B's group through A")

			// Nothing of B, read or written, and the same answer as for no merchant.
			for name, call := range map[string]func(merchantID uuid.UUID) error{
				"VendorCustomers": func(id uuid.UUID) error { _, err := v.VendorCustomers(ctx, acting, id, page.Request{}); return err },
				"VendorCustomer":  func(id uuid.UUID) error { _, err := v.VendorCustomer(ctx, acting, id, w.custB); return err },
				"VendorGroups":    func(id uuid.UUID) error { _, err := v.VendorGroups(ctx, acting, id, page.Request{}); return err },
				"VendorGroup":     func(id uuid.UUID) error { _, err := v.VendorGroup(ctx, acting, id, w.groupB.ID); return err },
				"Members":         func(id uuid.UUID) error { _, err := v.Members(ctx, acting, id, page.Request{}); return err },
				"AddMember": func(id uuid.UUID) error {
					_, err := v.AddMember(ctx, acting, id, acting, merchant.Owner)
					return err
				},
				"UpdateMember": func(id uuid.UUID) error {
					_, err := v.UpdateMember(ctx, acting, id, w.ownerB, merchant.Staff)
					return err
				},
				"RemoveMember": func(id uuid.UUID) error { _, err := v.RemoveMember(ctx, acting, id, w.ownerB); return err },
				"RelateCustomer": func(id uuid.UUID) error {
					_, _, err := v.RelateCustomer(ctx, acting, id, w.custA, merchant.SourceManual)
					return err
				},
				"CreateGroup": func(id uuid.UUID) error {
					_, err := v.CreateGroup(ctx, acting, id, clientele.GroupParams{Name: "Stolen"})
					return err
				},
			} {
				require.ErrorIs(t, call(w.b.ID), merchant.ErrNotFound, name)
				require.ErrorIs(t, call(uuid.New()), merchant.ErrNotFound, name)
			}
		}
		assert.Empty(t, e.TakeEventTypes(), "nothing was written")

		// B is as it was.
		bo := clienteletest.BackOffice()
		members, err := v.Members(bo, uuid.Nil, w.b.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, members.Items, 1)
		assert.Equal(t, merchant.Owner, members.Items[0].Role)
		custs, err := v.VendorCustomers(bo, uuid.Nil, w.b.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, custs.Items, 1)
		assert.Equal(t, w.custB, custs.Items[0].CustomerID)
		groups, err := v.VendorGroups(bo, uuid.Nil, w.b.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, groups.Items, 1)

		// Group names are each vendor's own: A's "VIP" neither blocks nor
		// reveals B's, nor the operator's.
		vipA, err := v.CreateGroup(ctx, w.ownerA, w.a.ID, clientele.GroupParams{Name: "VIP"})
		require.NoError(t, err)
		vipB, err := v.CreateGroup(ctx, w.ownerB, w.b.ID, clientele.GroupParams{Name: "vip"})
		require.NoError(t, err, "another vendor's VIP")
		assert.NotEqual(t, vipA.ID, vipB.ID)
		_, err = v.CreateGroup(ctx, w.ownerA, w.a.ID, clientele.GroupParams{Name: "Vip"})
		require.ErrorIs(t, err, group.ErrNameTaken, "one VIP per vendor")
		_, err = e.Service.Groups.GetByName(ctx, "VIP")
		require.ErrorIs(t, err, group.ErrNotFound, "the operator's names are not the vendors'")
		_, err = e.Service.Groups.Create(ctx, clientele.GroupParams{Name: "VIP"})
		require.NoError(t, err, "the operator's own VIP")

		// Within A, roles decide.
		_, err = v.AddMember(ctx, w.staffA, w.a.ID, w.custA, merchant.Staff)
		require.ErrorIs(t, err, merchant.ErrForbidden, "staff manage no members")
		_, err = v.CreateGroup(ctx, w.staffA, w.a.ID, clientele.GroupParams{Name: "Staff group"})
		require.ErrorIs(t, err, merchant.ErrForbidden)
		_, err = v.AddGroupMembers(ctx, w.staffA, w.a.ID, w.groupA.ID, []uuid.UUID{w.custA})
		require.ErrorIs(t, err, merchant.ErrForbidden, "staff manage no group members")
		_, err = v.UpdateMember(ctx, w.ownerA, w.a.ID, w.staffA, merchant.Admin)
		require.NoError(t, err)
		_, err = v.AddMember(ctx, w.staffA, w.a.ID, w.custA, merchant.Owner)
		require.ErrorIs(t, err, merchant.ErrForbidden, "an admin appoints no owner")
		_, err = v.RemoveMember(ctx, w.ownerA, w.a.ID, w.ownerA)
		require.ErrorIs(t, err, merchant.ErrLastOwner)

		// A vendor's group takes only the vendor's own customers.
		res, err := v.AddGroupMembers(ctx, w.ownerA, w.a.ID, w.groupA.ID, []uuid.UUID{w.custA, w.custB})
		require.NoError(t, err)
		require.Len(t, res, 2)
		assert.Equal(t, clientele.MemberAdded, res[0].Outcome)
		assert.Equal(t, clientele.MemberFailed, res[1].Outcome)
		require.ErrorIs(t, res[1].Err, customer.ErrNotFound, "B's customer, as if unknown")
		_, err = v.AddGroupMembers(ctx, w.ownerA, w.a.ID, w.groupB.ID, []uuid.UUID{w.custA})
		require.ErrorIs(t, err, group.ErrNotFound, "B's group through A")
		_, err = v.AddGroupMembers(ctx, w.ownerA, w.b.ID, w.groupB.ID, []uuid.UUID{w.custA})
		require.ErrorIs(t, err, merchant.ErrNotFound)
		_, err = v.RemoveGroupMembers(ctx, w.ownerA, w.b.ID, w.groupB.ID, []uuid.UUID{w.custB})
		require.ErrorIs(t, err, merchant.ErrNotFound)
		_, err = v.VendorGroupMembers(ctx, w.ownerA, w.b.ID, w.groupB.ID, page.Request{})
		require.ErrorIs(t, err, merchant.ErrNotFound)
		gm, err := v.VendorGroupMembers(ctx, w.staffA, w.a.ID, w.groupA.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, gm.Items, 1)
		assert.Equal(t, w.custA, gm.Items[0].ID)
		res, err = v.RemoveGroupMembers(ctx, w.ownerA, w.a.ID, w.groupA.ID, []uuid.UUID{w.custA})
		require.NoError(t, err)
		assert.Equal(t, clientele.MemberRemoved, res[0].Outcome)

		// Nobody without a role, and operators by theirs.
		stranger := e.MustRegister().ID
		_, err = v.VendorCustomers(ctx, stranger, w.a.ID, page.Request{})
		require.ErrorIs(t, err, merchant.ErrNotFound)
		_, err = v.AddMember(ctx, uuid.Nil, w.a.ID, stranger, merchant.Staff)
		require.ErrorIs(t, err, clientele.ErrActorRequired, "the back office needs a staff actor")
		_, err = v.GrantOperator(ctx, stranger, operator.Support)
		require.ErrorIs(t, err, clientele.ErrActorRequired)
		e.MustGrantOperator(stranger, operator.Support)
		_, err = v.VendorCustomers(ctx, stranger, w.b.ID, page.Request{})
		require.NoError(t, err, "support reads every vendor")
		_, _, err = v.RelateCustomer(ctx, stranger, w.b.ID, w.custA, merchant.SourceManual)
		require.ErrorIs(t, err, merchant.ErrNotFound, "support writes nothing")
		e.MustGrantOperator(stranger, operator.Admin)
		_, created, err := v.RelateCustomer(ctx, stranger, w.b.ID, w.custA, merchant.SourceManual)
		require.NoError(t, err, "an operator admin writes")
		assert.True(t, created)

		roles, err := v.Roles(ctx, stranger)
		require.NoError(t, err)
		assert.Equal(t, clientele.Roles{CustomerID: stranger, Buyer: true, Operator: operator.Admin}, roles)
		roles, err = v.Roles(ctx, w.staffA)
		require.NoError(t, err)
		assert.True(t, roles.Buyer)
		require.Len(t, roles.Memberships, 1)
		assert.Equal(t, merchant.Admin, roles.Memberships[0].Role)
		assert.Zero(t, roles.Operator)
	})
}

// TestGroupCreatedNamesItsOwner: the group.created event of a vendor's
// group carries the owner.
func TestGroupCreatedNamesItsOwner(t *testing.T) {
	e := clienteletest.New(t)
	m, _ := e.MustVendor("Vendor")
	e.TakeEvents()
	g := e.MustVendorGroup(m.ID, "VIP")
	evs := e.TakeEvents()
	require.Len(t, evs, 1)
	p, err := event.Decode[event.GroupPayload](evs[0])
	require.NoError(t, err)
	assert.Equal(t, m.ID, p.Group.OwnerMerchantID)
	assert.Equal(t, g, p.Group)
}

// TestLastOwnersRace: on every engine, two concurrent removals of a
// merchant's last two owners: one is refused, one owner remains.
func TestLastOwnersRace(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		v := e.Service.Vendors
		for range 5 {
			m, first := e.MustVendor("Racing")
			second := e.MustRegister().ID
			e.MustAddVendorMember(m.ID, second, merchant.Owner)
			owners := []uuid.UUID{first.CustomerID, second}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, id := range owners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = v.RemoveMember(context.Background(), id, m.ID, id) // each leaves
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
			assert.Equal(t, 1, failed, "one removal is refused")
			left, err := v.Members(clienteletest.BackOffice(), uuid.Nil, m.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, left.Items, 1)
			assert.Equal(t, merchant.Owner, left.Items[0].Role)
		}
	})
}

// TestVendorRolesMergeAndErasure: a merge moves the duplicate's roles to
// the survivor (the stronger role wins); an erasure removes them.
func TestVendorRolesMergeAndErasure(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		v := e.Service.Vendors
		ctx := context.Background()
		m, owner := e.MustVendor("Vendor")
		dup, surv := e.MustRegister(), e.MustRegister()
		e.MustAddVendorMember(m.ID, dup.ID, merchant.Admin)
		e.MustAddVendorMember(m.ID, surv.ID, merchant.Staff)
		e.MustRelateCustomer(m.ID, dup.ID)
		res := e.MustMerge(dup.ID, surv.ID)
		assert.Equal(t, 2, res.Roles)
		roles, err := v.Roles(ctx, surv.ID)
		require.NoError(t, err)
		require.Len(t, roles.Memberships, 1)
		assert.Equal(t, merchant.Admin, roles.Memberships[0].Role, "the stronger role wins")
		_, err = v.VendorCustomer(ctx, owner.CustomerID, m.ID, surv.ID)
		require.NoError(t, err, "the relation moved")

		_, err = e.Service.Customers.Erase(clienteletest.BackOffice(), surv.ID)
		require.NoError(t, err)
		of, err := v.MerchantsOf(ctx, surv.ID)
		require.NoError(t, err)
		assert.Empty(t, of)
		custs, err := v.VendorCustomers(ctx, owner.CustomerID, m.ID, page.Request{})
		require.NoError(t, err)
		assert.Empty(t, custs.Items, "nothing of the erased customer stays with the vendor")
	})
}
