package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// listRows is how many rows a list fixture holds: more than a page after
// its cursor, so that every page read is full and has a next one.
const listRows = 120

// ListPageAllocsPerPage is the allocations per page that ListAllocations
// allows the adapter beyond twice the hand-written scan's: the query's
// own work (the filter's SQL, the arguments, the cursors decoded and
// encoded, the statement cache's lookup, an existence check), which does
// not grow with rows.
const ListPageAllocsPerPage = 100

// listFixture is a fresh store and the *sql.DB under it, on which the
// hand-written list statements are prepared.
type listFixture struct {
	tb     testing.TB
	ctx    context.Context
	e      Engine
	db     *sql.DB
	d      sqlstore.Dialect
	prefix string
	store  *sqlstore.Store
	base   time.Time
}

func newListFixture(tb testing.TB, e Engine) *listFixture {
	tb.Helper()
	f := &listFixture{tb: tb, ctx: context.Background(), e: e, db: e.DB, d: e.Dialect, prefix: FreshPrefix("lists"),
		base: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.store = NewStoreWithPrefix(tb, f.db, f.d, f.prefix)
	return f
}

// at is the creation time of the i-th row a fixture seeds.
func (f *listFixture) at(i int) time.Time { return f.base.Add(time.Duration(i) * time.Millisecond) }

// atomic runs fn in one transaction of the fixture's store, or fails the
// test.
func (f *listFixture) atomic(what string, fn func(ctx context.Context, tx storage.Tx) error) {
	f.tb.Helper()
	if err := f.store.Atomic(f.ctx, fn); err != nil {
		f.tb.Fatalf("seed %s: %v", what, err)
	}
}

// listCase is a list that ListAllocations and BenchListPage measure: seed
// stores its rows in a fixture and returns, for a page of size, the
// adapter's read and the hand-written scan of the same statement's columns.
type listCase struct {
	name string
	seed func(f *listFixture) (library, hand func(size int) func() error)
}

// listCases are the lists of the adapter whose rows ListAllocations
// weighs: customers without tags (plain) and with two tags and two
// metadata entries each (tagged), groups, merchants, markets, a customer's
// orders, an account's postings, and address books.
var listCases = []listCase{
	{"plain", func(f *listFixture) (library, hand func(int) func() error) { return f.customers(false) }},
	{"tagged", func(f *listFixture) (library, hand func(int) func() error) { return f.customers(true) }},
	{"groups", (*listFixture).groups},
	{"merchants", (*listFixture).merchants},
	{"markets", (*listFixture).markets},
	{"orders", (*listFixture).orders},
	{"postings", (*listFixture).postings},
	{"addresses", (*listFixture).addresses},
}

// timeList is the adapter's read of a page of size after the cursor
// (list, at, id) with list, which must return a full page with a next one.
func timeList[T any](f *listFixture, list string, at time.Time, key string,
	read func(ctx context.Context, p storage.PageRequest) (storage.Page[T], error)) func(size int) func() error {
	cursor := storage.Cursor{List: list, Time: at, Key: key}.String()
	return func(size int) func() error {
		return func() error {
			page, err := read(f.ctx, storage.PageRequest{Limit: size, Cursor: cursor})
			if err == nil && (len(page.Items) != size || page.Next == "") {
				err = fmt.Errorf("a page of %d", len(page.Items))
			}
			return err
		}
	}
}

// handList prepares query (raw, as in queries.go) once and returns a run
// of it with args that scans each row with rows.Scan into a T, through the
// destinations bind returns for it, declared once per run, and expects
// want rows: the least a list can allocate through database/sql.
func handList[T any](f *listFixture, query string, want int, args []any, bind func(*T) []any) func() error {
	st, err := f.db.PrepareContext(f.ctx, sqlstore.Render(query, f.prefix, f.d))
	if err != nil {
		f.tb.Fatalf("prepare: %v", err)
	}
	f.tb.Cleanup(func() { st.Close() })
	return func() error {
		rows, err := st.QueryContext(f.ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		items := make([]T, 0, want)
		var v T
		dest := bind(&v)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			items = append(items, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) != want {
			return fmt.Errorf("%d rows, want %d", len(items), want)
		}
		return nil
	}
}

// plainCustomer is a customers row in plain Go values.
type plainCustomer struct {
	id, email, display, status, state, typ, first, last, search, phone string
	company, vat, note, tags, metadata, reference, origin              string
	hasAccount, hasPassword                                            bool
	orders, created, updated, version                                  int64
	deleted                                                            sql.NullInt64
}

// customers seeds listRows customers (tagged ones with two tags and two
// metadata entries each); the page is Customers.List's after the tenth.
func (f *listFixture) customers(tagged bool) (library, hand func(int) func() error) {
	var ids []uuid.UUID
	f.atomic("customers", func(ctx context.Context, tx storage.Tx) error {
		for i := range listRows {
			p := customer.Params{Email: fmt.Sprintf("list-%03d@example.com", i), FirstName: "Ada", LastName: "Lovelace",
				Phone: "+44 20 7946 0000"}
			if tagged {
				p.Tags = []string{"vip", "wholesale"}
				p.Metadata = map[string]string{"source": "import", "tier": "gold"}
			}
			c, err := customer.NewRegistered(uuid.New(), p, f.at(i))
			if err != nil {
				return err
			}
			if _, err := tx.Customers().Create(ctx, c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	f.e.analyze(f.tb, f.prefix, "customers")
	at, id := f.at(9), ids[9].String()
	library = timeList(f, storage.ListCustomers, at, id, func(ctx context.Context, p storage.PageRequest) (storage.Page[customer.Customer], error) {
		return f.store.Customers().List(ctx, storage.CustomerFilter{}, p)
	})
	return library, func(size int) func() error {
		return handList(f, ListCustomersAfter(size), size+1, []any{at.UnixMicro(), at.UnixMicro(), id}, func(c *plainCustomer) []any {
			return []any{&c.id, &c.email, &c.display, &c.hasAccount, &c.status, &c.state, &c.typ, &c.first, &c.last,
				&c.search, &c.phone, &c.company, &c.vat, &c.note, &c.tags, &c.metadata, &c.reference, &c.origin,
				&c.orders, &c.created, &c.updated, &c.deleted, &c.version, &c.hasPassword}
		})
	}
}

// listMetadata is the metadata of every seeded group, merchant and market.
var listMetadata = map[string]string{"source": "import", "tier": "gold"}

// plainGroup is a groups row in plain Go values.
type plainGroup struct {
	id, name, key, description, metadata string
	created, updated, version            int64
	owner                                sql.NullString
}

// groups seeds listRows groups with a description and two metadata
// entries; the page is Groups.List's after the tenth.
func (f *listFixture) groups() (library, hand func(int) func() error) {
	var ids []uuid.UUID
	f.atomic("groups", func(ctx context.Context, tx storage.Tx) error {
		for i := range listRows {
			g, err := group.New(uuid.New(), group.Params{Name: fmt.Sprintf("Group %03d", i), Description: "Wholesale buyers",
				Metadata: listMetadata}, f.at(i))
			if err != nil {
				return err
			}
			if _, err := tx.Groups().Create(ctx, g); err != nil {
				return err
			}
			ids = append(ids, g.ID)
		}
		return nil
	})
	f.e.analyze(f.tb, f.prefix, "groups")
	at, id := f.at(9), ids[9].String()
	library = timeList(f, storage.ListGroups, at, id, func(ctx context.Context, p storage.PageRequest) (storage.Page[group.Group], error) {
		return f.store.Groups().List(ctx, storage.GroupFilter{}, p)
	})
	return library, func(size int) func() error {
		return handList(f, ListGroupsAfter(size), size+1, []any{at.UnixMicro(), at.UnixMicro(), id}, func(g *plainGroup) []any {
			return []any{&g.id, &g.name, &g.key, &g.description, &g.metadata, &g.created, &g.updated, &g.version, &g.owner}
		})
	}
}

// listAddress is the address of every seeded merchant and address book
// entry.
var listAddress = address.Address{FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd",
	Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "GB", Phone: "+442079460000"}

// plainMerchant is a merchants row in plain Go values.
type plainMerchant struct {
	id, name, billing, metadata string
	created, updated, version   int64
}

// merchants seeds listRows merchants with a billing address and two
// metadata entries; the page is Merchants.List's after the tenth.
func (f *listFixture) merchants() (library, hand func(int) func() error) {
	var ids []uuid.UUID
	f.atomic("merchants", func(ctx context.Context, tx storage.Tx) error {
		for i := range listRows {
			m, err := merchant.New(uuid.New(), merchant.Params{Name: fmt.Sprintf("Merchant %03d", i), BillingAddress: listAddress,
				Metadata: listMetadata}, f.at(i))
			if err != nil {
				return err
			}
			if _, err := tx.Merchants().Create(ctx, m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	f.e.analyze(f.tb, f.prefix, "merchants")
	at, id := f.at(9), ids[9].String()
	library = timeList(f, storage.ListMerchants, at, id, f.store.Merchants().List)
	return library, func(size int) func() error {
		return handList(f, ListMerchantsAfter(size), size+1, []any{at.UnixMicro(), at.UnixMicro(), id}, func(m *plainMerchant) []any {
			return []any{&m.id, &m.name, &m.billing, &m.metadata, &m.created, &m.updated, &m.version}
		})
	}
}

// plainMarket is a markets row in plain Go values.
type plainMarket struct {
	id, merchant, code, name, model, currency, priceList, inventory string
	access, metadata, tax                                           string
	disabled, requireVerified                                       bool
	created, updated, version                                       int64
}

// markets seeds listRows markets of one merchant, each open to two groups
// and with two metadata entries; the page is Markets.List's after the
// tenth.
func (f *listFixture) markets() (library, hand func(int) func() error) {
	var ids []uuid.UUID
	f.atomic("markets", func(ctx context.Context, tx storage.Tx) error {
		m, err := merchant.New(uuid.New(), merchant.Params{Name: "Merchant", BillingAddress: listAddress}, f.base)
		if err != nil {
			return err
		}
		if _, err := tx.Merchants().Create(ctx, m); err != nil {
			return err
		}
		var groups []uuid.UUID
		for _, name := range []string{"Wholesale", "Staff"} {
			g, err := group.New(uuid.New(), group.Params{Name: name}, f.base)
			if err != nil {
				return err
			}
			if _, err := tx.Groups().Create(ctx, g); err != nil {
				return err
			}
			groups = append(groups, g.ID)
		}
		for i := range listRows {
			mk, err := market.New(uuid.New(), market.Params{MerchantID: m.ID, Code: fmt.Sprintf("market-%03d", i),
				Name: fmt.Sprintf("Market %03d", i), BusinessModel: market.BusinessModelB2B, Currency: balance.MustCurrency("EUR"),
				PriceListRef: "list-1", AccessGroups: groups, Metadata: listMetadata}, f.at(i))
			if err != nil {
				return err
			}
			if _, err := tx.Markets().Create(ctx, mk); err != nil {
				return err
			}
			ids = append(ids, mk.ID)
		}
		return nil
	})
	f.e.analyze(f.tb, f.prefix, "markets", "market_groups")
	at, id := f.at(9), ids[9].String()
	library = timeList(f, storage.ListMarkets, at, id, func(ctx context.Context, p storage.PageRequest) (storage.Page[market.Market], error) {
		return f.store.Markets().List(ctx, storage.MarketFilter{}, p)
	})
	return library, func(size int) func() error {
		return handList(f, ListMarketsAfter(size), size+1, []any{at.UnixMicro(), at.UnixMicro(), id}, func(m *plainMarket) []any {
			return []any{&m.id, &m.merchant, &m.code, &m.name, &m.model, &m.currency, &m.priceList, &m.inventory,
				&m.disabled, &m.access, &m.metadata, &m.created, &m.updated, &m.version, &m.requireVerified, &m.tax}
		})
	}
}

// plainOrder is an orders row in plain Go values.
type plainOrder struct {
	id, customer, number, status, currency, channel string
	market                                          sql.NullString
	total, placed, created, updated                 int64
}

// orders seeds listRows orders of one customer; the page is Orders.List's
// after the tenth.
func (f *listFixture) orders() (library, hand func(int) func() error) {
	var cid uuid.UUID
	var oids []string
	f.atomic("orders", func(ctx context.Context, tx storage.Tx) error {
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "orders@example.com"}, f.base)
		if err != nil {
			return err
		}
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		cid = c.ID
		for i := range listRows {
			o, err := order.New(order.Params{ID: fmt.Sprintf("order-%03d", i), CustomerID: c.ID, Number: fmt.Sprintf("#%d", 1000+i),
				Total: balance.FromMinorUnits(1999, balance.MustCurrency("EUR")), Channel: "web", PlacedAt: f.at(i)}, f.at(i))
			if err != nil {
				return err
			}
			if _, err := tx.Orders().Create(ctx, o); err != nil {
				return err
			}
			oids = append(oids, o.ID)
		}
		return nil
	})
	f.e.analyze(f.tb, f.prefix, "orders")
	at, id := f.at(9), oids[9]
	cursor := storage.Cursor{List: storage.ListOrders, Time: at, Key: id}.String()
	library = func(size int) func() error {
		return func() error {
			page, err := f.store.Orders().List(f.ctx, cid, storage.PageRequest{Limit: size, Cursor: cursor})
			if err == nil && (len(page.Items) != size || page.Next == "") {
				err = fmt.Errorf("a page of %d", len(page.Items))
			}
			return err
		}
	}
	return library, func(size int) func() error {
		return handList(f, ListOrdersAfter(f.d, size), size+1, []any{cid.String(), at.UnixMicro(), at.UnixMicro(), id}, func(o *plainOrder) []any {
			return []any{&o.id, &o.customer, &o.number, &o.status, &o.total, &o.currency, &o.market, &o.channel,
				&o.placed, &o.created, &o.updated}
		})
	}
}

// plainPosting is a balance_postings row and its account's currency in
// plain Go values.
type plainPosting struct {
	currency, id, account, customer, kind, reference, actor, note string
	key                                                           sql.NullString
	expires                                                       sql.NullInt64
	sequence, amount, ending, created                             int64
}

// postings seeds an account with listRows credits, each with a reference,
// an idempotency key, an actor and a note; the page is Balances.Postings'
// after the tenth.
func (f *listFixture) postings() (library, hand func(int) func() error) {
	var acct balance.Account
	f.atomic("account", func(ctx context.Context, tx storage.Tx) error {
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "postings@example.com"}, f.base)
		if err != nil {
			return err
		}
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		acct, err = tx.Balances().CreateAccount(ctx, balance.NewAccount(uuid.New(), c.ID, balance.MustCurrency("EUR"), f.base))
		return err
	})
	for i := range listRows {
		p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: balance.KindGiftCard,
			Amount: balance.FromMinorUnits(500, acct.Currency), Reference: fmt.Sprintf("gift-%03d", i),
			IdempotencyKey: fmt.Sprintf("key-%03d", i), Actor: "support", Note: "goodwill credit"}, f.at(i))
		if err != nil {
			f.tb.Fatal(err)
		}
		if _, err := f.store.Balances().Post(f.ctx, p); err != nil {
			f.tb.Fatalf("seed postings: %v", err)
		}
	}
	f.e.analyze(f.tb, f.prefix, "balance_accounts", "balance_postings")
	const after = 10
	cursor := storage.Cursor{List: storage.ListPostings, Seq: after}.String()
	library = func(size int) func() error {
		return func() error {
			page, err := f.store.Balances().Postings(f.ctx, acct.ID, storage.PageRequest{Limit: size, Cursor: cursor})
			if err == nil && (len(page.Items) != size || page.Next == "") {
				err = fmt.Errorf("a page of %d", len(page.Items))
			}
			return err
		}
	}
	return library, func(size int) func() error {
		args := []any{acct.ID.String(), int64(after), int64(after + size + 1)}
		return handList(f, PostingsAfter(size), size+1, args, func(p *plainPosting) []any {
			return []any{&p.currency, &p.id, &p.account, &p.customer, &p.sequence, &p.kind, &p.amount, &p.ending,
				&p.reference, &p.key, &p.actor, &p.note, &p.created, &p.expires}
		})
	}
}

// plainAddress is an addresses row in plain Go values.
type plainAddress struct {
	id, customer, first, last, company, line1, line2, city, postal, province, country, phone string
	shipping, billing                                                                        bool
	created, updated                                                                         int64
}

// addresses seeds two customers whose address books hold BenchPageSize
// and 10 entries; a page of size is the book of size entries
// (Addresses.Book, which is not paged).
func (f *listFixture) addresses() (library, hand func(int) func() error) {
	books := map[int]uuid.UUID{}
	for _, n := range []int{BenchPageSize, 10} {
		f.atomic("address book", func(ctx context.Context, tx storage.Tx) error {
			c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: fmt.Sprintf("book-%d@example.com", n)}, f.base)
			if err != nil {
				return err
			}
			if _, err := tx.Customers().Create(ctx, c); err != nil {
				return err
			}
			books[n] = c.ID
			_, err = tx.Addresses().UpdateBook(ctx, c.ID, func(b *address.Book) error {
				for i := range n {
					a := listAddress
					a.Line2 = fmt.Sprintf("Floor %d", i)
					if _, err := b.Add(uuid.New(), a, f.at(i)); err != nil {
						return err
					}
				}
				return nil
			})
			return err
		})
	}
	f.e.analyze(f.tb, f.prefix, "customers", "addresses")
	library = func(size int) func() error {
		id := books[size]
		return func() error {
			b, err := f.store.Addresses().Book(f.ctx, id)
			if err == nil && len(b.Entries) != size {
				err = fmt.Errorf("a book of %d", len(b.Entries))
			}
			return err
		}
	}
	return library, func(size int) func() error {
		return handList(f, AddressBook, size, []any{books[size].String()}, func(a *plainAddress) []any {
			return []any{&a.id, &a.customer, &a.first, &a.last, &a.company, &a.line1, &a.line2, &a.city, &a.postal,
				&a.province, &a.country, &a.phone, &a.shipping, &a.billing, &a.created, &a.updated}
		})
	}
}

// ListAllocations checks that each list of the adapter (listCases) scans
// its rows with at most twice the allocations of the hand-written
// rows.Scan of the same statement's columns into plain Go values
// (handList; JSON columns stay text): per row (the difference between
// pages of 50 and 10, over the 40 rows between them), and per page of 50,
// where the adapter may spend ListPageAllocsPerPage more on the query
// itself. Allocation counts are deterministic: no timing.
func ListAllocations(t *testing.T, e Engine) {
	for _, c := range listCases {
		t.Run(c.name, func(t *testing.T) {
			f := newListFixture(t, e)
			library, hand := c.seed(f)
			const big, small = BenchPageSize, 10
			lib50, lib10 := f.allocs(library(big)), f.allocs(library(small))
			hand50, hand10 := f.allocs(hand(big)), f.allocs(hand(small))
			libRow, handRow := (lib50-lib10)/(big-small), (hand50-hand10)/(big-small)
			t.Logf("%s, page of %d: adapter %.0f allocs (%.1f a row), hand-written scan %.0f (%.1f a row): %.2fx a row",
				c.name, big, lib50, libRow, hand50, handRow, libRow/handRow)
			if libRow > 2*handRow {
				t.Errorf("the adapter allocates %.1f a row, more than twice the hand-written scan's %.1f", libRow, handRow)
			}
			if lib50 > 2*hand50+ListPageAllocsPerPage {
				t.Errorf("a page of %d allocates %.0f, more than twice the hand-written scan's %.0f plus %d",
					big, lib50, hand50, ListPageAllocsPerPage)
			}
		})
	}
}

// allocs returns the average allocations of one run of fn.
func (f *listFixture) allocs(fn func() error) float64 {
	var err error
	n := testing.AllocsPerRun(20, func() {
		if e := fn(); e != nil && err == nil {
			err = e
		}
	})
	if err != nil {
		f.tb.Fatal(err)
	}
	return n
}

// BenchListPage benchmarks a page of BenchPageSize rows of each list of
// listCases (adapter) against the hand-written rows.Scan of the same
// columns into plain Go values (hand; see ListAllocations). paired runs
// them in turns, as in Bench.
func BenchListPage(b *testing.B, e Engine) {
	for _, c := range listCases {
		f := newListFixture(b, e)
		library, hand := c.seed(f)
		variants := []namedVariant{
			{"adapter", func(*testing.B) func() func() error {
				list := library(BenchPageSize)
				return func() func() error { return list }
			}},
			{"hand", func(*testing.B) func() func() error {
				list := hand(BenchPageSize)
				return func() func() error { return list }
			}},
		}
		for _, v := range variants {
			b.Run(c.name+"/"+v.name, func(b *testing.B) { runAlone(b, v.variant) })
		}
		b.Run(c.name+"/paired", func(b *testing.B) { runPaired(b, variants) })
	}
}
