package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// markedDialect is SQLite's dialect with a locking clause that SQLite reads
// as a comment, so that the texts the repositories build show where
// ForUpdate goes.
type markedDialect struct{ sqlstore.Dialect }

func (markedDialect) ForUpdate() string { return " /*FOR UPDATE*/" }

// ForUpdateOf makes the repositories use the statements of dialects with
// sqlstore.ForUpdateOf (PostgreSQL's, MySQL's, SQLite's).
func (markedDialect) ForUpdateOf(aliases ...string) string {
	return " /*FOR UPDATE OF " + strings.Join(aliases, ", ") + "*/"
}

// FreshAfterLock makes the outbox read as it does on PostgreSQL, whose
// plans the plan test checks (without it, it would lock with ForUpdate and
// SKIP LOCKED, which SQLite does not read as a comment).
func (markedDialect) FreshAfterLock() bool { return true }

// TestQueriesMatchRepositories checks that the SQL texts of sqltest (which
// the benchmarks' hand-written baselines prepare and the PostgreSQL plan
// test explains) are exactly, byte for byte, the statements the
// repositories run.
func TestQueriesMatchRepositories(t *testing.T) {
	ctx := context.Background()
	d := markedDialect{sqlite.Dialect}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prefix := sqlstore.WithTablePrefix("q_")
	if err := sqlstore.Migrate(ctx, db, d, prefix); err != nil {
		t.Fatal(err)
	}
	fresh := func() *sqlstore.Store {
		s, err := sqlstore.New(db, d, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	newCustomer := func(email string) customer.Customer {
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: email, FirstName: "Q"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	setup := fresh()
	var ids []uuid.UUID
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		c, err := setup.Customers().Create(ctx, newCustomer(email))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	g, err := group.New(uuid.New(), group.Params{Name: "Q"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Groups().Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Groups().AddMember(ctx, g.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	cursor := storage.Cursor{List: storage.ListCustomers, Time: now, Key: ids[0].String()}.String()
	acct, err := setup.Balances().CreateAccount(ctx, balance.NewAccount(uuid.New(), ids[0], balance.MustCurrency("EUR"), now))
	if err != nil {
		t.Fatal(err)
	}
	credit := func(key string) balance.Posting {
		p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: balance.KindGiftCard,
			Amount: balance.FromMinorUnits(100, acct.Currency), IdempotencyKey: key}, now)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, key := range []string{"k1", "k2", "k3"} {
		if _, err := setup.Balances().Post(ctx, credit(key)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := merchant.New(uuid.New(), merchant.Params{Name: "Q", BillingAddress: address.Address{Line1: "1 Q St", City: "Q", Country: "DE"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Merchants().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	mk, err := market.New(uuid.New(), market.Params{MerchantID: m.ID, Code: "q", Name: "Q", BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"), AccessGroups: []uuid.UUID{g.ID}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Markets().Create(ctx, mk); err != nil {
		t.Fatal(err)
	}
	o, err := order.New(order.Params{ID: "o-1", CustomerID: ids[0], Total: balance.FromMinorUnits(100, balance.MustCurrency("EUR"))}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Orders().Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Addresses().UpdateBook(ctx, ids[0], func(b *address.Book) error {
		_, err := b.Add(uuid.New(), address.Address{Line1: "1 Q St", City: "Q", Country: "DE"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	timeCursor := func(list string) storage.PageRequest {
		return storage.PageRequest{Limit: 50, Cursor: storage.Cursor{List: list, Time: now, Key: uuid.Nil.String()}.String()}
	}
	post := sqltest.PostQueries(d)
	claim := sqltest.ClaimQueries(d)
	newEvent := func(seq int) event.Event {
		e, err := event.New(event.CustomerUpdated, event.AggregateCustomer, ids[0].String(), ids[0], int64(seq), map[string]int{"v": seq})
		if err != nil {
			t.Fatal(err)
		}
		e.ID, e.OccurredAt = uuid.New(), now
		return e
	}
	for i := range 3 {
		if err := setup.Events().Append(ctx, newEvent(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := setup.Events().Claim(ctx, storage.Claim{Consumer: "setup", Holder: "h", Lease: time.Minute, Max: 1, Now: now}); err != nil ||
		len(b.Events) != 1 {
		t.Fatalf("setup claim: %v, %v", b.Events, err)
	}
	if err := setup.Events().Append(ctx, newEvent(4)); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		run  func(s *sqlstore.Store) error
		want []string
	}{
		{"Customers.Get", func(s *sqlstore.Store) error {
			_, err := s.Customers().Get(ctx, ids[0])
			return err
		}, []string{sqltest.GetCustomer}},
		{"Customers.GetByEmail", func(s *sqlstore.Store) error {
			_, err := s.Customers().GetByEmail(ctx, "a@example.com", true)
			return err
		}, []string{sqltest.GetCustomerByEmail}},
		{"Customers.LookupEmail", func(s *sqlstore.Store) error {
			_, err := s.Customers().(storage.CustomerEmailLookup).LookupEmail(ctx, "a@example.com")
			return err
		}, []string{sqltest.LookupCustomerByEmail}},
		{"Customers.GetByReference", func(s *sqlstore.Store) error {
			_, err := s.Customers().GetByReference(ctx, "erp", "nobody")
			if errors.Is(err, storage.ErrNotFound) {
				err = nil
			}
			return err
		}, []string{sqltest.GetCustomerByReference}},
		{"Customers.Create", func(s *sqlstore.Store) error {
			_, err := s.Customers().Create(ctx, newCustomer("new@example.com"))
			return err
		}, []string{sqltest.InsertCustomer(d)}},
		{"Customers.List", func(s *sqlstore.Store) error {
			_, err := s.Customers().List(ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 50, Cursor: cursor})
			return err
		}, []string{sqltest.ListCustomersAfter(50)}},
		{"Customers.List/group", func(s *sqlstore.Store) error {
			_, err := s.Customers().List(ctx, storage.CustomerFilter{GroupID: g.ID}, storage.PageRequest{Limit: 50, Cursor: cursor})
			return err
		}, []string{sqltest.ListGroupMembersAfter(50)}},
		{"Customers.List/group at", func(s *sqlstore.Store) error {
			_, err := s.Customers().List(ctx, storage.CustomerFilter{GroupID: g.ID, GroupAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
				storage.PageRequest{Limit: 50, Cursor: cursor})
			return err
		}, []string{sqltest.ListGroupMembersAtAfter(50)}},
		{"Groups.List", func(s *sqlstore.Store) error {
			page, err := s.Groups().List(ctx, storage.GroupFilter{}, timeCursor(storage.ListGroups))
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page")
			}
			return err
		}, []string{sqltest.ListGroupsAfter(50)}},
		{"Merchants.List", func(s *sqlstore.Store) error {
			page, err := s.Merchants().List(ctx, timeCursor(storage.ListMerchants))
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page")
			}
			return err
		}, []string{sqltest.ListMerchantsAfter(50)}},
		{"Markets.List", func(s *sqlstore.Store) error {
			page, err := s.Markets().List(ctx, storage.MarketFilter{}, timeCursor(storage.ListMarkets))
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page")
			}
			return err
		}, []string{sqltest.ListMarketsAfter(50)}},
		{"Orders.List", func(s *sqlstore.Store) error {
			page, err := s.Orders().List(ctx, ids[0], storage.PageRequest{Limit: 50,
				Cursor: storage.Cursor{List: storage.ListOrders, Time: now.Add(-time.Second), Key: "o"}.String()})
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page")
			}
			return err
		}, []string{sqltest.ListOrdersAfter(d, 50)}},
		{"Addresses.Book", func(s *sqlstore.Store) error {
			b, err := s.Addresses().Book(ctx, ids[0])
			if err == nil && len(b.Entries) == 0 {
				t.Error("an empty book")
			}
			return err
		}, []string{`SELECT 1 FROM {{prefix}}customers WHERE id = ?`, sqltest.AddressBook}},
		{"Groups.AddMember", func(s *sqlstore.Store) error {
			_, err := s.Groups().AddMember(ctx, g.ID, ids[1])
			return err
		}, []string{sqltest.AddMemberInsert(d)}},
		{"Balances.Post", func(s *sqlstore.Store) error {
			_, err := s.Balances().Post(ctx, credit("k4"))
			return err
		}, []string{post.LockAccount, post.Apply, post.Insert, post.InsertLot}},
		{"Balances.PostToCustomer", func(s *sqlstore.Store) error {
			p, err := balance.NewCustomerPosting(uuid.New(), acct.CustomerID, balance.PostingParams{Kind: balance.KindGiftCard,
				Amount: balance.FromMinorUnits(100, acct.Currency), IdempotencyKey: "k5"}, now)
			if err == nil {
				_, err = s.Balances().(storage.AccountPosts).PostToCustomer(ctx, p)
			}
			return err
		}, []string{post.LockCustomerAccount, post.Apply, post.Insert, post.InsertLot}},
		{"Balances.Post/debit", func(s *sqlstore.Store) error {
			p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: balance.KindOrderPayment,
				Amount: balance.FromMinorUnits(-1, acct.Currency)}, now)
			if err == nil {
				_, err = s.Balances().Post(ctx, p)
			}
			return err
		}, []string{post.LockAccountForDebit, post.Apply, post.Insert, post.UpdateLot}},
		{"Balances.PostToCustomer/debit beyond the first lot", func(s *sqlstore.Store) error {
			p, err := balance.NewCustomerPosting(uuid.New(), acct.CustomerID, balance.PostingParams{Kind: balance.KindOrderPayment,
				Amount: balance.FromMinorUnits(-150, acct.Currency)}, now)
			if err == nil {
				_, err = s.Balances().(storage.AccountPosts).PostToCustomer(ctx, p)
			}
			return err
		}, []string{post.LockCustomerAccountForDebit, post.FirstOpenLots, post.Apply, post.Insert, post.UpdateLot}},
		{"Balances.PostingByKey", func(s *sqlstore.Store) error {
			_, err := s.Balances().PostingByKey(ctx, acct.ID, "k2")
			return err
		}, []string{sqltest.PostingByKey}},
		{"Balances.Postings", func(s *sqlstore.Store) error {
			page, err := s.Balances().Postings(ctx, acct.ID, storage.PageRequest{Limit: 50, Cursor: storage.Cursor{List: storage.ListPostings, Seq: 1}.String()})
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page (the test needs one with postings)")
			}
			return err
		}, []string{sqltest.PostingsAfter(50)}},
		{"Events.Append", func(s *sqlstore.Store) error {
			return s.Events().Append(ctx, newEvent(5))
		}, []string{sqltest.InsertEvent(d)}},
		{"Events.Claim", func(s *sqlstore.Store) error {
			b, err := s.Events().Claim(ctx, storage.Claim{Consumer: "setup", Holder: "h", Lease: time.Minute, Max: 10, Now: now})
			if err == nil && len(b.Events) < 4 {
				t.Errorf("claimed %d events, want at least 4, one not numbered yet (the test needs events to number)", len(b.Events))
			}
			return err
		}, []string{claim.LockSequencer, claim.LockConsumer, claim.NewEvents, claim.UpdateLastSeq, claim.Batch, claim.Lease}},
		{"Events.ByCustomer", func(s *sqlstore.Store) error {
			page, err := s.Events().ByCustomer(ctx, ids[0], storage.PageRequest{Limit: 50,
				Cursor: storage.Cursor{List: storage.ListCustomerEvents, Seq: 4}.String()})
			if err == nil && len(page.Items) == 0 {
				t.Error("an empty page (the test needs one with events)")
			}
			return err
		}, []string{sqltest.CustomerEventsAfter(50)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := fresh()
			if err := c.run(s); err != nil {
				t.Fatal(err)
			}
			got, want := s.RawQueries(), slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("the repository ran\n\t%s\nsqltest has\n\t%s", quoted(got), quoted(want))
			}
		})
	}
}

// quoted lists queries one per line, quoted so that white space shows.
func quoted(qs []string) string {
	out := ""
	for i, q := range qs {
		if i > 0 {
			out += "\n\t"
		}
		out += strconv.Quote(q)
	}
	return out
}
