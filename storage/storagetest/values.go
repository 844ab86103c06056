package storagetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

func valuesCases() []testCase {
	return []testCase{
		{"CustomerReturnedValuesAreCopies", valuesCustomerReturned},
		{"CustomerInputIsCopied", valuesCustomerInput},
		{"CustomerUpdateFnCannotKeepReferences", valuesCustomerUpdateFn},
		{"AddressBookValuesAreCopies", valuesAddressBook},
		{"GroupValuesAreCopies", valuesGroup},
		{"MerchantValuesAreCopies", valuesMerchant},
		{"MarketValuesAreCopies", valuesMarket},
		{"TimesReturnedInUTC", valuesTimesInUTC},
		{"TimesKeepMicroseconds", valuesTimesMicroseconds},
	}
}

// scribble mutates every reference a customer holds.
func scribble(c *customer.Customer) {
	if len(c.Tags) > 0 {
		c.Tags[0] = "scribbled"
	}
	c.Tags = append(c.Tags, "appended")
	if c.Metadata != nil {
		c.Metadata["k"] = "scribbled"
		c.Metadata["new"] = "added"
	}
	if c.DeletedAt != nil {
		*c.DeletedAt = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
}

// deletedFixture stores a deleted customer with tags and metadata, the
// three kinds of reference a customer holds.
func (e *env) deletedFixture() customer.Customer {
	e.t.Helper()
	c := e.registered(withTags("a", "b"), withMetadata(map[string]string{"k": "v"}), withReference("erp", "V-1"))
	c.MarkDeleted(e.now())
	return e.createCustomer(c)
}

func valuesCustomerReturned(t *testing.T, e *env) {
	live := e.newCustomer(withTags("a", "b"), withMetadata(map[string]string{"k": "v"}), withReference("erp", "L-1"))
	want := live.Clone()
	scribble(&live) // the value Create returned

	got := e.getCustomer(want.ID)
	scribble(&got)
	byEmail, err := e.store.Customers().GetByEmail(e.ctx, want.Email.Address, true)
	require.NoError(t, err)
	scribble(&byEmail)
	byRef, err := e.store.Customers().GetByReference(e.ctx, "erp", "L-1")
	require.NoError(t, err)
	scribble(&byRef)
	page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{}, storage.PageRequest{})
	require.NoError(t, err)
	for i := range page.Items {
		scribble(&page.Items[i])
	}
	assertCustomer(t, want, e.getCustomer(want.ID), "mutating returned values never changes the store")

	dead := e.deletedFixture()
	wantDead := dead.Clone()
	scribble(&dead)
	up, err := e.store.Customers().Update(e.ctx, wantDead.ID, func(*customer.Customer) error { return nil })
	require.NoError(t, err)
	wantDead.Version = up.Version
	wantUp := up.Clone()
	scribble(&up)
	got = e.getCustomer(wantDead.ID)
	assertCustomer(t, wantUp, got, "mutating Update's result never changes the store")
	assertUTCPtr(t, "DeletedAt", wantDead.DeletedAt, got.DeletedAt)
}

func valuesCustomerInput(t *testing.T, e *env) {
	c := e.registered(withTags("a", "b"), withMetadata(map[string]string{"k": "v"}))
	c.MarkDeleted(e.now())
	want := c.Clone()
	want.Version = 1
	_, err := e.store.Customers().Create(e.ctx, c)
	require.NoError(t, err)
	scribble(&c) // the caller reuses its value after Create
	assertCustomer(t, want, e.getCustomer(c.ID), "mutating Create's input never changes the store")
}

func valuesCustomerUpdateFn(t *testing.T, e *env) {
	c := e.newCustomer(withTags("a"), withMetadata(map[string]string{"k": "v"}))
	var kept *customer.Customer
	var keptCopy customer.Customer
	out, err := e.store.Customers().Update(e.ctx, c.ID, func(x *customer.Customer) error {
		x.Tags = []string{"fn", "tags"}
		x.Metadata = map[string]string{"k": "from fn"}
		x.MarkDeleted(e.now())
		kept, keptCopy = x, x.Clone()
		return nil
	})
	require.NoError(t, err)
	want := out.Clone()
	assert.Equal(t, keptCopy.Tags, want.Tags)
	// fn kept references to what it stored; writing through them later
	// must not reach the store.
	scribble(kept)
	kept.FirstName = "scribbled"
	assertCustomer(t, want, e.getCustomer(c.ID), "references kept by fn never change the store")
}

func valuesAddressBook(t *testing.T, e *env) {
	c := e.newCustomer()
	var kept *address.Book
	var keptEntries []address.Entry
	out, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for _, l := range []string{"One", "Two"} {
			if _, err := b.Add(e.id(), validAddress(l), e.now()); err != nil {
				return err
			}
		}
		kept, keptEntries = b, b.Entries
		return nil
	})
	require.NoError(t, err)
	want := out.Clone()

	out.Entries[0].Line1 = "scribbled result"
	out.Entries[1].DefaultBilling = true
	keptEntries[0].Line1 = "scribbled in fn"
	keptEntries[1].DefaultShipping = true
	kept.Entries[0].City = "scribbled through fn's pointer"
	kept.Entries = append(kept.Entries, address.Entry{ID: e.id()})
	got := e.book(c.ID)
	assertBook(t, want, got, "neither UpdateBook's result nor fn's book reach the store")

	got.Entries[0].City = "scribbled"
	got.Entries = got.Entries[:1]
	assertBook(t, want, e.book(c.ID), "mutating Book's result never changes the store")
}

func valuesGroup(t *testing.T, e *env) {
	g := e.groupAt("Copies", e.now())
	want := g.Clone()
	want.Version = 1
	out, err := e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	g.Metadata["source"] = "scribbled input"
	out.Metadata["source"] = "scribbled result"
	got := e.getGroup(g.ID)
	got.Metadata["source"] = "scribbled get"
	byName, err := e.store.Groups().GetByName(e.ctx, "Copies")
	require.NoError(t, err)
	byName.Metadata["x"] = "scribbled"
	page, err := e.store.Groups().List(e.ctx, storage.GroupFilter{}, storage.PageRequest{})
	require.NoError(t, err)
	page.Items[0].Metadata["x"] = "scribbled"
	assertGroup(t, want, e.getGroup(g.ID), "returned and input values are copies")

	var kept map[string]string
	var keptGroup *group.Group
	up, err := e.store.Groups().Update(e.ctx, g.ID, func(x *group.Group) error {
		kept, keptGroup = x.Metadata, x
		return nil
	})
	require.NoError(t, err)
	kept["source"] = "scribbled in fn"
	keptGroup.Metadata["source"] = "scribbled through fn's pointer"
	up.Metadata["source"] = "scribbled result"
	want.Version = 2
	assertGroup(t, want, e.getGroup(g.ID), "fn's map and Update's result are copies")
}

func valuesMerchant(t *testing.T, e *env) {
	m := e.merchantAt(e.now())
	want := m.Clone()
	want.Version = 1
	out, err := e.store.Merchants().Create(e.ctx, m)
	require.NoError(t, err)
	m.Metadata["source"] = "scribbled input"
	out.Metadata["source"] = "scribbled result"
	got := e.getMerchant(m.ID)
	got.Metadata["source"] = "scribbled get"
	page, err := e.store.Merchants().List(e.ctx, storage.PageRequest{})
	require.NoError(t, err)
	page.Items[0].Metadata["x"] = "scribbled"
	var kept map[string]string
	var keptMerchant *merchant.Merchant
	_, err = e.store.Merchants().Update(e.ctx, m.ID, func(x *merchant.Merchant) error {
		kept, keptMerchant = x.Metadata, x
		return nil
	})
	require.NoError(t, err)
	kept["source"] = "scribbled in fn"
	keptMerchant.Metadata["source"] = "scribbled through fn's pointer"
	want.Version = 2
	assertMerchant(t, want, e.getMerchant(m.ID), "merchant values are copies")
}

func valuesMarket(t *testing.T, e *env) {
	g1 := e.createGroup("Access 1")
	g2 := e.createGroup("Access 2")
	mk := e.marketFor(e.createMerchant().ID, withAccessGroups(g1.ID, g2.ID))
	want := mk.Clone()
	want.Version = 1
	out, err := e.store.Markets().Create(e.ctx, mk)
	require.NoError(t, err)
	mk.AccessGroups[0] = e.id()
	mk.Metadata["source"] = "scribbled input"
	out.AccessGroups[1] = e.id()
	out.Metadata["source"] = "scribbled result"
	got, err := e.store.Markets().Get(e.ctx, want.ID)
	require.NoError(t, err)
	got.AccessGroups[0] = uuid.Nil
	byCode, err := e.store.Markets().GetByCode(e.ctx, want.Code)
	require.NoError(t, err)
	byCode.AccessGroups[0] = uuid.Nil
	page, err := e.store.Markets().List(e.ctx, storage.MarketFilter{}, storage.PageRequest{})
	require.NoError(t, err)
	page.Items[0].AccessGroups[0] = uuid.Nil
	got, err = e.store.Markets().Get(e.ctx, want.ID)
	require.NoError(t, err)
	assertMarket(t, want, got, "returned and input values are copies")

	var kept []uuid.UUID
	var keptMarket *market.Market
	_, err = e.store.Markets().Update(e.ctx, want.ID, func(x *market.Market) error {
		kept, keptMarket = x.AccessGroups, x
		return nil
	})
	require.NoError(t, err)
	kept[0] = uuid.Nil
	keptMarket.AccessGroups[1] = uuid.Nil
	keptMarket.Metadata["source"] = "scribbled through fn's pointer"
	want.Version = 2
	got, err = e.store.Markets().Get(e.ctx, want.ID)
	require.NoError(t, err)
	assertMarket(t, want, got, "fn's slice is a copy")
	// The group index still sees the access groups.
	requireConflict(t, e.store.Groups().Delete(e.ctx, g1.ID), storage.ConstraintMarketAccessGroup)
}

func valuesTimesInUTC(t *testing.T, e *env) {
	east := time.FixedZone("UTC+05:30", 5*3600+1800)
	west := time.FixedZone("UTC-08:00", -8*3600)

	c := e.registered()
	want := c
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.In(east), c.UpdatedAt.In(west)
	out := e.createCustomer(c)
	assertUTC(t, "Create's CreatedAt", want.CreatedAt, out.CreatedAt)
	assertUTC(t, "Create's UpdatedAt", want.UpdatedAt, out.UpdatedAt)
	got := e.getCustomer(c.ID)
	assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt)

	deletedAt := e.now()
	up, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		c.UpdatedAt = deletedAt.In(west)
		d := deletedAt.In(east)
		c.DeletedAt = &d
		return nil
	})
	require.NoError(t, err)
	assertUTC(t, "Update's UpdatedAt", deletedAt, up.UpdatedAt)
	assertUTCPtr(t, "Update's DeletedAt", &deletedAt, up.DeletedAt)
	got = e.getCustomer(c.ID)
	assertUTC(t, "UpdatedAt after Update", deletedAt, got.UpdatedAt)
	assertUTCPtr(t, "DeletedAt after Update", &deletedAt, got.DeletedAt)

	g := e.groupAt("Zoned", e.now())
	wantG := g
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.In(east), g.UpdatedAt.In(west)
	_, err = e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	gotG := e.getGroup(g.ID)
	assertUTC(t, "group CreatedAt", wantG.CreatedAt, gotG.CreatedAt)
	assertUTC(t, "group UpdatedAt", wantG.UpdatedAt, gotG.UpdatedAt)

	a := e.createAccount(e.newCustomer().ID, "USD")
	p := e.posting(a, e.usd("1.00"))
	wantP := p.CreatedAt
	p.CreatedAt = p.CreatedAt.In(west)
	posted, err := e.store.Balances().Post(e.ctx, p)
	require.NoError(t, err)
	assertUTC(t, "posting CreatedAt", wantP, posted.CreatedAt)
	ledger := e.postings(a.ID, 0)
	require.Len(t, ledger, 1)
	assertUTC(t, "posting CreatedAt", wantP, ledger[0].CreatedAt)

	o := e.order(e.newCustomer().ID, "zoned") // c is deleted: orders need a live customer
	wantO := o
	o.PlacedAt, o.CreatedAt, o.UpdatedAt = o.PlacedAt.In(east), o.CreatedAt.In(west), o.UpdatedAt.In(east)
	_, err = e.store.Orders().Create(e.ctx, o)
	require.NoError(t, err)
	gotO := e.getOrder(o.ID)
	assertUTC(t, "order PlacedAt", wantO.PlacedAt, gotO.PlacedAt)
	assertUTC(t, "order CreatedAt", wantO.CreatedAt, gotO.CreatedAt)
	assertUTC(t, "order UpdatedAt", wantO.UpdatedAt, gotO.UpdatedAt)
}

func valuesTimesMicroseconds(t *testing.T, e *env) {
	for _, at := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 123456000, time.UTC),
		time.Date(2038, 1, 19, 3, 14, 8, 1000, time.UTC),
		time.Date(2199, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		c := e.customerAt(registered, at)
		e.createCustomer(c)
		got := e.getCustomer(c.ID)
		assertUTC(t, "CreatedAt", at, got.CreatedAt)
		p := e.orderParams(c.ID, "at-"+at.Format(time.RFC3339Nano))
		p.PlacedAt = at
		o, err := order.New(p, at)
		require.NoError(t, err)
		_, err = e.store.Orders().Create(e.ctx, o)
		require.NoError(t, err)
		assertUTC(t, "PlacedAt", at, e.getOrder(o.ID).PlacedAt)
		a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), at)
		_, err = e.store.Balances().CreateAccount(e.ctx, a)
		require.NoError(t, err)
		assertUTC(t, "account CreatedAt", at, e.getAccount(a.ID).CreatedAt)
	}
	// Nanoseconds are cut to microseconds, the precision every adapter
	// keeps, and what a write returns is what a read returns.
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	c, err := e.store.Customers().Create(e.ctx, e.customerAt(registered, at))
	require.NoError(t, err)
	assert.Equal(t, at.Truncate(time.Microsecond), c.CreatedAt, "Create returns microseconds")
	assertUTC(t, "CreatedAt", at.Truncate(time.Microsecond), e.getCustomer(c.ID).CreatedAt)
	a, err := e.store.Balances().CreateAccount(e.ctx, balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), at))
	require.NoError(t, err)
	assert.Equal(t, e.getAccount(a.ID), a, "CreateAccount returns what GetAccount reads")

	// Filtering by time keeps microseconds too.
	got := e.listCustomerIDs(storage.CustomerFilter{
		CreatedFrom: time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		CreatedTo:   time.Date(2000, 2, 29, 12, 0, 0, 123456000, time.UTC),
	})
	assert.Len(t, got, 1, "[23:59:59.999999, 12:00:00.123456) holds exactly one customer")
}
