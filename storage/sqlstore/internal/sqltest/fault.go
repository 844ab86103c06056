package sqltest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// FaultEngine is one database under the fault-injection tests.
type FaultEngine struct {
	// Dialect is the engine's dialect.
	Dialect sqlstore.Dialect
	// Open returns a handle on a database (or schema) of the test's own,
	// opened through a fault connector, and the connector. The handle is
	// closed and the database dropped when the test ends.
	Open func(t testing.TB) (*sql.DB, *faultdriver.Connector)
	// Retryable is a driver error that the dialect classifies as
	// sqlstore.ErrRetry (a serialization failure, a deadlock, a busy
	// database).
	Retryable error
}

// freshStores, from CLIENTELE_FAULT_FRESH_STORES=1, makes every run of
// Faults migrate and set up a store of its own. By default a run that left
// every table as it found it hands its store to the next run, with the ID
// generator wound back to where the setup left it: the next run starts from
// the same rows either way, without the migration (slow on server engines,
// and on SQLite under the race detector).
var freshStores = os.Getenv("CLIENTELE_FAULT_FRESH_STORES") == "1"

// Faults runs every write operation of the services over a store opened
// through the fault driver and breaks it at each of its statements, at its
// COMMIT and after its COMMIT, and by dropping the connection: the
// operation must report an error and leave nothing behind, or, after an
// ambiguous commit, have fully happened (and a retry with the same
// idempotency key must post nothing more). A retryable driver error must
// make Atomic run the transaction again, and a plain one must not.
//
// Each operation runs in a subtest of its own, in parallel with the others
// on as many lanes as the tests run in parallel: a lane is a handle that
// e.Open returns and one migrated store on it, which each run empties and
// sets up again for the next (see recycle), or hands on as it is when it
// left every table as it found it. One migration per lane, not one per
// run: on the server engines the DDL was most of the suite's time. With
// CLIENTELE_FAULT_FRESH_STORES=1 every run migrates a store of its own.
func Faults(t *testing.T, e FaultEngine) {
	if k := e.Dialect.Classify(e.Retryable); k != sqlstore.ErrRetry && k != sqlstore.ErrBusy {
		t.Fatalf("the dialect does not classify %T %v as retryable", e.Retryable, e.Retryable)
	}
	n := min(max(runtime.GOMAXPROCS(0), 2), 4)
	lanes := make(chan *faultLane, n)
	for range n {
		db, fc := e.Open(t)
		lanes <- &faultLane{db: db, fc: fc, owner: t}
	}
	for _, op := range slices.Concat(faultOps, moreFaultOps, outboxFaultOps, accountFaultOps, walletFaultOps, orderHistoryFaultOps, lotFaultOps, mergeFaultOps, companyFaultOps, verificationFaultOps, vendorFaultOps, privacyFaultOps, bulkFaultOps, membershipFaultOps, consentFaultOps, segmentFaultOps, pricingFaultOps) {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			l := <-lanes
			defer func() {
				if t.Failed() { // its store may hold anything: the next op migrates another
					l.last = nil
				}
				lanes <- l
			}()
			faultOperation(t, e, l, op)
		})
	}
}

// faultOp is one service operation under test.
type faultOp struct {
	name string
	// setup writes what the operation needs, through the service.
	setup func(f *faultFixture)
	// run runs the operation and returns a digest of its result that is
	// the same on every successful run.
	run func(f *faultFixture) (string, error)
	// replay: running the operation again after it happened returns the
	// same digest and writes nothing (idempotency key, order ID, guest
	// email).
	replay bool
	// key is the idempotency key of the posting the operation makes.
	key string
}

// faultFixture is a fresh store with deterministic IDs and clock, and what
// the setup created.
type faultFixture struct {
	t      testing.TB
	owner  testing.TB // closes the stores
	custom bool       // the store was opened with options of the run's
	ctx    context.Context
	d      sqlstore.Dialect
	db     *sql.DB
	prefix string
	svc    *clientele.Service
	store  *sqlstore.Store
	// ids are the setup's records by name.
	ids map[string]uuid.UUID
	// secrets are the setup's one-time tokens by name.
	secrets map[string]string
	// n is the last ID drawn, and setupN its value after the setup.
	n, setupN uint64
}

// faultEpoch is the fixed time every fixture's clock reads.
var faultEpoch = time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)

// newFaultFixture migrates a fresh prefix in db, opens a store on it with
// the given options and runs op's setup. The store lives as long as owner.
func newFaultFixture(t, owner testing.TB, e FaultEngine, db *sql.DB, op faultOp, opts ...sqlstore.Option) *faultFixture {
	t.Helper()
	prefix := FreshPrefix("f")
	opts = append([]sqlstore.Option{sqlstore.WithTablePrefix(prefix)}, opts...)
	if err := sqlstore.Migrate(context.Background(), db, e.Dialect, opts...); err != nil {
		t.Fatalf("migrate %s: %v", prefix, err)
	}
	s, err := sqlstore.New(db, e.Dialect, opts...)
	if err != nil {
		t.Fatal(err)
	}
	owner.Cleanup(func() { s.Close() })
	f := &faultFixture{t: t, owner: owner, ctx: context.Background(), d: e.Dialect, db: db, prefix: prefix, store: s}
	f.setUp(op)
	return f
}

// setUp gives f a new service (IDs drawn from 1 again) and runs op's setup
// on f's store, which holds no rows.
func (f *faultFixture) setUp(op faultOp) {
	f.t.Helper()
	f.n, f.ids, f.secrets = 0, map[string]uuid.UUID{}, map[string]string{}
	f.svc = clientele.New(f.store, clientele.WithClock(func() time.Time { return faultEpoch }), clientele.WithIDGenerator(f.next),
		clientele.WithPasswordHasher(fastHasher))
	if op.setup != nil {
		op.setup(f)
	}
	f.setupN = f.n
}

// faultLane is a handle through the fault driver and the migrated store
// its last run left, which the runs of one operation at a time share.
type faultLane struct {
	db    *sql.DB
	fc    *faultdriver.Connector
	owner testing.TB // closes the stores
	last  *faultFixture
}

// fixture returns the lane's store, emptied and set up for op (a new
// store with opts on the same tables when opts are given), or a newly
// migrated one.
func (l *faultLane) fixture(t *testing.T, e FaultEngine, op faultOp, opts ...sqlstore.Option) *faultFixture {
	t.Helper()
	if f := l.last; f != nil && !freshStores {
		f.recycle(t, op, opts...)
		return f
	}
	l.last = newFaultFixture(t, l.owner, e, l.db, op, opts...)
	l.last.custom = len(opts) > 0
	return l.last
}

// recycle empties the tables of a fixture that a run wrote to and runs
// op's setup on them again: the same rows as a fresh fixture's (the IDs and
// the clock are the fixture's; only the outbox's insertion counter, which
// snapshots leave out, goes on), without a migration per run. With opts,
// or after a store made with some, it opens a store of its own on the
// same tables.
func (f *faultFixture) recycle(t testing.TB, op faultOp, opts ...sqlstore.Option) {
	t.Helper()
	if err := emptyTables(f.db, f.d, f.prefix); err != nil {
		t.Fatalf("empty %s: %v", f.prefix, err)
	}
	if len(opts) > 0 || f.custom {
		s, err := sqlstore.New(f.db, f.d, append([]sqlstore.Option{sqlstore.WithTablePrefix(f.prefix)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		f.owner.Cleanup(func() { s.Close() })
		f.store, f.custom = s, len(opts) > 0
	}
	f.t, f.ctx = t, context.Background()
	f.setUp(op)
}

// next draws the fixture's next ID: 00000000-0000-4000-8000-000000000001, ...
func (f *faultFixture) next() uuid.UUID {
	f.n++
	var id uuid.UUID
	binary.BigEndian.PutUint64(id[8:], f.n)
	id[6], id[8] = 0x40, id[8]|0x80
	return id
}

// must fails the test when a setup step fails.
func (f *faultFixture) must(what string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("setup: %s: %v", what, err)
	}
}

func (f *faultFixture) money(amount string) balance.Money {
	return Money(f.t, amount, "EUR")
}

func (f *faultFixture) register(name, email string, tags ...string) uuid.UUID {
	f.t.Helper()
	c, err := f.svc.Customers.Register(f.ctx, customer.Params{Email: email, FirstName: name, Tags: tags})
	f.must("register "+email, err)
	f.ids[name] = c.ID
	return c.ID
}

func (f *faultFixture) addAddress(name string, customerID uuid.UUID, line1 string) {
	f.t.Helper()
	e, _, err := f.svc.Addresses.Add(f.ctx, customerID, faultAddress(line1))
	f.must("add address", err)
	f.ids[name] = e.ID
}

func (f *faultFixture) group(name string) uuid.UUID {
	f.t.Helper()
	g, err := f.svc.Groups.Create(f.ctx, clientele.GroupParams{Name: name})
	f.must("create group "+name, err)
	f.ids[name] = g.ID
	return g.ID
}

func (f *faultFixture) credit(customerID uuid.UUID, amount string) {
	f.t.Helper()
	_, err := f.svc.Balances.Credit(f.ctx, clientele.PostingRequest{CustomerID: customerID, Amount: f.money(amount),
		Kind: balance.KindGiftCard})
	f.must("credit", err)
}

func faultAddress(line1 string) address.Address {
	return address.Address{FirstName: "Ada", LastName: "Lovelace", Line1: line1, City: "London", PostalCode: "W1", Country: "GB"}
}

func postingDigest(p balance.Posting) string {
	return fmt.Sprintf("posting %s #%d %s -> %s key %q", p.ID, p.Sequence, p.Amount, p.EndingBalance, p.IdempotencyKey)
}

// faultOps are the service operations under test: every write use case
// that runs more than one statement or guards an invariant.
var faultOps = []faultOp{
	{
		name:  "Customers.Register",
		setup: func(f *faultFixture) { f.register("other", "other@example.com", "vip") },
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Customers.Register(f.ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada",
				Tags: []string{"vip", "newsletter"}, Metadata: map[string]string{"source": "shop"},
				Reference: "crm-1", ReferenceOrigin: "crm"})
			return c.ID.String(), err
		},
	},
	{
		name:  "Customers.CreateGuest",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") }, // a registered namesake
		run: func(f *faultFixture) (string, error) {
			c, _, err := f.svc.Customers.CreateGuest(f.ctx, customer.Params{Email: "Ada@Example.com", FirstName: "Ada",
				Tags: []string{"guest", "b2c"}})
			return c.ID.String(), err
		},
		replay: true,
	},
	{
		name:  "Customers.Update",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com", "a", "b") },
		run: func(f *faultFixture) (string, error) {
			email, first, tags, ref, origin := "augusta@example.com", "Augusta", []string{"b", "c", "d"}, "crm-7", "crm"
			v := "v"
			c, err := f.svc.Customers.Update(f.ctx, f.ids["ada"], customer.Patch{Email: &email, FirstName: &first,
				Tags: &tags, Reference: &ref, ReferenceOrigin: &origin, Metadata: map[string]*string{"k": &v}})
			return fmt.Sprintf("%s v%d", c.ID, c.Version), err
		},
	},
	{
		name:  "Customers.Delete",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com", "a", "b") },
		run:   func(f *faultFixture) (string, error) { return "", f.svc.Customers.Delete(f.ctx, f.ids["ada"]) },
	},
	{
		name: "Addresses.Add",
		setup: func(f *faultFixture) {
			f.addAddress("home", f.register("ada", "ada@example.com"), "1 Home Street")
		},
		run: func(f *faultFixture) (string, error) {
			e, _, err := f.svc.Addresses.Add(f.ctx, f.ids["ada"], faultAddress("2 Work Street"))
			return e.ID.String(), err
		},
	},
	{
		name: "Addresses.SetDefault",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.addAddress("home", ada, "1 Home Street")
			f.addAddress("work", ada, "2 Work Street")
		},
		run: func(f *faultFixture) (string, error) {
			b, err := f.svc.Addresses.SetDefault(f.ctx, f.ids["ada"], f.ids["work"], address.Shipping)
			s, _ := b.Default(address.Shipping)
			return s.ID.String(), err
		},
	},
	{
		name: "Addresses.Remove",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.addAddress("home", ada, "1 Home Street") // the defaults, which move to work
			f.addAddress("work", ada, "2 Work Street")
			f.addAddress("attic", ada, "3 Attic Street")
		},
		run: func(f *faultFixture) (string, error) {
			_, err := f.svc.Addresses.Remove(f.ctx, f.ids["ada"], f.ids["home"])
			return "", err
		},
	},
	{
		name:  "Groups.Create",
		setup: func(f *faultFixture) { f.group("Wholesale") },
		run: func(f *faultFixture) (string, error) {
			g, err := f.svc.Groups.Create(f.ctx, clientele.GroupParams{Name: "VIP", Description: "Best customers",
				Metadata: map[string]string{"tier": "1"}})
			return g.ID.String(), err
		},
	},
	{
		name: "Groups.AddMembers",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			ada := f.register("ada", "ada@example.com")
			f.register("bob", "bob@example.com")
			f.register("cy", "cy@example.com")
			gone := f.register("gone", "gone@example.com")
			f.must("delete", f.svc.Customers.Delete(f.ctx, gone))
			_, err := f.svc.Groups.AddMembers(f.ctx, g, []uuid.UUID{ada})
			f.must("add ada", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Groups.AddMembers(f.ctx, f.ids["VIP"], []uuid.UUID{f.ids["ada"], f.ids["bob"],
				f.ids["cy"], f.ids["gone"], uuid.MustParse("99999999-9999-4999-8999-999999999999"), f.ids["bob"]})
			var out []string
			for _, r := range res {
				out = append(out, r.Outcome.String())
			}
			return strings.Join(out, " "), err
		},
	},
	{
		name:  "Balances.Credit/OpensAccount",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Balances.Credit(f.ctx, clientele.PostingRequest{CustomerID: f.ids["ada"], Amount: f.money("25.00"),
				Kind: balance.KindGiftCard, Reference: "gc-1", IdempotencyKey: "credit-1", Actor: "support"})
			return postingDigest(p), err
		},
		replay: true,
		key:    "credit-1",
	},
	{
		name: "Balances.Credit",
		setup: func(f *faultFixture) {
			f.credit(f.register("ada", "ada@example.com"), "5.00")
		},
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Balances.Credit(f.ctx, clientele.PostingRequest{CustomerID: f.ids["ada"], Amount: f.money("25.00"),
				Kind: balance.KindRefund, Reference: "refund-1", IdempotencyKey: "credit-2"})
			return postingDigest(p), err
		},
		replay: true,
		key:    "credit-2",
	},
	{
		name: "Balances.Debit",
		setup: func(f *faultFixture) {
			f.credit(f.register("ada", "ada@example.com"), "50.00")
		},
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Balances.Debit(f.ctx, clientele.PostingRequest{CustomerID: f.ids["ada"], Amount: f.money("20.00"),
				IdempotencyKey: "debit-1", Note: "goodwill reversal"})
			return postingDigest(p), err
		},
		replay: true,
		key:    "debit-1",
	},
	{
		name: "Balances.ApplyToOrder",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.credit(ada, "10.00")
			_, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: "order-1", CustomerID: ada, Number: "1001",
				Total: f.money("25.00")})
			f.must("record order", err)
		},
		run: func(f *faultFixture) (string, error) {
			pay, err := f.svc.Balances.ApplyToOrder(f.ctx, clientele.OrderPaymentRequest{CustomerID: f.ids["ada"],
				Total: f.money("25.00"), Reference: "order-1", IdempotencyKey: "pay-1"})
			if err != nil || pay.Posting == nil {
				return "", err
			}
			return fmt.Sprintf("applied %s remaining %s %s", pay.Applied, pay.Remaining, postingDigest(*pay.Posting)), nil
		},
		replay: true,
		key:    "pay-1",
	},
	{
		name:  "Orders.RecordPlaced",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			o, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: "order-1", CustomerID: f.ids["ada"], Number: "1001",
				Total: f.money("25.00"), Channel: "web"})
			return fmt.Sprintf("%s %s %s", o.ID, o.CustomerID, o.Total), err
		},
		replay: true,
	},
	{
		name: "Markets.Create",
		setup: func(f *faultFixture) {
			m, err := f.svc.Merchants.Create(f.ctx, merchant.Params{Name: "Acme", BillingAddress: faultAddress("1 Acme Way")})
			f.must("create merchant", err)
			f.ids["acme"] = m.ID
			f.group("Wholesale")
			f.group("VIP")
		},
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Markets.Create(f.ctx, market.Params{MerchantID: f.ids["acme"], Code: "eu-b2b", Name: "EU B2B",
				BusinessModel: market.BusinessModelB2B, Currency: balance.MustCurrency("EUR"),
				AccessGroups: []uuid.UUID{f.ids["VIP"], f.ids["Wholesale"]}, Metadata: map[string]string{"region": "eu"}})
			return m.ID.String(), err
		},
	},
}

// moreFaultOps are the other multi-statement writes of the services,
// beyond the ones the issue names.
var moreFaultOps = []faultOp{
	{
		name: "Customers.Erase",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com", "vip")
			f.addAddress("home", ada, "1 Home Street")
			f.addAddress("work", ada, "2 Work Street")
			_, err := f.svc.Groups.AddMembers(f.ctx, f.group("VIP"), []uuid.UUID{ada})
			f.must("join group", err)
			_, err = f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: "order-1", CustomerID: ada, Number: "1001", Total: f.money("9.00")})
			f.must("record order", err)
		},
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Customers.Erase(f.ctx, f.ids["ada"])
			return fmt.Sprintf("%s %s", c.ID, c.State), err
		},
	},
	{
		name: "Orders.Claim",
		setup: func(f *faultFixture) {
			g, _, err := f.svc.Customers.CreateGuest(f.ctx, customer.Params{Email: "ada@example.com"})
			f.must("guest", err)
			f.ids["guest"] = g.ID
			for _, id := range []string{"order-1", "order-2", "order-3"} {
				_, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: id, CustomerID: g.ID, Number: id, Total: f.money("5.00")})
				f.must("record "+id, err)
			}
			f.register("ada", "ada@example.com")
		},
		run: func(f *faultFixture) (string, error) {
			c, n, err := f.svc.Orders.Claim(actor.NewContext(f.ctx, actor.Staff("support-1")), f.ids["guest"], f.ids["ada"])
			return fmt.Sprintf("%s moved %d, %d orders", c.ID, n, c.OrderCount), err
		},
	},
	{
		name: "Groups.RemoveMembers",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			ada, bob := f.register("ada", "ada@example.com"), f.register("bob", "bob@example.com")
			f.register("cy", "cy@example.com")
			_, err := f.svc.Groups.AddMembers(f.ctx, g, []uuid.UUID{ada, bob})
			f.must("add members", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Groups.RemoveMembers(f.ctx, f.ids["VIP"], []uuid.UUID{f.ids["ada"], f.ids["cy"], f.ids["bob"]})
			var out []string
			for _, r := range res {
				out = append(out, r.Outcome.String())
			}
			return strings.Join(out, " "), err
		},
	},
	{
		name: "Groups.Delete",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			_, err := f.svc.Groups.AddMembers(f.ctx, g, []uuid.UUID{f.register("ada", "ada@example.com"), f.register("bob", "bob@example.com")})
			f.must("add members", err)
		},
		run: func(f *faultFixture) (string, error) { return "", f.svc.Groups.Delete(f.ctx, f.ids["VIP"]) },
	},
	{
		name: "Markets.Update",
		setup: func(f *faultFixture) {
			m, err := f.svc.Merchants.Create(f.ctx, merchant.Params{Name: "Acme", BillingAddress: faultAddress("1 Acme Way")})
			f.must("create merchant", err)
			mk, err := f.svc.Markets.Create(f.ctx, market.Params{MerchantID: m.ID, Code: "eu", Name: "EU",
				BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"), AccessGroups: []uuid.UUID{f.group("A")}})
			f.must("create market", err)
			f.ids["eu"] = mk.ID
			f.group("B")
			f.group("C")
		},
		run: func(f *faultFixture) (string, error) {
			name, groups := "Europe", []uuid.UUID{f.ids["B"], f.ids["C"]}
			m, err := f.svc.Markets.Update(f.ctx, f.ids["eu"], market.Patch{Name: &name, AccessGroups: &groups})
			return fmt.Sprintf("%s v%d", m.ID, m.Version), err
		},
	},
	{
		name: "Markets.Delete",
		setup: func(f *faultFixture) {
			m, err := f.svc.Merchants.Create(f.ctx, merchant.Params{Name: "Acme", BillingAddress: faultAddress("1 Acme Way")})
			f.must("create merchant", err)
			mk, err := f.svc.Markets.Create(f.ctx, market.Params{MerchantID: m.ID, Code: "eu", Name: "EU",
				BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"),
				AccessGroups: []uuid.UUID{f.group("A"), f.group("B")}})
			f.must("create market", err)
			f.ids["eu"] = mk.ID
		},
		run: func(f *faultFixture) (string, error) { return "", f.svc.Markets.Delete(f.ctx, f.ids["eu"]) },
	},
	{
		name:  "Balances.SetCreditLimit",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			a, err := f.svc.Balances.SetCreditLimit(f.ctx, f.ids["ada"], f.money("100.00"))
			return fmt.Sprintf("%s limit %s", a.ID, a.CreditLimit), err
		},
	},
}

// baseline is what a successful run of an operation does.
type baseline struct {
	before, after Snapshot
	digest        string
	log           []faultdriver.Event
	statements    []string
	inTx          []bool // per statement: whether it ran in a transaction
	txEdge        []bool // per statement: whether it is the first or last of its transaction
	begins        int
	// lastInTx is the number (1-based) of the last statement run inside
	// the operation's last transaction.
	lastInTx int
}

func faultOperation(t *testing.T, e FaultEngine, l *faultLane, op faultOp) {
	db, fc := l.db, l.fc
	base := runBaseline(t, e, l, op)
	if t.Failed() {
		return
	}
	t.Logf("%d statements, %d transactions", len(base.statements), base.begins)

	// fresh returns a store as the setup left it: the lane's, as it is
	// when keep says the last run left it so, else emptied and set up
	// again (see faultLane).
	var spare *faultFixture
	fresh := func(t *testing.T) *faultFixture {
		if f := spare; f != nil && f == l.last && !f.custom {
			spare, f.t, f.n = nil, t, f.setupN
			return f
		}
		spare = nil
		return l.fixture(t, e, op)
	}
	keep := func(f *faultFixture, clean bool) {
		if !freshStores && clean {
			spare = f
		}
	}

	// A plain error at each statement, and a connection dropped there.
	// (Statements first: they leave the store as they found it, for the
	// next run to reuse. A drop inside a transaction is retried, which
	// writes, so each needs a store of its own: only the first and the last
	// statement of each transaction are dropped.)
	for _, drop := range []bool{false, true} {
		for k := 1; k <= len(base.statements); k++ {
			name := fmt.Sprintf("Statement%02d", k)
			if drop {
				name = fmt.Sprintf("Drop%02d", k)
				if base.inTx[k-1] && !base.txEdge[k-1] {
					continue
				}
			}
			t.Run(name, func(t *testing.T) {
				f := fresh(t)
				fc.ResetLog()
				fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, N: k, Drop: drop})
				digest, err := op.run(f)
				fc.Disarm()
				where := fmt.Sprintf("statement %d (%s)", k, oneLine(base.statements[k-1]))
				switch {
				case drop && !base.inTx[k-1]:
					// database/sql runs a statement outside a
					// transaction again on another connection when the
					// first one turns out broken before it ran.
					expectSuccess(t, f, fc, base, digest, err, where)
				case drop:
					// The connection broke before COMMIT was sent, so
					// the transaction provably did not commit: Atomic
					// runs it again, and it commits exactly once.
					expectRetried(t, f, fc, base, digest, err, where)
				default:
					keep(f, expectNothing(t, f, fc, base, err, drop, where))
				}
			})
		}
	}
	if base.begins == 0 {
		t.Log("the operation runs no transaction: no COMMIT to break")
		return
	}

	// COMMIT fails, or the connection drops instead of committing.
	for _, drop := range []bool{false, true} {
		name := "Commit"
		if drop {
			name = "DropAtCommit"
		}
		t.Run(name, func(t *testing.T) {
			f := fresh(t)
			fc.ResetLog()
			fc.Arm(faultdriver.Fault{At: faultdriver.AtCommit, N: base.begins, Drop: drop})
			_, err := op.run(f)
			fc.Disarm()
			// Nothing is stored (the fault driver rolled back), but the
			// caller cannot know that: the COMMIT was sent.
			if !errors.Is(err, storage.ErrCommitUnknown) {
				t.Errorf("a failed COMMIT: error %v does not wrap storage.ErrCommitUnknown", err)
			}
			keep(f, expectNothing(t, f, fc, base, err, drop, "COMMIT"))
		})
	}

	// The ctx's deadline passes while COMMIT runs, and the driver reports
	// it, before or after the database committed.
	for _, at := range []faultdriver.Point{faultdriver.AtCommit, faultdriver.AfterCommit} {
		t.Run("Deadline"+strings.ToUpper(at.String()[:1])+strings.ReplaceAll(at.String()[1:], "-c", "C"), func(t *testing.T) {
			f := fresh(t)
			ctx := newExpiringContext()
			f.ctx = ctx
			defer func() { f.ctx = context.Background() }()
			fc.ResetLog()
			fc.Arm(faultdriver.Fault{At: at, N: base.begins, Do: ctx.expire,
				Err: fmt.Errorf("timeout: %w", context.DeadlineExceeded)})
			_, err := op.run(f)
			fc.Disarm()
			if fc.Fired() != 1 {
				t.Fatalf("the fault struck %d times, want 1", fc.Fired())
			}
			if !errors.Is(err, storage.ErrCommitUnknown) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("a deadline during COMMIT: error %v, want one wrapping storage.ErrCommitUnknown and context.DeadlineExceeded", err)
			}
			want := base.before
			if at == faultdriver.AfterCommit {
				want = base.after
			}
			if got := TakeSnapshot(t, db, e.Dialect, f.prefix); !got.Equal(want) {
				t.Fatalf("the tables differ from what the COMMIT did:\n%s", want.Diff(got))
			}
			keep(f, at == faultdriver.AtCommit)
		})
	}

	// The ctx is cancelled at each step of the operation in turn (0: before
	// it starts): the operation returns the ctx's error and writes nothing,
	// or, cancelled while COMMIT ran, either succeeds or says that the
	// commit may have happened; never half of it.
	for k := 0; k <= len(base.log); k++ {
		if k > 0 && base.log[k-1].Kind == faultdriver.Rollback {
			continue
		}
		t.Run(fmt.Sprintf("Cancel%02d", k), func(t *testing.T) {
			f := fresh(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f.ctx = ctx
			defer func() { f.ctx = context.Background() }()
			where := "before the operation"
			if k == 0 {
				cancel()
			} else {
				where = base.log[k-1].String()
				fc.Arm(faultdriver.Fault{At: faultdriver.AtEvent, N: k, Do: cancel})
			}
			fc.ResetLog()
			_, err := op.run(f)
			fc.Disarm()
			got := TakeSnapshot(t, db, e.Dialect, f.prefix)
			atCommit := k > 0 && base.log[k-1].Kind == faultdriver.Commit
			switch {
			case err == nil && atCommit:
				if !got.MaskIDs().Equal(base.after.MaskIDs()) {
					t.Fatalf("cancelled at %s, the operation succeeded but the tables differ from a successful run's:\n%s",
						where, base.after.MaskIDs().Diff(got.MaskIDs()))
				}
				return
			case err == nil:
				t.Fatalf("cancelled at %s, the operation reported no error\nlog:\n%s", where, formatLog(fc.Log()))
			case !errors.Is(err, context.Canceled):
				t.Fatalf("cancelled at %s: error %v does not wrap context.Canceled\nlog:\n%s", where, err, formatLog(fc.Log()))
			case errors.Is(err, storage.ErrCommitUnknown):
				if !got.Equal(base.before) && !got.MaskIDs().Equal(base.after.MaskIDs()) {
					t.Fatalf("cancelled at %s (%v), the operation left half its writes:\n%s", where, err, base.before.Diff(got))
				}
			case !got.Equal(base.before):
				t.Fatalf("cancelled at %s (%v), the operation left writes behind:\n%s\nlog:\n%s", where, err,
					base.before.Diff(got), formatLog(fc.Log()))
			}
			keep(f, got.Equal(base.before))
		})
	}

	// The COMMIT succeeds but the caller hears an error (and, with drop,
	// loses the connection).
	for _, drop := range []bool{false, true} {
		name := "AmbiguousCommit"
		if drop {
			name = "DropAfterCommit"
		}
		t.Run(name, func(t *testing.T) {
			f := fresh(t)
			fc.ResetLog()
			fc.Arm(faultdriver.Fault{At: faultdriver.AfterCommit, N: base.begins, Drop: drop})
			_, err := op.run(f)
			fc.Disarm()
			if err == nil {
				t.Fatalf("the operation reported no error after an ambiguous commit\nlog:\n%s", formatLog(fc.Log()))
			}
			if fc.Fired() != 1 {
				t.Fatalf("the fault struck %d times, want 1", fc.Fired())
			}
			want := errorWanted(drop)
			if !errors.Is(err, want) {
				t.Errorf("error %v does not wrap %v", err, want)
			}
			if !errors.Is(err, storage.ErrCommitUnknown) {
				t.Errorf("after an ambiguous commit: error %v does not wrap storage.ErrCommitUnknown", err)
			}
			if got := TakeSnapshot(t, db, e.Dialect, f.prefix); !got.Equal(base.after) {
				t.Fatalf("after an ambiguous commit the tables differ from a successful run's:\n%s", base.after.Diff(got))
			}
			if !op.replay {
				return
			}
			// The client retries the same request.
			fc.ResetLog()
			digest, err := op.run(f)
			if err != nil {
				t.Fatalf("retry after the ambiguous commit: %v", err)
			}
			if digest != base.digest {
				t.Errorf("retry after the ambiguous commit returned\n %s\nwant (the first run's)\n %s", digest, base.digest)
			}
			if got := TakeSnapshot(t, db, e.Dialect, f.prefix); !got.Equal(base.after) {
				t.Errorf("the retry wrote again:\n%s", base.after.Diff(got))
			}
			if op.key != "" {
				if n := postingsWithKey(t, f, op.key); n != 1 {
					t.Errorf("%d postings with idempotency key %q, want exactly 1", n, op.key)
				}
			}
		})
	}

	// A retryable error (serialization failure, deadlock, busy database)
	// in the last statement of the transaction, or at its COMMIT: Atomic
	// runs the transaction again, and the operation succeeds.
	if base.lastInTx > 0 {
		for _, at := range []faultdriver.Point{faultdriver.AtStatement, faultdriver.AtCommit} {
			t.Run("Retryable"+strings.ToUpper(at.String()[:1])+at.String()[1:], func(t *testing.T) {
				spare = nil
				f := l.fixture(t, e, op, sqlstore.WithRetries(3, time.Millisecond))
				fc.ResetLog()
				fault := faultdriver.Fault{At: at, N: base.lastInTx, Err: e.Retryable}
				if at == faultdriver.AtCommit {
					fault.N = base.begins
				}
				fc.Arm(fault)
				digest, err := op.run(f)
				fc.Disarm()
				if err != nil {
					t.Fatalf("a retryable error was not retried: %v\nlog:\n%s", err, formatLog(fc.Log()))
				}
				if fc.Fired() != 1 {
					t.Fatalf("the fault struck %d times, want 1", fc.Fired())
				}
				if n := fc.Count(faultdriver.Begin); n != base.begins+1 {
					t.Errorf("%d transactions, want %d (one retry)\nlog:\n%s", n, base.begins+1, formatLog(fc.Log()))
				}
				// A retry may draw new IDs (a posting's), so compare
				// the tables with IDs masked.
				if got := TakeSnapshot(t, db, e.Dialect, f.prefix); !got.MaskIDs().Equal(base.after.MaskIDs()) {
					t.Errorf("after the retry the tables differ from a successful run's (IDs masked):\n%s",
						base.after.MaskIDs().Diff(got.MaskIDs()))
				}
				if uuidPattern.ReplaceAllString(digest, "<id>") != uuidPattern.ReplaceAllString(base.digest, "<id>") {
					t.Errorf("result %s, want %s", digest, base.digest)
				}
			})
		}
	}
}

// runBaseline runs op once without faults on a fresh store.
func runBaseline(t *testing.T, e FaultEngine, l *faultLane, op faultOp) baseline {
	t.Helper()
	db, fc := l.db, l.fc
	f := l.fixture(t, e, op)
	var b baseline
	b.before = TakeSnapshot(t, db, e.Dialect, f.prefix)
	fc.ResetLog()
	digest, err := op.run(f)
	if err != nil {
		t.Fatalf("the operation fails without faults: %v", err)
	}
	b.log = fc.Log()
	b.digest = digest
	b.after = TakeSnapshot(t, db, e.Dialect, f.prefix)
	if b.after.Equal(b.before) {
		t.Fatalf("the operation changed nothing")
	}
	n, inTx, first := 0, false, false
	for _, ev := range b.log {
		switch ev.Kind {
		case faultdriver.Statement:
			n++
			b.statements = append(b.statements, ev.SQL)
			b.inTx = append(b.inTx, inTx)
			b.txEdge = append(b.txEdge, inTx && first)
			first = false
			if inTx {
				b.lastInTx = n
			}
		case faultdriver.Begin:
			b.begins++
			inTx, first = true, true
		case faultdriver.Commit, faultdriver.Rollback:
			if inTx && n > 0 && b.inTx[n-1] {
				b.txEdge[n-1] = true
			}
			inTx = false
		}
	}
	if fc.Count(faultdriver.Rollback) != 0 || fc.Count(faultdriver.Commit) != b.begins {
		t.Fatalf("a successful run should commit every transaction it begins:\n%s", formatLog(b.log))
	}
	if op.replay { // replaying on the same store writes nothing
		again, err := op.run(f)
		if err != nil || again != digest {
			t.Fatalf("replay: %s, %v; want %s", again, err, digest)
		}
		if got := TakeSnapshot(t, db, e.Dialect, f.prefix); !got.Equal(b.after) {
			t.Fatalf("the replay wrote:\n%s", b.after.Diff(got))
		}
	}
	return b
}

func errorWanted(drop bool) error {
	if drop {
		return driver.ErrBadConn
	}
	return faultdriver.ErrInjected
}

// expectNothing checks a run that a fault broke before its commit: the
// operation reported the fault, did not retry, and left the tables as they
// were. It reports whether the tables are as they were.
func expectNothing(t *testing.T, f *faultFixture, fc *faultdriver.Connector, base baseline, err error, drop bool, where string) (clean bool) {
	t.Helper()
	log := fc.Log()
	if fc.Fired() != 1 {
		t.Fatalf("the fault at %s struck %d times, want 1\nlog:\n%s", where, fc.Fired(), formatLog(log))
	}
	if err == nil {
		t.Fatalf("the operation reported no error for a fault at %s\nlog:\n%s", where, formatLog(log))
	}
	if want := errorWanted(drop); !errors.Is(err, want) {
		t.Errorf("the error for a fault at %s does not wrap %v: %v", where, want, err)
	}
	if n := fc.Count(faultdriver.Begin); n > base.begins {
		t.Errorf("%d transactions after a fault at %s, want at most %d (a plain error must not be retried)\nlog:\n%s",
			n, where, base.begins, formatLog(log))
	}
	if got := TakeSnapshot(t, f.db, f.d, f.prefix); !got.Equal(base.before) {
		t.Errorf("a fault at %s (error: %v) left writes behind:\n%s\nlog:\n%s", where, err, base.before.Diff(got), formatLog(log))
		return false
	}
	return true
}

// expectRetried checks a run that a fault broke before COMMIT was sent, by
// a fault that Atomic retries: the operation succeeded, after one more
// transaction, with the result of a successful run (IDs a retry draws
// afresh masked), committed once.
func expectRetried(t *testing.T, f *faultFixture, fc *faultdriver.Connector, base baseline, digest string, err error, where string) {
	t.Helper()
	log := fc.Log()
	if err != nil {
		t.Fatalf("a lost connection at %s was not retried: %v\nlog:\n%s", where, err, formatLog(log))
	}
	if fc.Fired() != 1 {
		t.Fatalf("the fault struck %d times, want 1", fc.Fired())
	}
	if n := fc.Count(faultdriver.Begin); n != base.begins+1 {
		t.Errorf("%d transactions, want %d (one retry)\nlog:\n%s", n, base.begins+1, formatLog(log))
	}
	if got := TakeSnapshot(t, f.db, f.d, f.prefix); !got.MaskIDs().Equal(base.after.MaskIDs()) {
		t.Errorf("after the retry the tables differ from a successful run's (IDs masked):\n%s", base.after.MaskIDs().Diff(got.MaskIDs()))
	}
	if uuidPattern.ReplaceAllString(digest, "<id>") != uuidPattern.ReplaceAllString(base.digest, "<id>") {
		t.Errorf("result %s, want %s", digest, base.digest)
	}
}

// expiringContext is a context whose deadline passes when expire is
// called.
type expiringContext struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiringContext() *expiringContext {
	return &expiringContext{Context: context.Background(), done: make(chan struct{})}
}

func (c *expiringContext) expire() { c.once.Do(func() { close(c.done) }) }

func (c *expiringContext) Done() <-chan struct{} { return c.done }

func (c *expiringContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// expectSuccess checks a run that a fault did not break: the operation
// succeeded as in the baseline.
func expectSuccess(t *testing.T, f *faultFixture, fc *faultdriver.Connector, base baseline, digest string, err error, where string) {
	t.Helper()
	if err != nil {
		t.Fatalf("a fault at %s: %v\nlog:\n%s", where, err, formatLog(fc.Log()))
	}
	if digest != base.digest {
		t.Errorf("a fault at %s: result %s, want %s", where, digest, base.digest)
	}
	if got := TakeSnapshot(t, f.db, f.d, f.prefix); !got.Equal(base.after) {
		t.Errorf("a fault at %s: the tables differ from a successful run's:\n%s", where, base.after.Diff(got))
	}
}

func postingsWithKey(t testing.TB, f *faultFixture, key string) int {
	t.Helper()
	var n int
	q := sqlstore.Render(`SELECT COUNT(*) FROM {{prefix}}balance_postings WHERE idempotency_key = ?`, f.prefix, f.d)
	if err := f.db.QueryRow(q, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

func formatLog(log []faultdriver.Event) string {
	var b strings.Builder
	for _, e := range log {
		s := e.String()
		if len(s) > 200 {
			s = s[:200] + "..."
		}
		b.WriteString("  " + s + "\n")
	}
	return b.String()
}

// Snapshot is the content of every table under a prefix: per table, one
// line per row ("column=value ..."), sorted.
type Snapshot map[string][]string

// TakeSnapshot reads every table of sqltest.Tables under prefix.
func TakeSnapshot(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) Snapshot {
	t.Helper()
	s := Snapshot{}
	for _, table := range Tables {
		rows, err := db.Query(sqlstore.Render(`SELECT * FROM {{prefix}}`+table, prefix, d))
		if err != nil {
			t.Fatalf("snapshot of %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("snapshot of %s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				value := formatValue(v)
				if (table == "auth_tokens" || table == "consent_records") && cols[i] == "token_hash" && value != `""` {
					// A token's secret is random (crypto/rand), and so
					// its hash; its ID comes from the fixture.
					value = "<hash>"
				}
				if table == "events" {
					switch cols[i] {
					case "pos":
						// The insertion order is the engine's counter,
						// which a transaction that rolls back does not
						// take back (PostgreSQL, InnoDB): a retry's
						// events get new numbers. The rows' seq says
						// what consumers see.
						continue
					case "id":
						// The services draw event IDs at random (v7),
						// not from the fixture's generator, so that
						// entity IDs stay the same with or without an
						// outbox: two runs' events differ by them.
						value = "<event>"
					}
				}
				if b.Len() > 0 {
					b.WriteString(" ")
				}
				b.WriteString(cols[i] + "=" + value)
			}
			lines = append(lines, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot of %s: %v", table, err)
		}
		rows.Close()
		slices.Sort(lines)
		s[table] = lines
	}
	return s
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("%q", v)
	case string:
		return fmt.Sprintf("%q", v)
	case [16]byte:
		return fmt.Sprintf("%q", uuid.UUID(v).String())
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

// Equal reports whether s and o hold the same rows.
func (s Snapshot) Equal(o Snapshot) bool {
	for _, table := range Tables {
		if !slices.Equal(s[table], o[table]) {
			return false
		}
	}
	return true
}

// Diff describes the rows only s or only o holds, table by table.
func (s Snapshot) Diff(o Snapshot) string {
	var b strings.Builder
	for _, table := range Tables {
		for _, r := range s[table] {
			if !slices.Contains(o[table], r) {
				fmt.Fprintf(&b, "  %s: - %s\n", table, r)
			}
		}
		for _, r := range o[table] {
			if !slices.Contains(s[table], r) {
				fmt.Fprintf(&b, "  %s: + %s\n", table, r)
			}
		}
		if len(s[table]) != len(o[table]) {
			fmt.Fprintf(&b, "  %s: %d rows, then %d\n", table, len(s[table]), len(o[table]))
		}
	}
	return b.String()
}

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// MaskIDs returns s with every UUID replaced by "<id>", for comparing
// runs that drew different IDs.
func (s Snapshot) MaskIDs() Snapshot {
	out := Snapshot{}
	for table, rows := range s {
		masked := make([]string, len(rows))
		for i, r := range rows {
			masked[i] = uuidPattern.ReplaceAllString(r, "<id>")
		}
		slices.Sort(masked)
		out[table] = masked
	}
	return out
}
