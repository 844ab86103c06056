package storagetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

func customerCases() []testCase {
	return []testCase{
		{"CreateReturnsVersion1", customerCreateReturnsVersion1},
		{"LookupEmail", customerLookupEmail},
		{"RoundTripEveryField", customerRoundTripEveryField},
		{"RoundTripEveryKind", customerRoundTripEveryKind},
		{"RoundTripDeletedAndErased", customerRoundTripDeletedAndErased},
		{"GetMissing", customerGetMissing},
		{"CreateDuplicateID", customerCreateDuplicateID},
		{"EmailUniqueAmongLiveCustomers", customerEmailUnique},
		{"GuestAndRegisteredShareEmail", customerGuestAndRegisteredShareEmail},
		{"DeletingReleasesEmail", customerDeletingReleasesEmail},
		{"CreateDeletedIgnoresKeys", customerCreateDeletedIgnoresKeys},
		{"UpdateEmailOntoTakenConflicts", customerUpdateEmailOntoTaken},
		{"UpdateEmailMovesKey", customerUpdateEmailMovesKey},
		{"UndeleteOntoTakenEmailConflicts", customerUndeleteOntoTaken},
		{"ReferenceUniquePerOrigin", customerReferenceUnique},
		{"DeletingReleasesReference", customerDeletingReleasesReference},
		{"UpdateReferenceOntoTakenConflicts", customerUpdateReferenceOntoTaken},
		{"UpdateReferenceMovesKey", customerUpdateReferenceMovesKey},
		{"GetByEmailIsExact", customerGetByEmailIsExact},
		{"GetByEmailSkipsDeleted", customerGetByEmailSkipsDeleted},
		{"GetByReference", customerGetByReference},
		{"GetReturnsDeleted", customerGetReturnsDeleted},
		{"UpdateBumpsVersion", customerUpdateBumpsVersion},
		{"UpdateFnErrorWritesNothing", customerUpdateFnError},
		{"UpdateKeepsIDCreatedAtVersion", customerUpdateKeepsIdentity},
		{"UpdateMissing", customerUpdateMissing},
		{"UpdateDeletedCustomer", customerUpdateDeleted},
		{"ListOrder", customerListOrder},
		{"ListExcludesDeleted", customerListExcludesDeleted},
		{"ListFilterEmail", customerListFilterEmail},
		{"ListFilterName", customerListFilterName},
		{"ListFilterGroup", customerListFilterGroup},
		{"ListFilterStatusStateType", customerListFilterStatusStateType},
		{"ListFilterTags", customerListFilterTags},
		{"ListFilterHasAccount", customerListFilterHasAccount},
		{"ListFilterCreatedRange", customerListFilterCreatedRange},
		{"ListFiltersCombine", customerListFiltersCombine},
		{"ListEmpty", customerListEmpty},
		{"ListByEmailSkeleton", customerListByEmailSkeleton},
		{"ListByEmailSkeletonFollowsWrites", customerListByEmailSkeletonFollowsWrites},
		{"ListByEmailSkeletonPages", customerListByEmailSkeletonPages},
	}
}

func customerCreateReturnsVersion1(t *testing.T, e *env) {
	c := e.registered()
	c.Version = 7 // the adapter sets Version itself
	out, err := e.store.Customers().Create(e.ctx, c)
	require.NoError(t, err)
	want := c
	want.Version = 1
	assertCustomer(t, want, out, "Create's result")
	assertCustomer(t, want, e.getCustomer(c.ID), "Get after Create")
}

// fullCustomer builds a customer with every field set to a non-zero value.
func (e *env) fullCustomer() customer.Customer {
	t := e.t
	t.Helper()
	c := e.customerAt(registered, e.now(), func(p *customer.Params) {
		p.Email = "Zoë.Ångström+shop@Bücher.example"
		p.Type = customer.TypeBusiness
		p.FirstName = "Zoë"
		p.LastName = "Ångström-Müller"
		p.Phone = "+49 30 1234567"
		p.Company = "Ångström & Söhne GmbH"
		p.VATID = "DE123456789"
		p.Note = "Prefers delivery after 18:00.\nGate code:\t4711"
		p.Tags = []string{"VIP", "b2b", "Großkunde"}
		p.Metadata = map[string]string{"crm_id": "42", "ünïcødé": "välue ✓", "empty": ""}
		p.Reference, p.ReferenceOrigin = "C-00042", "erp"
	})
	c.RecordOrder(e.now())
	c.RecordOrder(e.now())
	require.NoError(t, c.Disable(e.now()))
	require.NoError(t, c.Validate())
	return c
}

func customerRoundTripEveryField(t *testing.T, e *env) {
	c := e.fullCustomer()
	require.Equal(t, customer.StatusRepeat, c.Status)
	require.Equal(t, customer.StateDisabled, c.State)
	require.NotEqual(t, c.CreatedAt, c.UpdatedAt)
	require.NotEqual(t, c.Email.Address, c.Email.Display)

	out := e.createCustomer(c)
	want := c
	want.Version = 1
	assertCustomer(t, want, out, "Create's result")
	assertCustomer(t, want, e.getCustomer(c.ID), "Get")

	byEmail, err := e.store.Customers().GetByEmail(e.ctx, c.Email.Address, true)
	require.NoError(t, err)
	assertCustomer(t, want, byEmail, "GetByEmail")
	byRef, err := e.store.Customers().GetByReference(e.ctx, "erp", "C-00042")
	require.NoError(t, err)
	assertCustomer(t, want, byRef, "GetByReference")
	listed := e.listCustomers(storage.CustomerFilter{}, 10)
	require.Len(t, listed, 1)
	assertCustomer(t, want, listed[0], "List")
}

func customerRoundTripEveryKind(t *testing.T, e *env) {
	cs := []customer.Customer{
		e.customerAt(registered, e.now()),
		e.customerAt(guest, e.now()),
		e.customerAt(invited, e.now(), withBusiness()),
	}
	for _, c := range cs {
		out := e.createCustomer(c)
		want := c
		want.Version = 1
		assertCustomer(t, want, out, "Create %s", c.State)
		assertCustomer(t, want, e.getCustomer(c.ID), "Get %s", c.State)
	}
}

func customerRoundTripDeletedAndErased(t *testing.T, e *env) {
	deleted := e.registered()
	deleted.MarkDeleted(e.now())
	erased := e.registered(withReference("erp", "E-1"), withTags("x"))
	require.NoError(t, erased.Erase(e.now()))
	for _, c := range []customer.Customer{deleted, erased} {
		require.NotNil(t, c.DeletedAt)
		out := e.createCustomer(c)
		want := c
		want.Version = 1
		assertCustomer(t, want, out, "Create %s", c.State)
		assertCustomer(t, want, e.getCustomer(c.ID), "Get %s", c.State)
	}
}

func customerGetMissing(t *testing.T, e *env) {
	_, err := e.store.Customers().Get(e.ctx, e.id())
	requireNotFound(t, err)
	_, err = e.store.Customers().Get(e.ctx, uuid.Nil)
	requireNotFound(t, err)
}

func customerCreateDuplicateID(t *testing.T, e *env) {
	first := e.newCustomer()
	dup := e.registered() // another email, the same ID
	dup.ID = first.ID
	_, err := e.store.Customers().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)

	assertCustomer(t, first, e.getCustomer(first.ID), "the first customer is unchanged")
	_, err = e.store.Customers().GetByEmail(e.ctx, dup.Email.Address, true)
	requireNotFound(t, err, "the rejected customer's email must not be indexed")
}

func customerEmailUnique(t *testing.T, e *env) {
	first := e.newCustomer(withEmail("Ada@Example.COM"))
	require.Equal(t, "ada@example.com", first.Email.Address)

	// The same canonical email, spelled differently, with an account.
	dup := e.registered(withEmail("  ada@EXAMPLE.com "))
	_, err := e.store.Customers().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintCustomerEmail)
	_, err = e.store.Customers().Get(e.ctx, dup.ID)
	requireNotFound(t, err, "nothing is written on conflict")

	// An invited customer has an account too.
	inv := e.customerAt(invited, e.now(), withEmail("ada@example.com"))
	_, err = e.store.Customers().Create(e.ctx, inv)
	requireConflict(t, err, storage.ConstraintCustomerEmail)

	// Two guests with the same email conflict as well.
	g1 := e.createCustomer(e.guest(withEmail("guest@example.com")))
	g2 := e.guest(withEmail("GUEST@example.com"))
	_, err = e.store.Customers().Create(e.ctx, g2)
	requireConflict(t, err, storage.ConstraintCustomerEmail)

	got, err := e.store.Customers().GetByEmail(e.ctx, "ada@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.ID)
	got, err = e.store.Customers().GetByEmail(e.ctx, "guest@example.com", false)
	require.NoError(t, err)
	assert.Equal(t, g1.ID, got.ID)
	assert.Len(t, e.listCustomerIDs(storage.CustomerFilter{}), 2, "only the two accepted customers exist")
}

func customerGuestAndRegisteredShareEmail(t *testing.T, e *env) {
	g := e.createCustomer(e.guest(withEmail("shared@example.com")))
	r := e.createCustomer(e.registered(withEmail("Shared@Example.com")))
	require.Equal(t, g.Email.Address, r.Email.Address)

	got, err := e.store.Customers().GetByEmail(e.ctx, "shared@example.com", false)
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.ID, "GetByEmail(hasAccount=false) returns the guest")
	got, err = e.store.Customers().GetByEmail(e.ctx, "shared@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, r.ID, got.ID, "GetByEmail(hasAccount=true) returns the registered customer")
}

func customerDeletingReleasesEmail(t *testing.T, e *env) {
	old := e.newCustomer(withEmail("reuse@example.com"))
	e.deleteCustomer(old.ID)

	_, err := e.store.Customers().GetByEmail(e.ctx, "reuse@example.com", true)
	requireNotFound(t, err, "a deleted customer is not found by email")

	again := e.createCustomer(e.registered(withEmail("reuse@example.com")))
	got, err := e.store.Customers().GetByEmail(e.ctx, "reuse@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, again.ID, got.ID)
	// The deleted customer keeps its row.
	assert.NotNil(t, e.getCustomer(old.ID).DeletedAt)
}

func customerCreateDeletedIgnoresKeys(t *testing.T, e *env) {
	live := e.newCustomer(withEmail("live@example.com"), withReference("erp", "R-1"))
	dead := e.registered(withEmail("live@example.com"), withReference("erp", "R-1"))
	dead.MarkDeleted(e.now())
	_, err := e.store.Customers().Create(e.ctx, dead)
	require.NoError(t, err, "a deleted customer does not hold the unique keys")

	got, err := e.store.Customers().GetByEmail(e.ctx, "live@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, live.ID, got.ID)
	got, err = e.store.Customers().GetByReference(e.ctx, "erp", "R-1")
	require.NoError(t, err)
	assert.Equal(t, live.ID, got.ID)
}

func customerUpdateEmailOntoTaken(t *testing.T, e *env) {
	a := e.newCustomer(withEmail("a@example.com"))
	b := e.newCustomer(withEmail("b@example.com"))
	_, err := e.store.Customers().Update(e.ctx, b.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Email: ptr("A@example.com")}, e.now())
	})
	requireConflict(t, err, storage.ConstraintCustomerEmail)

	assertCustomer(t, b, e.getCustomer(b.ID), "b is unchanged")
	got, err := e.store.Customers().GetByEmail(e.ctx, "b@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID, "b keeps its email")
	got, err = e.store.Customers().GetByEmail(e.ctx, "a@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID, "a keeps its email")

	// A guest may take the email of a registered customer.
	g := e.createCustomer(e.guest(withEmail("g@example.com")))
	_, err = e.store.Customers().Update(e.ctx, g.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Email: ptr("a@example.com")}, e.now())
	})
	require.NoError(t, err)
}

func customerUpdateEmailMovesKey(t *testing.T, e *env) {
	c := e.newCustomer(withEmail("before@example.com"))
	out, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Email: ptr("After@example.com")}, e.now())
	})
	require.NoError(t, err)
	assert.Equal(t, "after@example.com", out.Email.Address)
	assert.Equal(t, "After@example.com", out.Email.Display)

	_, err = e.store.Customers().GetByEmail(e.ctx, "before@example.com", true)
	requireNotFound(t, err, "the old email is released")
	got, err := e.store.Customers().GetByEmail(e.ctx, "after@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)
	e.newCustomer(withEmail("before@example.com")) // free again
	_, err = e.store.Customers().Create(e.ctx, e.registered(withEmail("after@example.com")))
	requireConflict(t, err, storage.ConstraintCustomerEmail, "the new email is taken")
}

func customerUndeleteOntoTaken(t *testing.T, e *env) {
	old := e.newCustomer(withEmail("taken@example.com"))
	e.deleteCustomer(old.ID)
	e.newCustomer(withEmail("taken@example.com"))

	_, err := e.store.Customers().Update(e.ctx, old.ID, func(c *customer.Customer) error {
		c.DeletedAt = nil
		return nil
	})
	requireConflict(t, err, storage.ConstraintCustomerEmail, "restoring a deleted customer whose email is taken")
	assert.NotNil(t, e.getCustomer(old.ID).DeletedAt, "the customer stays deleted")
}

func customerReferenceUnique(t *testing.T, e *env) {
	first := e.newCustomer(withReference("erp", "C-1"))
	dup := e.registered(withReference("erp", "C-1"))
	_, err := e.store.Customers().Create(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintCustomerReference)
	_, err = e.store.Customers().Get(e.ctx, dup.ID)
	requireNotFound(t, err, "nothing is written on conflict")

	// The same reference from another origin, and a guest, are different keys
	// or the same key respectively.
	other := e.newCustomer(withReference("shopify", "C-1"))
	g := e.guest(withReference("erp", "C-1"))
	_, err = e.store.Customers().Create(e.ctx, g)
	requireConflict(t, err, storage.ConstraintCustomerReference, "the reference key ignores has_account")

	// Customers without a reference never conflict on it.
	e.newCustomer()
	e.newCustomer()

	got, err := e.store.Customers().GetByReference(e.ctx, "erp", "C-1")
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.ID)
	got, err = e.store.Customers().GetByReference(e.ctx, "shopify", "C-1")
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.ID)
}

func customerDeletingReleasesReference(t *testing.T, e *env) {
	old := e.newCustomer(withReference("erp", "C-9"))
	e.deleteCustomer(old.ID)
	_, err := e.store.Customers().GetByReference(e.ctx, "erp", "C-9")
	requireNotFound(t, err)
	again := e.newCustomer(withReference("erp", "C-9"))
	got, err := e.store.Customers().GetByReference(e.ctx, "erp", "C-9")
	require.NoError(t, err)
	assert.Equal(t, again.ID, got.ID)
}

func customerUpdateReferenceOntoTaken(t *testing.T, e *env) {
	e.newCustomer(withReference("erp", "A"))
	b := e.newCustomer(withReference("erp", "B"))
	_, err := e.store.Customers().Update(e.ctx, b.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Reference: ptr("A")}, e.now())
	})
	requireConflict(t, err, storage.ConstraintCustomerReference)
	assertCustomer(t, b, e.getCustomer(b.ID), "b is unchanged")
	got, err := e.store.Customers().GetByReference(e.ctx, "erp", "B")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
}

func customerUpdateReferenceMovesKey(t *testing.T, e *env) {
	c := e.newCustomer(withReference("erp", "OLD"))
	_, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Reference: ptr("NEW")}, e.now())
	})
	require.NoError(t, err)
	_, err = e.store.Customers().GetByReference(e.ctx, "erp", "OLD")
	requireNotFound(t, err, "the old reference is released")
	got, err := e.store.Customers().GetByReference(e.ctx, "erp", "NEW")
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)
	e.newCustomer(withReference("erp", "OLD"))

	// Clearing the reference releases it too.
	_, err = e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Reference: ptr(""), ReferenceOrigin: ptr("")}, e.now())
	})
	require.NoError(t, err)
	_, err = e.store.Customers().GetByReference(e.ctx, "erp", "NEW")
	requireNotFound(t, err)
	e.newCustomer(withReference("erp", "NEW"))
}

func customerGetByEmailIsExact(t *testing.T, e *env) {
	c := e.newCustomer(withEmail("Exact@Example.com"))
	got, err := e.store.Customers().GetByEmail(e.ctx, "exact@example.com", true)
	require.NoError(t, err)
	assertCustomer(t, c, got)

	for _, s := range []string{"Exact@Example.com", "EXACT@EXAMPLE.COM", " exact@example.com", "exact@example.co", "xact@example.com", ""} {
		_, err := e.store.Customers().GetByEmail(e.ctx, s, true)
		requireNotFound(t, err, "GetByEmail(%q) is byte-exact on the canonical form", s)
	}
	_, err = e.store.Customers().GetByEmail(e.ctx, "exact@example.com", false)
	requireNotFound(t, err, "there is no guest with this email")
}

func customerGetByEmailSkipsDeleted(t *testing.T, e *env) {
	g := e.createCustomer(e.guest(withEmail("gone@example.com")))
	e.deleteCustomer(g.ID)
	_, err := e.store.Customers().GetByEmail(e.ctx, "gone@example.com", false)
	requireNotFound(t, err)
}

func customerGetByReference(t *testing.T, e *env) {
	c := e.newCustomer(withReference("erp", "R-100"))
	got, err := e.store.Customers().GetByReference(e.ctx, "erp", "R-100")
	require.NoError(t, err)
	assertCustomer(t, c, got)
	for _, k := range [][2]string{{"erp", "r-100"}, {"ERP", "R-100"}, {"erp", "R-10"}, {"", "R-100"}, {"erp", ""}, {"", ""}} {
		_, err := e.store.Customers().GetByReference(e.ctx, k[0], k[1])
		requireNotFound(t, err, "GetByReference(%q, %q)", k[0], k[1])
	}
	e.newCustomer() // without a reference: never found by the empty one
	_, err = e.store.Customers().GetByReference(e.ctx, "", "")
	requireNotFound(t, err)
}

func customerGetReturnsDeleted(t *testing.T, e *env) {
	c := e.newCustomer()
	deleted := e.deleteCustomer(c.ID)
	got := e.getCustomer(c.ID)
	assertCustomer(t, deleted, got)
	assert.Equal(t, int64(2), got.Version)
}

func customerUpdateBumpsVersion(t *testing.T, e *env) {
	c := e.newCustomer()
	for v := int64(2); v <= 4; v++ {
		now := e.now()
		out, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
			return c.Apply(customer.Patch{Note: ptr("note " + now.String())}, now)
		})
		require.NoError(t, err)
		assert.Equal(t, v, out.Version, "Update returns the stored copy with Version incremented")
		assert.Equal(t, "note "+now.String(), out.Note)
		assertUTC(t, "UpdatedAt", now, out.UpdatedAt)
		assertCustomer(t, out, e.getCustomer(c.ID), "Get after Update")
	}
}

func customerUpdateFnError(t *testing.T, e *env) {
	c := e.newCustomer(withTags("keep"))
	want := &sentinel{"customer update refused"}
	_, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		c.FirstName = "Changed"
		c.Tags[0] = "mutated"
		c.Email.Address = "changed@example.com"
		c.MarkDeleted(time.Now())
		return want
	})
	requireSame(t, want, err)
	assertCustomer(t, c, e.getCustomer(c.ID), "nothing is written when fn fails")
	got, err := e.store.Customers().GetByEmail(e.ctx, c.Email.Address, true)
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)
}

func customerUpdateKeepsIdentity(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.id()
	out, err := e.store.Customers().Update(e.ctx, c.ID, func(x *customer.Customer) error {
		x.ID = other
		x.CreatedAt = x.CreatedAt.Add(-time.Hour)
		x.Version = 99
		x.FirstName = "Renamed"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, c.ID, out.ID, "fn cannot change the ID")
	assertUTC(t, "CreatedAt", c.CreatedAt, out.CreatedAt)
	assert.Equal(t, int64(2), out.Version, "the adapter sets Version")
	assert.Equal(t, "Renamed", out.FirstName)
	assertCustomer(t, out, e.getCustomer(c.ID))
	_, err = e.store.Customers().Get(e.ctx, other)
	requireNotFound(t, err, "no customer appears under the ID fn set")
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{}))
}

func customerUpdateMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Customers().Update(e.ctx, e.id(), func(*customer.Customer) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing customer")
}

func customerUpdateDeleted(t *testing.T, e *env) {
	c := e.newCustomer()
	e.deleteCustomer(c.ID)
	out, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		c.Note = "updated after deletion"
		return nil
	})
	require.NoError(t, err, "Update works on deleted customers")
	assert.Equal(t, int64(3), out.Version)
	assert.NotNil(t, out.DeletedAt)
	assert.Equal(t, "updated after deletion", e.getCustomer(c.ID).Note)
}

func customerListOrder(t *testing.T, e *env) {
	t0 := e.now()
	t1 := e.now()
	// Created out of order, three sharing one timestamp.
	cs := []customer.Customer{
		e.customerAt(registered, t1),
		e.customerAt(guest, t0),
		e.customerAt(registered, t1),
		e.customerAt(invited, t0.Add(time.Microsecond)),
		e.customerAt(registered, t1),
		e.customerAt(registered, t0.Add(-time.Microsecond)),
	}
	for _, c := range cs {
		e.createCustomer(c)
	}
	want := expectedCustomerIDs(cs...)
	assertIDs(t, want, e.listCustomerIDs(storage.CustomerFilter{}), "ordered by (CreatedAt, ID)")
	for _, limit := range []int{1, 2, 4} {
		assertIDs(t, want, customerIDs(e.listCustomers(storage.CustomerFilter{}, limit)), "pages of %d", limit)
	}
}

func customerListExcludesDeleted(t *testing.T, e *env) {
	a := e.newCustomer()
	b := e.newCustomer()
	c := e.newCustomer()
	e.deleteCustomer(b.ID)
	assertIDs(t, expectedCustomerIDs(a, c), e.listCustomerIDs(storage.CustomerFilter{}), "live customers only by default")
	assertIDs(t, expectedCustomerIDs(a, b, c), e.listCustomerIDs(storage.CustomerFilter{IncludeDeleted: true}), "IncludeDeleted")
}

func customerListFilterEmail(t *testing.T, e *env) {
	old := e.newCustomer(withEmail("Same@example.com"), withTags("old"))
	e.deleteCustomer(old.ID)
	g := e.createCustomer(e.guest(withEmail("same@example.com")))
	r := e.newCustomer(withEmail("same@example.com"))
	e.newCustomer(withEmail("other@example.com"))
	e.newCustomer(withEmail("xsame@example.com"))

	assertIDs(t, expectedCustomerIDs(g, r), e.listCustomerIDs(storage.CustomerFilter{Email: "same@example.com"}))
	assertIDs(t, expectedCustomerIDs(g, r, old), e.listCustomerIDs(storage.CustomerFilter{Email: "same@example.com", IncludeDeleted: true}))
	assertIDs(t, []uuid.UUID{r.ID}, e.listCustomerIDs(storage.CustomerFilter{Email: "same@example.com", HasAccount: ptr(true)}))
	vip := e.createGroup("VIP")
	e.addMember(vip.ID, g.ID)
	assertIDs(t, []uuid.UUID{g.ID}, e.listCustomerIDs(storage.CustomerFilter{Email: "same@example.com", GroupID: vip.ID}), "Email and GroupID")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{Email: "other@example.com", GroupID: vip.ID}), "Email and GroupID")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{Email: "SAME@example.com"}), "exact canonical match")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{Email: "same@"}), "not a substring match")
}

func customerListFilterName(t *testing.T, e *env) {
	john := e.newCustomer(withName("John", "Smith"))
	johnny := e.newCustomer(withName("Johnny", "Appleseed"))
	mary := e.newCustomer(withName("Mary", "Jones"))
	strasse := e.newCustomer(withName("Anna", "Straße"))
	greek := e.newCustomer(withName("Σίσυφος", "Αἰολίδης"))
	emile := e.newCustomer(withName("Émile", "Zola"))
	nameless := e.newCustomer(withName("", ""))
	all := []customer.Customer{john, johnny, mary, strasse, greek, emile, nameless}

	tests := []struct {
		name string
		want []customer.Customer
	}{
		{"", all},
		{"john", []customer.Customer{john, johnny}},
		{"JOHN", []customer.Customer{john, johnny}},
		{"n sm", []customer.Customer{john}},              // spans first and last name
		{"  John \t  SMITH ", []customer.Customer{john}}, // white space collapsed and trimmed
		{"smith", []customer.Customer{john}},
		{"STRASSE", []customer.Customer{strasse}}, // full Unicode case folding: ß = ss
		{"straße", []customer.Customer{strasse}},
		{"ΣΊΣΥΦΟΣ", []customer.Customer{greek}}, // final sigma folds like sigma
		{"émile", []customer.Customer{emile}},
		{"ÉMILE ZOLA", []customer.Customer{emile}},
		{"emile", nil}, // accents are not folded
		{"jones mary", nil},
		{"xyz", nil},
	}
	for _, tt := range tests {
		assertIDs(t, expectedCustomerIDs(tt.want...), e.listCustomerIDs(storage.CustomerFilter{Name: tt.name}), "Name %q", tt.name)
	}
}

func customerListFilterGroup(t *testing.T, e *env) {
	vip := e.createGroup("VIP")
	other := e.createGroup("Other")
	a := e.newCustomer()
	b := e.newCustomer()
	c := e.newCustomer()
	gone := e.newCustomer()
	e.addMember(vip.ID, a.ID)
	e.addMember(vip.ID, c.ID)
	e.addMember(vip.ID, gone.ID)
	e.addMember(other.ID, b.ID)
	e.deleteCustomer(gone.ID)

	assertIDs(t, expectedCustomerIDs(a, c), e.listCustomerIDs(storage.CustomerFilter{GroupID: vip.ID}))
	assertIDs(t, expectedCustomerIDs(a, c, gone), e.listCustomerIDs(storage.CustomerFilter{GroupID: vip.ID, IncludeDeleted: true}))
	assertIDs(t, []uuid.UUID{b.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: other.ID}))
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: e.id()}), "an unknown group has no members")
}

func customerListFilterStatusStateType(t *testing.T, e *env) {
	prospect := e.newCustomer()
	acquiredC := e.registered(withBusiness())
	acquiredC.RecordOrder(e.now())
	acquired := e.createCustomer(acquiredC)
	repeatC := e.registered()
	repeatC.RecordOrder(e.now())
	repeatC.RecordOrder(e.now())
	require.NoError(t, repeatC.Disable(e.now()))
	repeat := e.createCustomer(repeatC)
	inv := e.createCustomer(e.customerAt(invited, e.now(), withBusiness()))
	g := e.createCustomer(e.guest())

	f := storage.CustomerFilter{}
	tests := []struct {
		name string
		f    storage.CustomerFilter
		want []customer.Customer
	}{
		{"none", f, []customer.Customer{prospect, acquired, repeat, inv, g}},
		{"prospect", storage.CustomerFilter{Status: customer.StatusProspect}, []customer.Customer{prospect, inv, g}},
		{"acquired", storage.CustomerFilter{Status: customer.StatusAcquired}, []customer.Customer{acquired}},
		{"repeat", storage.CustomerFilter{Status: customer.StatusRepeat}, []customer.Customer{repeat}},
		{"active", storage.CustomerFilter{State: customer.StateActive}, []customer.Customer{prospect, acquired}},
		{"disabled", storage.CustomerFilter{State: customer.StateDisabled}, []customer.Customer{repeat}},
		{"invited", storage.CustomerFilter{State: customer.StateInvited}, []customer.Customer{inv}},
		{"guest", storage.CustomerFilter{State: customer.StateGuest}, []customer.Customer{g}},
		{"business", storage.CustomerFilter{Type: customer.TypeBusiness}, []customer.Customer{acquired, inv}},
		{"private", storage.CustomerFilter{Type: customer.TypePrivate}, []customer.Customer{prospect, repeat, g}},
		{"business prospect", storage.CustomerFilter{Type: customer.TypeBusiness, Status: customer.StatusProspect}, []customer.Customer{inv}},
	}
	for _, tt := range tests {
		assertIDs(t, expectedCustomerIDs(tt.want...), e.listCustomerIDs(tt.f), tt.name)
	}
}

func customerListFilterTags(t *testing.T, e *env) {
	ab := e.newCustomer(withTags("a", "b"))
	a := e.newCustomer(withTags("a"))
	bc := e.newCustomer(withTags("b", "c"))
	none := e.newCustomer()
	tests := []struct {
		tags []string
		want []customer.Customer
	}{
		{nil, []customer.Customer{ab, a, bc, none}},
		{[]string{}, []customer.Customer{ab, a, bc, none}},
		{[]string{"a"}, []customer.Customer{ab, a}},
		{[]string{"b"}, []customer.Customer{ab, bc}},
		{[]string{"a", "b"}, []customer.Customer{ab}},
		{[]string{"b", "a"}, []customer.Customer{ab}},
		{[]string{"a", "b", "c"}, nil},
		{[]string{"d"}, nil},
	}
	for _, tt := range tests {
		assertIDs(t, expectedCustomerIDs(tt.want...), e.listCustomerIDs(storage.CustomerFilter{Tags: tt.tags}), "Tags %q (all of)", tt.tags)
	}
}

func customerListFilterHasAccount(t *testing.T, e *env) {
	r := e.newCustomer()
	g := e.createCustomer(e.guest())
	inv := e.createCustomer(e.customerAt(invited, e.now()))
	assertIDs(t, expectedCustomerIDs(r, g, inv), e.listCustomerIDs(storage.CustomerFilter{}))
	assertIDs(t, expectedCustomerIDs(r, inv), e.listCustomerIDs(storage.CustomerFilter{HasAccount: ptr(true)}))
	assertIDs(t, []uuid.UUID{g.ID}, e.listCustomerIDs(storage.CustomerFilter{HasAccount: ptr(false)}))
}

func customerListFilterCreatedRange(t *testing.T, e *env) {
	var cs []customer.Customer
	var ts []time.Time
	for range 5 {
		at := e.now()
		ts = append(ts, at)
		cs = append(cs, e.createCustomer(e.customerAt(registered, at)))
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []customer.Customer
	}{
		{"unbounded", time.Time{}, time.Time{}, cs},
		{"[t1, t3)", ts[1], ts[3], cs[1:3]},
		{"from t2", ts[2], time.Time{}, cs[2:]},
		{"to t2", time.Time{}, ts[2], cs[:2]},
		{"one microsecond", ts[2], ts[2].Add(time.Microsecond), cs[2:3]},
		{"just after t2", ts[2].Add(time.Microsecond), ts[3], nil},
		{"empty range", ts[2], ts[2], nil},
		{"other time zone", ts[1].In(time.FixedZone("UTC+5", 5*3600)), ts[3].In(time.FixedZone("UTC-7", -7*3600)), cs[1:3]},
	}
	for _, tt := range tests {
		assertIDs(t, expectedCustomerIDs(tt.want...),
			e.listCustomerIDs(storage.CustomerFilter{CreatedFrom: tt.from, CreatedTo: tt.to}), "%s: [CreatedFrom, CreatedTo) is half-open", tt.name)
	}
}

func customerListFiltersCombine(t *testing.T, e *env) {
	vip := e.createGroup("VIP")
	match := e.newCustomer(withName("Ada", "King"), withTags("x"), withBusiness())
	wrongName := e.newCustomer(withName("Bob", "King"), withTags("x"), withBusiness())
	wrongTag := e.newCustomer(withName("Ada", "Queen"), withBusiness())
	wrongType := e.newCustomer(withName("Ada", "Byron"), withTags("x"))
	notMember := e.newCustomer(withName("Ada", "Ross"), withTags("x"), withBusiness())
	for _, c := range []customer.Customer{match, wrongName, wrongTag, wrongType} {
		e.addMember(vip.ID, c.ID)
	}
	f := storage.CustomerFilter{
		Name:        "ada",
		GroupID:     vip.ID,
		Type:        customer.TypeBusiness,
		Tags:        []string{"x"},
		HasAccount:  ptr(true),
		Status:      customer.StatusProspect,
		State:       customer.StateActive,
		CreatedFrom: match.CreatedAt,
		CreatedTo:   notMember.CreatedAt.Add(time.Hour),
	}
	assertIDs(t, []uuid.UUID{match.ID}, e.listCustomerIDs(f), "every set field must match")
}

func customerListEmpty(t *testing.T, e *env) {
	page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.Next, "an empty list has no next page")
}
