package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// listRows is how many customers a list fixture holds: more than a page
// after its cursor, so that every page read is full and has a next one.
const listRows = 120

// ListPageAllocsPerPage is the allocations per page that ListAllocations
// allows the adapter beyond twice the hand-written scan's: the query's
// own work (the filter's SQL, the arguments, the cursors decoded and
// encoded, the statement cache's lookup), which does not grow with rows.
const ListPageAllocsPerPage = 100

// listFixture is a store of listRows customers, a cursor after the tenth,
// and the hand-written list statements prepared on the same *sql.DB.
type listFixture struct {
	tb     testing.TB
	ctx    context.Context
	db     *sql.DB
	d      sqlstore.Dialect
	prefix string
	store  *sqlstore.Store

	cursor   string
	cursorAt int64
	cursorID string
}

// newListFixture seeds listRows customers; tagged ones carry two tags and
// two metadata entries each.
func newListFixture(tb testing.TB, e Engine, tagged bool) *listFixture {
	tb.Helper()
	f := &listFixture{tb: tb, ctx: context.Background(), db: e.DB, d: e.Dialect, prefix: FreshPrefix("lists")}
	f.store = NewStoreWithPrefix(tb, f.db, f.d, f.prefix)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []uuid.UUID
	err := f.store.Atomic(f.ctx, func(ctx context.Context, tx storage.Tx) error {
		for i := range listRows {
			p := customer.Params{Email: fmt.Sprintf("list-%03d@example.com", i), FirstName: "Ada", LastName: "Lovelace",
				Phone: "+44 20 7946 0000"}
			if tagged {
				p.Tags = []string{"vip", "wholesale"}
				p.Metadata = map[string]string{"source": "import", "tier": "gold"}
			}
			c, err := customer.NewRegistered(uuid.New(), p, base.Add(time.Duration(i)*time.Millisecond))
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
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	at := base.Add(9 * time.Millisecond)
	f.cursor = storage.Cursor{List: storage.ListCustomers, Time: at, Key: ids[9].String()}.String()
	f.cursorAt, f.cursorID = at.UnixMicro(), ids[9].String()
	e.analyze(tb, f.prefix, "customers")
	return f
}

// library lists the page of size after the cursor with Customers.List.
func (f *listFixture) library(size int) func() error {
	return func() error {
		page, err := f.store.Customers().List(f.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: size, Cursor: f.cursor})
		if err == nil && (len(page.Items) != size || page.Next == "") {
			err = fmt.Errorf("a page of %d", len(page.Items))
		}
		return err
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

// hand runs Customers.List's statement for a page of size by hand,
// prepared once, and scans its columns with rows.Scan into plain Go values
// (tags and metadata stay JSON text): the least a list can allocate
// through database/sql.
func (f *listFixture) hand(size int) func() error {
	st, err := f.db.PrepareContext(f.ctx, sqlstore.Render(ListCustomersAfter(size), f.prefix, f.d))
	if err != nil {
		f.tb.Fatalf("prepare: %v", err)
	}
	f.tb.Cleanup(func() { st.Close() })
	return func() error {
		rows, err := st.QueryContext(f.ctx, f.cursorAt, f.cursorAt, f.cursorID)
		if err != nil {
			return err
		}
		defer rows.Close()
		items := make([]plainCustomer, 0, size+1)
		var c plainCustomer
		dest := []any{&c.id, &c.email, &c.display, &c.hasAccount, &c.status, &c.state, &c.typ, &c.first, &c.last,
			&c.search, &c.phone, &c.company, &c.vat, &c.note, &c.tags, &c.metadata, &c.reference, &c.origin,
			&c.orders, &c.created, &c.updated, &c.deleted, &c.version, &c.hasPassword}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			items = append(items, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) != size+1 {
			return fmt.Errorf("a page of %d", len(items))
		}
		return nil
	}
}

// ListAllocations checks that Customers.List scans its rows with at most
// twice the allocations of the hand-written rows.Scan of the same columns
// into plain Go values (listFixture.hand), on customers without tags and
// with two tags and two metadata entries each: per row (the difference
// between pages of 50 and 10, over the 40 rows between them), and per
// page of 50, where the adapter may spend ListPageAllocsPerPage more on
// the query itself. Allocation counts are deterministic: no timing.
func ListAllocations(t *testing.T, e Engine) {
	for _, tagged := range []bool{false, true} {
		name := "plain"
		if tagged {
			name = "tagged"
		}
		t.Run(name, func(t *testing.T) {
			f := newListFixture(t, e, tagged)
			const big, small = BenchPageSize, 10
			lib50, lib10 := f.allocs(f.library(big)), f.allocs(f.library(small))
			hand50, hand10 := f.allocs(f.hand(big)), f.allocs(f.hand(small))
			libRow, handRow := (lib50-lib10)/(big-small), (hand50-hand10)/(big-small)
			t.Logf("%s, page of %d: adapter %.0f allocs (%.1f a row), hand-written scan %.0f (%.1f a row): %.2fx a row",
				name, big, lib50, libRow, hand50, handRow, libRow/handRow)
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

// BenchListPage benchmarks a page of BenchPageSize customers from
// Customers.List (adapter) against the hand-written rows.Scan of the same
// columns into plain Go values (hand; see ListAllocations), on customers
// without tags (plain) and with two tags and two metadata entries each
// (tagged). paired runs them in turns, as in Bench.
func BenchListPage(b *testing.B, e Engine) {
	for _, tagged := range []bool{false, true} {
		name := "plain"
		if tagged {
			name = "tagged"
		}
		f := newListFixture(b, e, tagged)
		variants := []namedVariant{
			{"adapter", func(*testing.B) func() func() error {
				list := f.library(BenchPageSize)
				return func() func() error { return list }
			}},
			{"hand", func(*testing.B) func() func() error {
				list := f.hand(BenchPageSize)
				return func() func() error { return list }
			}},
		}
		for _, v := range variants {
			b.Run(name+"/"+v.name, func(b *testing.B) { runAlone(b, v.variant) })
		}
		b.Run(name+"/paired", func(b *testing.B) { runPaired(b, variants) })
	}
}
