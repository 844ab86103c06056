package storagetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// namespace seeds the deterministic IDs of the suite.
var namespace = uuid.MustParse("6f0c3d56-8a52-4a7e-9d0b-6c1f2f3e4a5b")

// baseTime is the suite's first clock reading: UTC with microsecond
// precision, the precision every adapter must keep.
var baseTime = time.Date(2025, time.March, 14, 15, 9, 26, 535897000, time.UTC)

// env is one test case's fresh store with a deterministic clock and ID
// generator, and the fixture builders.
type env struct {
	t     *testing.T
	ctx   context.Context
	store storage.Store
	cfg   config // what Run's options declared

	mu    sync.Mutex
	seq   int
	clock time.Time
}

func newEnv(t *testing.T, newStore func(t *testing.T) storage.Store) *env {
	s := newStore(t)
	require.NotNil(t, s, "newStore returned nil")
	return &env{t: t, ctx: t.Context(), store: s, clock: baseTime}
}

// next returns the next number of the sequence behind IDs and emails.
func (e *env) next() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	return e.seq
}

// id returns a new deterministic UUID. Successive IDs are in no particular
// byte order, so lists ordered by (time, ID) are really sorted by ID.
func (e *env) id() uuid.UUID {
	return uuid.NewSHA1(namespace, []byte(e.t.Name()+"#"+strconv.Itoa(e.next())))
}

// now returns the clock and advances it by a little over a second, so that
// every call returns a distinct time with microsecond precision.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock
	e.clock = e.clock.Add(time.Second + 7*time.Microsecond)
	return now
}

// customerOption changes the parameters of a fixture customer.
type customerOption func(*customer.Params)

func withEmail(email string) customerOption {
	return func(p *customer.Params) { p.Email = email }
}

func withName(first, last string) customerOption {
	return func(p *customer.Params) { p.FirstName, p.LastName = first, last }
}

func withTags(tags ...string) customerOption {
	return func(p *customer.Params) { p.Tags = tags }
}

func withReference(origin, ref string) customerOption {
	return func(p *customer.Params) { p.ReferenceOrigin, p.Reference = origin, ref }
}

func withBusiness() customerOption {
	return func(p *customer.Params) { p.Type = customer.TypeBusiness }
}

func withMetadata(m map[string]string) customerOption {
	return func(p *customer.Params) { p.Metadata = m }
}

// params returns valid customer parameters with a unique email address.
func (e *env) params(opts ...customerOption) customer.Params {
	n := e.next()
	p := customer.Params{
		Email:     fmt.Sprintf("customer-%d@example.com", n),
		FirstName: "Ada",
		LastName:  fmt.Sprintf("Lovelace %d", n),
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// customerKind selects the constructor of a fixture customer.
type customerKind int

const (
	registered customerKind = iota
	guest
	invited
)

// customerAt builds (without storing) a customer created at the given time.
func (e *env) customerAt(kind customerKind, at time.Time, opts ...customerOption) customer.Customer {
	e.t.Helper()
	p := e.params(opts...)
	var (
		c   customer.Customer
		err error
	)
	switch kind {
	case guest:
		c, err = customer.NewGuest(e.id(), p, at)
	case invited:
		c, err = customer.NewInvited(e.id(), p, at)
	default:
		c, err = customer.NewRegistered(e.id(), p, at)
	}
	require.NoError(e.t, err, "building a fixture customer")
	return c
}

// registered builds (without storing) a registered customer.
func (e *env) registered(opts ...customerOption) customer.Customer {
	e.t.Helper()
	return e.customerAt(registered, e.now(), opts...)
}

// guest builds (without storing) a guest customer.
func (e *env) guest(opts ...customerOption) customer.Customer {
	e.t.Helper()
	return e.customerAt(guest, e.now(), opts...)
}

// createCustomer stores c and fails the test on error.
func (e *env) createCustomer(c customer.Customer) customer.Customer {
	e.t.Helper()
	out, err := e.store.Customers().Create(e.ctx, c)
	require.NoError(e.t, err, "creating customer %s", c.Email.Address)
	return out
}

// newCustomer builds and stores a registered customer.
func (e *env) newCustomer(opts ...customerOption) customer.Customer {
	e.t.Helper()
	return e.createCustomer(e.registered(opts...))
}

// deleteCustomer marks the customer deleted through Update.
func (e *env) deleteCustomer(id uuid.UUID) customer.Customer {
	e.t.Helper()
	now := e.now()
	out, err := e.store.Customers().Update(e.ctx, id, func(c *customer.Customer) error {
		c.MarkDeleted(now)
		return nil
	})
	require.NoError(e.t, err, "deleting customer %s", id)
	require.NotNil(e.t, out.DeletedAt, "Update returned a customer without DeletedAt after MarkDeleted")
	return out
}

// getCustomer reads a customer that must exist.
func (e *env) getCustomer(id uuid.UUID) customer.Customer {
	e.t.Helper()
	c, err := e.store.Customers().Get(e.ctx, id)
	require.NoError(e.t, err, "getting customer %s", id)
	return c
}

// groupAt builds (without storing) a group.
func (e *env) groupAt(name string, at time.Time) group.Group {
	e.t.Helper()
	g, err := group.New(e.id(), group.Params{Name: name, Description: "Description of " + name, Metadata: map[string]string{"source": "storagetest"}}, at)
	require.NoError(e.t, err, "building group %q", name)
	return g
}

// createGroup builds and stores a group.
func (e *env) createGroup(name string) group.Group {
	e.t.Helper()
	out, err := e.store.Groups().Create(e.ctx, e.groupAt(name, e.now()))
	require.NoError(e.t, err, "creating group %q", name)
	return out
}

// addMember adds a membership that must be new.
func (e *env) addMember(groupID, customerID uuid.UUID) {
	e.t.Helper()
	added, err := e.store.Groups().AddMember(e.ctx, groupID, customerID)
	require.NoError(e.t, err, "adding customer %s to group %s", customerID, groupID)
	require.True(e.t, added, "AddMember of a new membership reported added=false")
}

// money parses an amount; the fixtures only use valid ones.
func money(t *testing.T, amount, code string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, code)
	require.NoError(t, err, "parsing %s %s", amount, code)
	return m
}

func (e *env) usd(amount string) balance.Money {
	e.t.Helper()
	return money(e.t, amount, "USD")
}

// createAccount creates the customer's account in the currency.
func (e *env) createAccount(customerID uuid.UUID, code string) balance.Account {
	e.t.Helper()
	a := balance.NewAccount(e.id(), customerID, balance.MustCurrency(code), e.now())
	out, err := e.store.Balances().CreateAccount(e.ctx, a)
	require.NoError(e.t, err, "creating %s account of customer %s", code, customerID)
	return out
}

// postingOption changes the parameters of a fixture posting.
type postingOption func(*balance.PostingParams)

func withKey(key string) postingOption {
	return func(p *balance.PostingParams) { p.IdempotencyKey = key }
}

// kindFor picks the simplest kind that allows the amount's sign.
func kindFor(m balance.Money) balance.Kind {
	if m.IsNegative() {
		return balance.KindOrderPayment
	}
	return balance.KindGiftCard
}

// posting builds (without storing) a posting of amount to account a.
func (e *env) posting(a balance.Account, amount balance.Money, opts ...postingOption) balance.Posting {
	e.t.Helper()
	p := balance.PostingParams{Kind: kindFor(amount), Amount: amount, Reference: "ref", Actor: "storagetest"}
	for _, o := range opts {
		o(&p)
	}
	out, err := balance.NewPosting(e.id(), a, p, e.now())
	require.NoError(e.t, err, "building a posting of %s", amount)
	return out
}

// post builds and stores a posting that must succeed.
func (e *env) post(a balance.Account, amount balance.Money, opts ...postingOption) balance.Posting {
	e.t.Helper()
	out, err := e.store.Balances().Post(e.ctx, e.posting(a, amount, opts...))
	require.NoError(e.t, err, "posting %s", amount)
	e.checkLots(a.ID) // after every posting: balance == sum(lots) - debt
	return out
}

// getAccount reads an account that must exist.
func (e *env) getAccount(id uuid.UUID) balance.Account {
	e.t.Helper()
	a, err := e.store.Balances().GetAccount(e.ctx, id)
	require.NoError(e.t, err, "getting account %s", id)
	return a
}

// orderOption changes the parameters of a fixture order.
type orderOption func(*order.Params)

// orderParams returns valid order parameters.
func (e *env) orderParams(customerID uuid.UUID, id string, opts ...orderOption) order.Params {
	e.t.Helper()
	p := order.Params{
		ID:         id,
		CustomerID: customerID,
		Number:     "#" + id,
		Total:      e.usd("42.50"),
		Channel:    "web",
		PlacedAt:   e.now(),
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// order builds (without storing) an order.
func (e *env) order(customerID uuid.UUID, id string, opts ...orderOption) order.Order {
	e.t.Helper()
	o, err := order.New(e.orderParams(customerID, id, opts...), e.now())
	require.NoError(e.t, err, "building order %q", id)
	return o
}

// createOrder builds and stores an order.
func (e *env) createOrder(customerID uuid.UUID, id string, opts ...orderOption) order.Order {
	e.t.Helper()
	out, err := e.store.Orders().Create(e.ctx, e.order(customerID, id, opts...))
	require.NoError(e.t, err, "creating order %q", id)
	return out
}

// validAddress returns an address with every field set.
func validAddress(line1 string) address.Address {
	return address.Address{
		FirstName:  "Grace",
		LastName:   "Hopper",
		Company:    "Navy",
		Line1:      line1,
		Line2:      "Suite 100",
		City:       "Berlin",
		PostalCode: "10115",
		Province:   "Berlin",
		Country:    "DE",
		Phone:      "+4930123456",
	}
}

// compareIDs orders UUIDs by their bytes, as every (time, ID) list does.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// sortByTimeID sorts items by (time, ID) ascending, the order of every list
// of the contract except the ledger and the order history.
func sortByTimeID[T any](items []T, key func(T) (time.Time, uuid.UUID)) {
	slices.SortStableFunc(items, func(a, b T) int {
		at, aid := key(a)
		bt, bid := key(b)
		if c := at.Compare(bt); c != 0 {
			return c
		}
		return compareIDs(aid, bid)
	})
}

// customerIDs returns the IDs of the customers in order.
func customerIDs(cs []customer.Customer) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// expectedCustomerIDs returns the IDs of cs in list order.
func expectedCustomerIDs(cs ...customer.Customer) []uuid.UUID {
	cs = slices.Clone(cs)
	sortByTimeID(cs, func(c customer.Customer) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID })
	return customerIDs(cs)
}

// maxPages bounds every page walk, so that an adapter whose cursor never
// ends fails instead of looping forever.
const maxPages = 10000

// walk collects every item of a list by following Next from the first page.
func walk[T any](t *testing.T, limit int, list func(storage.PageRequest) (storage.Page[T], error)) []T {
	t.Helper()
	var all []T
	req := storage.PageRequest{Limit: limit}
	for range maxPages {
		page, err := list(req)
		require.NoError(t, err, "listing with cursor %q", req.Cursor)
		if limit > 0 {
			require.LessOrEqual(t, len(page.Items), limit, "a page holds more items than the limit")
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		require.NotEmpty(t, page.Items, "a page with a Next cursor has no items")
		req.Cursor = page.Next
	}
	t.Fatalf("list did not end after %d pages", maxPages)
	return nil
}

// listCustomers returns every customer matching f, walking pages of limit.
func (e *env) listCustomers(f storage.CustomerFilter, limit int) []customer.Customer {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[customer.Customer], error) {
		return e.store.Customers().List(e.ctx, f, p)
	})
}

// listCustomerIDs is listCustomers returning IDs, in one big page.
func (e *env) listCustomerIDs(f storage.CustomerFilter) []uuid.UUID {
	e.t.Helper()
	return customerIDs(e.listCustomers(f, storage.MaxPageLimit))
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
