package sqltest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// BenchCustomers is how many customers the benchmarks' store holds before
// they start.
const BenchCustomers = 2000

// BenchPageSize is the size of the benchmarked list page.
const BenchPageSize = 50

// Bench benchmarks the adapter on e.DB, each operation beside the same SQL
// written by hand on the same *sql.DB: statements prepared once with the
// same text (from queries.go), the same arguments, the same columns scanned
// into the same values.
//
// Sub-benchmarks are named Op/variant:
//
//   - adapter: the repository method.
//   - hand: the same statements, in the same transaction shape (BEGIN ...
//     COMMIT where the adapter opens one), written by hand. adapter/hand is
//     what the adapter's Go code costs.
//   - hand-single: for a posting, where the adapter locks the account
//     first, the fewest statements that post safely without the lock
//     (conditional UPDATE, read back, INSERT). adapter/hand-single is what
//     the lock costs. (Creating a customer and adding a member are one
//     statement in the adapter too, so their hand variant is the least.)
//   - paired: the variants above taking turns, one operation each per
//     iteration, each timed on its own; it reports their ns/op as
//     <variant>-ns/op and their ratios. Load on the machine then weighs on
//     every variant alike, which makes its ratios the ones to trust on a
//     shared machine.
//
// The store is migrated under a fresh prefix of e.DB and seeded with
// BenchCustomers customers, after which the seeded tables are analyzed
// (e.Analyze).
func Bench(b *testing.B, e Engine) {
	f := newBenchFixture(b, e)
	for _, op := range []struct {
		name     string
		variants []namedVariant
	}{
		{"CreateCustomer", []namedVariant{{"adapter", f.createAdapter}, {"hand", f.createHand}}},
		{"GetCustomer", []namedVariant{{"adapter", f.getAdapter}, {"hand", f.getHand}}},
		{"GetCustomerByEmail", []namedVariant{{"adapter", f.getByEmailAdapter}, {"hand", f.getByEmailHand}}},
		{"ListCustomersPage", []namedVariant{{"adapter", f.listAdapter}, {"hand", f.listHand}}},
		{"AddMember", []namedVariant{{"adapter", f.addMemberAdapter}, {"hand", f.addMemberHand}}},
		{"PostCredit", []namedVariant{{"adapter", f.postAdapter}, {"hand", f.postHandTx}, {"hand-single", f.postHand}}},
		{"PostDebit", []namedVariant{{"adapter", f.debitAdapter(1)}, {"adapter-1000-lots", f.debitAdapter(1000)}}},
	} {
		for _, v := range op.variants {
			b.Run(op.name+"/"+v.name, func(b *testing.B) { runAlone(b, v.variant) })
		}
		b.Run(op.name+"/paired", func(b *testing.B) { runPaired(b, op.variants) })
	}
}

// A variant is one way to run an operation. Given the benchmark, it sets
// itself up (prepared statements, state of its own) and returns next, which
// readies one operation (a fresh customer, say) and returns it to be timed.
type variant func(b *testing.B) (next func() func() error)

type namedVariant struct {
	name    string
	variant variant
}

// runAlone times the variant alone, readying included.
func runAlone(b *testing.B, v variant) {
	next := v(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := next()(); err != nil {
			b.Fatal(err)
		}
	}
}

// runPaired runs the variants in turns (rotating which goes first), timing
// each operation but not its readying, and reports each variant's ns/op and
// the first one's ratio to each other.
func runPaired(b *testing.B, vs []namedVariant) {
	nexts := make([]func() func() error, len(vs))
	for i, v := range vs {
		nexts[i] = v.variant(b)
	}
	total := make([]time.Duration, len(vs))
	n := 0
	for b.Loop() {
		for k := range vs {
			i := (n + k) % len(vs)
			op := nexts[i]()
			start := time.Now()
			if err := op(); err != nil {
				b.Fatalf("%s: %v", vs[i].name, err)
			}
			total[i] += time.Since(start)
		}
		n++
	}
	for i, v := range vs {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(n), v.name+"-ns/op")
		if i > 0 {
			b.ReportMetric(float64(total[0])/float64(total[i]), vs[0].name+"/"+v.name)
		}
	}
}

// benchFixture is a store holding BenchCustomers customers, and the
// hand-written statements prepared on the same *sql.DB.
type benchFixture struct {
	b      testing.TB
	ctx    context.Context
	db     *sql.DB
	d      sqlstore.Dialect
	prefix string
	store  *sqlstore.Store

	base     time.Time // the first seeded customer's creation time
	template customer.Customer
	seq      atomic.Int64

	ids     []uuid.UUID
	emails  []string
	created []int64 // microseconds

	cursor   string // after the customer in the middle
	cursorAt int64
	cursorID string

	stmts map[string]*sql.Stmt // raw query -> prepared by hand

	post          postFixture
	debitAccounts atomic.Int64 // accounts the debit benchmarks opened
}

func newBenchFixture(b testing.TB, e Engine) *benchFixture {
	b.Helper()
	db, d := e.DB, e.Dialect
	f := &benchFixture{b: b, ctx: context.Background(), db: db, d: d, prefix: FreshPrefix("bench"),
		base: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), stmts: map[string]*sql.Stmt{}}
	f.store = NewStoreWithPrefix(b, db, d, f.prefix)
	tpl, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "template@example.com",
		FirstName: "Ada", LastName: "Lovelace", Phone: "+44 20 7946 0000"}, f.base)
	if err != nil {
		b.Fatal(err)
	}
	f.template = tpl
	// Seed the customers, a few hundred per transaction.
	for start := 0; start < BenchCustomers; start += 250 {
		err := f.store.Atomic(f.ctx, func(ctx context.Context, tx storage.Tx) error {
			for i := start; i < min(start+250, BenchCustomers); i++ {
				c := f.template
				c.ID = uuid.New()
				c.Email.Address = fmt.Sprintf("seed-%04d@example.com", i)
				c.Email.Display = c.Email.Address
				c.CreatedAt = f.base.Add(time.Duration(i) * time.Millisecond)
				c.UpdatedAt = c.CreatedAt
				if _, err := tx.Customers().Create(ctx, c); err != nil {
					return err
				}
				f.ids = append(f.ids, c.ID)
				f.emails = append(f.emails, c.Email.Address)
				f.created = append(f.created, c.CreatedAt.UnixMicro())
			}
			return nil
		})
		if err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	mid := BenchCustomers / 2
	f.cursor = storage.Cursor{List: storage.ListCustomers, Time: time.UnixMicro(f.created[mid]), Key: f.ids[mid].String()}.String()
	f.cursorAt, f.cursorID = f.created[mid], f.ids[mid].String()
	f.post = newPostFixture(f)
	// Only the tables that hold rows: PostgreSQL would otherwise plan the
	// prepared statements on the empty ones for empty tables (sequential
	// scans, which stay cached as the tables grow until the next ANALYZE).
	e.analyze(b, f.prefix, "customers", "balance_accounts")
	return f
}

// NewStoreWithPrefix migrates prefix in db and returns a store on it.
func NewStoreWithPrefix(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) *sqlstore.Store {
	t.Helper()
	migrate(t, db, d, prefix)
	return newStoreAt(t, db, d, prefix)
}

// stmt returns the hand-written statement for the raw query, prepared once
// on the fixture's *sql.DB.
func (f *benchFixture) stmt(raw string) *sql.Stmt {
	if st, ok := f.stmts[raw]; ok {
		return st
	}
	st, err := f.db.PrepareContext(f.ctx, sqlstore.Render(raw, f.prefix, f.d))
	if err != nil {
		f.b.Fatalf("prepare: %v\n%s", err, raw)
	}
	f.b.Cleanup(func() { st.Close() })
	f.stmts[raw] = st
	return st
}

// newCustomer returns a customer no other has the email of, created after
// every seeded one.
func (f *benchFixture) newCustomer() customer.Customer {
	n := f.seq.Add(1)
	c := f.template
	c.ID = uuid.New()
	c.Email.Address = "new-" + strconv.FormatInt(n, 10) + "@example.com"
	c.Email.Display = c.Email.Address
	c.CreatedAt = f.base.Add(time.Hour + time.Duration(n)*time.Microsecond)
	c.UpdatedAt = c.CreatedAt
	return c
}

// customerArgs returns c's column values in CustomerColumns order, as a
// hand-written repository would compute them.
func customerArgs(c customer.Customer) ([]any, error) {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	meta := c.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	tagsJSON, err := json.Marshal(tags)
	if err != nil {
		return nil, err
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	var deleted sql.NullInt64
	if c.DeletedAt != nil {
		deleted = sql.NullInt64{Int64: c.DeletedAt.UnixMicro(), Valid: true}
	}
	return []any{
		c.ID.String(), c.Email.Address, c.Email.Display, c.HasAccount, c.Status.String(), c.State.String(),
		c.Type.String(), c.FirstName, c.LastName, storage.SearchKey(c.FirstName + " " + c.LastName),
		c.Phone, c.Company, c.VATID, c.Note, string(tagsJSON), string(metaJSON), c.Reference, c.ReferenceOrigin,
		int64(c.OrderCount), c.CreatedAt.UnixMicro(), c.UpdatedAt.UnixMicro(), deleted, int64(1), c.HasPassword,
		customer.EmailSkeleton(c.Email.Address),
	}, nil
}

// scanCustomer reads CustomerColumns into a customer, as a hand-written
// repository would.
func scanCustomer(r interface{ Scan(...any) error }) (customer.Customer, error) {
	var (
		c                        customer.Customer
		status, state, typ       string
		search, tags, meta       string
		orders, created, updated int64
		deleted                  sql.NullInt64
	)
	err := r.Scan(&c.ID, &c.Email.Address, &c.Email.Display, &c.HasAccount, &status, &state, &typ,
		&c.FirstName, &c.LastName, &search, &c.Phone, &c.Company, &c.VATID, &c.Note, &tags, &meta,
		&c.Reference, &c.ReferenceOrigin, &orders, &created, &updated, &deleted, &c.Version, &c.HasPassword)
	if err != nil {
		return c, err
	}
	if c.Status, err = customer.ParseStatus(status); err != nil {
		return c, err
	}
	if c.State, err = customer.ParseState(state); err != nil {
		return c, err
	}
	if c.Type, err = customer.ParseType(typ); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return c, err
	}
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	if err := json.Unmarshal([]byte(meta), &c.Metadata); err != nil {
		return c, err
	}
	if len(c.Metadata) == 0 {
		c.Metadata = nil
	}
	c.OrderCount = int(orders)
	c.CreatedAt, c.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	if deleted.Valid {
		t := time.UnixMicro(deleted.Int64).UTC()
		c.DeletedAt = &t
	}
	return c, nil
}

// inTx runs fn in a transaction of f.db, as hand-written code would.
func (f *benchFixture) inTx(fn func(tx *sql.Tx) error) error {
	tx, err := f.db.BeginTx(f.ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the error is fn's
		return err
	}
	return tx.Commit()
}

func (f *benchFixture) createAdapter(b *testing.B) func() func() error {
	return func() func() error {
		c := f.newCustomer()
		return func() error {
			_, err := f.store.Customers().Create(f.ctx, c)
			return err
		}
	}
}

// checkOne checks that a write affected one row.
func checkOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("%d rows affected: %v", n, err)
	}
	return nil
}

func (f *benchFixture) createHand(b *testing.B) func() func() error {
	st := f.stmt(InsertCustomer(f.d))
	return func() func() error {
		c := f.newCustomer()
		return func() error {
			args, err := customerArgs(c)
			if err != nil {
				return err
			}
			return checkOne(st.ExecContext(f.ctx, args...))
		}
	}
}

// cycle returns the indexes 0, 1, ... BenchCustomers-1, 0, 1 ...
func cycle() func() int {
	i := -1
	return func() int {
		i = (i + 1) % BenchCustomers
		return i
	}
}

func (f *benchFixture) getAdapter(b *testing.B) func() func() error {
	next := cycle()
	return func() func() error {
		id := f.ids[next()]
		return func() error {
			_, err := f.store.Customers().Get(f.ctx, id)
			return err
		}
	}
}

func (f *benchFixture) getHand(b *testing.B) func() func() error {
	st := f.stmt(GetCustomer)
	next := cycle()
	return func() func() error {
		id := f.ids[next()]
		return func() error {
			_, err := scanCustomer(st.QueryRowContext(f.ctx, id.String()))
			return err
		}
	}
}

func (f *benchFixture) getByEmailAdapter(b *testing.B) func() func() error {
	next := cycle()
	return func() func() error {
		email := f.emails[next()]
		return func() error {
			_, err := f.store.Customers().GetByEmail(f.ctx, email, true)
			return err
		}
	}
}

func (f *benchFixture) getByEmailHand(b *testing.B) func() func() error {
	st := f.stmt(GetCustomerByEmail)
	next := cycle()
	return func() func() error {
		email := f.emails[next()]
		return func() error {
			_, err := scanCustomer(st.QueryRowContext(f.ctx, email, true))
			return err
		}
	}
}

func (f *benchFixture) listAdapter(b *testing.B) func() func() error {
	list := func() error {
		page, err := f.store.Customers().List(f.ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: BenchPageSize, Cursor: f.cursor})
		if err == nil && (len(page.Items) != BenchPageSize || page.Next == "") {
			err = fmt.Errorf("a page of %d", len(page.Items))
		}
		return err
	}
	return func() func() error { return list }
}

func (f *benchFixture) listHand(b *testing.B) func() func() error {
	st := f.stmt(ListCustomersAfter(BenchPageSize))
	list := func() error {
		rows, err := st.QueryContext(f.ctx, f.cursorAt, f.cursorAt, f.cursorID)
		if err != nil {
			return err
		}
		defer rows.Close()
		items := make([]customer.Customer, 0, BenchPageSize+1)
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				return err
			}
			items = append(items, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) != BenchPageSize+1 {
			return fmt.Errorf("a page of %d", len(items))
		}
		return nil
	}
	return func() func() error { return list }
}

// memberPairs hands out (group, customer) pairs that are not members yet:
// each seeded customer joins a new group every BenchCustomers pairs; the
// groups are created with the timer stopped.
type memberPairs struct {
	f      *benchFixture
	b      *testing.B
	i      int
	groups []group.Group
}

func (p *memberPairs) next() (group.Group, int) {
	k := p.i / BenchCustomers
	if k == len(p.groups) {
		p.b.StopTimer()
		g, err := group.New(uuid.New(), group.Params{Name: "bench group " + strconv.FormatInt(p.f.seq.Add(1), 10)}, p.f.base)
		if err != nil {
			p.b.Fatal(err)
		}
		if g, err = p.f.store.Groups().Create(p.f.ctx, g); err != nil {
			p.b.Fatal(err)
		}
		p.groups = append(p.groups, g)
		p.b.StartTimer()
	}
	c := p.i % BenchCustomers
	p.i++
	return p.groups[k], c
}

func (f *benchFixture) addMemberAdapter(b *testing.B) func() func() error {
	pairs := &memberPairs{f: f, b: b}
	return func() func() error {
		g, c := pairs.next()
		return func() error {
			added, err := f.store.Groups().AddMember(f.ctx, g.ID, f.ids[c])
			if err == nil && !added {
				err = errors.New("not added")
			}
			return err
		}
	}
}

func (f *benchFixture) addMemberHand(b *testing.B) func() func() error {
	insert := f.stmt(AddMemberInsert(f.d))
	pairs := &memberPairs{f: f, b: b}
	return func() func() error {
		g, c := pairs.next()
		return func() error {
			return checkOne(insert.ExecContext(f.ctx, f.ids[c].String(), g.ID.String()))
		}
	}
}
