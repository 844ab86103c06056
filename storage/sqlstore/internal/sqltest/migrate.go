package sqltest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/clientele-go/clientele/internal/sqlscratch"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// Engine is one database under test, for the suites that are specific to
// sqlstore (migrations, table prefixes, binding to a host transaction).
type Engine struct {
	// Dialect is the engine's dialect.
	Dialect sqlstore.Dialect
	// DB is a handle on the test's database (or schema).
	DB *sql.DB
	// Open opens another, independent handle on the same database: a
	// second "process" for the concurrent migration tests. The handle is
	// closed when the test ends.
	Open func(t testing.TB) *sql.DB
	// Schema describes what lives under a table prefix, one sorted line per
	// table, column, index or constraint, with the prefix written as
	// "{{prefix}}", so that two prefixes migrated the same way describe the
	// same. It must leave out the schema_migrations table.
	Schema func(t testing.TB, db *sql.DB, prefix string) []string
	// Analyze is the statement that refreshes the planner's statistics of
	// the table {{table}} (ANALYZE, ANALYZE TABLE), or "" for an engine
	// that keeps none unless asked (SQLite).
	Analyze string
}

// analyze refreshes the planner's statistics of the tables under prefix,
// as the engine's background work would after a while (PostgreSQL's
// autovacuum), so that plans are those of a store in use.
func (e Engine) analyze(t testing.TB, prefix string, tables ...string) {
	t.Helper()
	if e.Analyze == "" {
		return
	}
	for _, table := range tables {
		if _, err := e.DB.Exec(strings.ReplaceAll(e.Analyze, "{{table}}", prefix+table)); err != nil {
			t.Fatalf("analyze %s%s: %v", prefix, table, err)
		}
	}
}

// Tables are the tables every dialect's schema creates, without the prefix.
var Tables = []string{
	"addresses", "auth_tokens", "balance_accounts", "balance_lots", "balance_postings",
	"companies", "company_approvals", "company_domains", "company_members", "company_reservations",
	"consent_heads", "consent_records",
	"credentials", "customer_tags", "customer_tombstones", "customers",
	"erasures",
	"event_consumers", "event_sequence", "events", "groups",
	"idempotency_records", "identities", "market_groups", "markets", "memberships", "merchant_members", "merchants",
	"operator_staff", "order_details", "order_stats", "orders", "payment_sources",
	"segments",
	"subscriptions",
	"vendor_customers", "verification_reviews", "verifications",
}

// FreshPrefix returns a table prefix no other store of this test binary
// uses, starting with name.
func FreshPrefix(name string) string {
	return fmt.Sprintf("%s%d_", name, prefixes.Add(1))
}

// LatestVersion returns the version of the dialect's last migration.
func LatestVersion(t testing.TB, d sqlstore.Dialect) int {
	t.Helper()
	ms, err := sqlstore.Migrations(d)
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	if len(ms) == 0 {
		t.Fatal("the dialect has no migrations")
	}
	return ms[len(ms)-1].Version
}

// Migrations runs the migration and table-prefix tests on e.
func Migrations(t *testing.T, e Engine) {
	t.Run("Twice", func(t *testing.T) { migrateTwice(t, e) })
	t.Run("Concurrent", func(t *testing.T) { migrateConcurrently(t, e) })
	t.Run("SchemaVersion", func(t *testing.T) { schemaVersion(t, e) })
	t.Run("WriteMigrations", func(t *testing.T) { writeMigrations(t, e) })
	t.Run("PrefixIsolation", func(t *testing.T) { prefixIsolation(t, e) })
	t.Run("InvalidPrefix", func(t *testing.T) { invalidPrefix(t, e) })
	t.Run("CreditLotsCarryBalances", func(t *testing.T) { creditLotsCarryBalances(t, e) })
}

// migrate runs Migrate for prefix and fails the test on error.
func migrate(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) {
	t.Helper()
	dropWhenDone(t, db, d, prefix)
	if err := sqlstore.Migrate(context.Background(), db, d, sqlstore.WithTablePrefix(prefix)); err != nil {
		t.Fatalf("migrate %q: %v", prefix, err)
	}
}

// newStoreAt returns a store on an existing prefix.
func newStoreAt(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, d, sqlstore.WithTablePrefix(prefix))
	if err != nil {
		t.Fatalf("new store %q: %v", prefix, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recorded returns the versions recorded in prefix's schema_migrations, in
// order, one per applied migration.
func recorded(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) []int {
	t.Helper()
	rows, err := db.Query(sqlstore.Render(`SELECT version FROM {{prefix}}schema_migrations ORDER BY version`, prefix, d))
	if err != nil {
		t.Fatalf("read %sschema_migrations: %v", prefix, err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// allVersions returns every migration version of d, in order.
func allVersions(t testing.TB, d sqlstore.Dialect) []int {
	t.Helper()
	ms, err := sqlstore.Migrations(d)
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.Version)
	}
	return vs
}

// checkSchema checks that prefix holds exactly the expected tables and that
// its schema matches want (when want is not nil).
func checkSchema(t testing.TB, e Engine, prefix string, want []string) []string {
	t.Helper()
	got := e.Schema(t, e.DB, prefix)
	if len(got) == 0 {
		t.Fatalf("prefix %q: Schema found nothing", prefix)
	}
	var tables []string
	for _, line := range got {
		if name, ok := strings.CutPrefix(line, "table {{prefix}}"); ok {
			tables = append(tables, name)
		}
	}
	if !slices.Equal(tables, Tables) {
		t.Errorf("prefix %q: tables %v, want %v", prefix, tables, Tables)
	}
	if want != nil {
		diffLines(t, fmt.Sprintf("schema of %q", prefix), got, want)
	}
	return got
}

// diffLines reports the lines only one of got and want has.
func diffLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	var missing, extra []string
	for _, l := range want {
		if !slices.Contains(got, l) {
			missing = append(missing, l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			extra = append(extra, l)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s differs:\nmissing:\n\t%s\nextra:\n\t%s", what,
			strings.Join(missing, "\n\t"), strings.Join(extra, "\n\t"))
	}
}

// reference migrates a fresh prefix and returns its schema, the one every
// other way of creating it must reproduce.
func reference(t testing.TB, e Engine) []string {
	t.Helper()
	p := FreshPrefix("ref")
	migrate(t, e.DB, e.Dialect, p)
	return checkSchema(t, e, p, nil)
}

func migrateTwice(t *testing.T, e Engine) {
	want := reference(t, e)
	p := FreshPrefix("twice")
	migrate(t, e.DB, e.Dialect, p)
	first := checkSchema(t, e, p, want)
	migrate(t, e.DB, e.Dialect, p)
	diffLines(t, "schema after the second Migrate", e.Schema(t, e.DB, p), first)
	if got, want := recorded(t, e.DB, e.Dialect, p), allVersions(t, e.Dialect); !slices.Equal(got, want) {
		t.Errorf("recorded versions %v, want %v (each migration once)", got, want)
	}
	Smoke(t, newStoreAt(t, e.DB, e.Dialect, p))
	// Migrating again with data in the tables changes nothing either.
	migrate(t, e.DB, e.Dialect, p)
	if _, err := newStoreAt(t, e.DB, e.Dialect, p).Customers().GetByEmail(context.Background(), "smoke@example.com", true); err != nil {
		t.Errorf("the smoke test's customer after a third Migrate: %v", err)
	}
}

func migrateConcurrently(t *testing.T, e Engine) {
	want := reference(t, e)
	const rounds, perProcess = 4, 3
	other := e.Open(t)
	handles := []*sql.DB{e.DB, other}
	for round := range rounds {
		p := FreshPrefix("conc")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, len(handles)*perProcess)
		for i, db := range handles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range perProcess {
					if err := sqlstore.Migrate(context.Background(), db, e.Dialect, sqlstore.WithTablePrefix(p)); err != nil {
						errs <- fmt.Errorf("process %d: %w", i, err)
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
		if t.Failed() {
			return
		}
		for i, db := range handles {
			v, err := sqlstore.SchemaVersion(context.Background(), db, e.Dialect, sqlstore.WithTablePrefix(p))
			if err != nil || v != LatestVersion(t, e.Dialect) {
				t.Errorf("round %d: SchemaVersion through handle %d = %d, %v; want %d", round, i, v, err, LatestVersion(t, e.Dialect))
			}
		}
		if got, want := recorded(t, e.DB, e.Dialect, p), allVersions(t, e.Dialect); !slices.Equal(got, want) {
			t.Errorf("round %d: recorded versions %v, want %v (each migration once)", round, got, want)
		}
		checkSchema(t, e, p, want)
		if round == 0 {
			Smoke(t, newStoreAt(t, e.DB, e.Dialect, p))
		}
	}
}

func schemaVersion(t *testing.T, e Engine) {
	latest := LatestVersion(t, e.Dialect)
	vs := allVersions(t, e.Dialect)
	if latest != vs[len(vs)-1] || latest < 1 {
		t.Fatalf("latest version %d, versions %v", latest, vs)
	}
	p := FreshPrefix("ver")
	migrate(t, e.DB, e.Dialect, p)
	ctx := context.Background()
	v, err := sqlstore.SchemaVersion(ctx, e.DB, e.Dialect, sqlstore.WithTablePrefix(p))
	if err != nil || v != latest {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	// Another prefix in the same database has its own version.
	if v, err := sqlstore.SchemaVersion(ctx, e.DB, e.Dialect, sqlstore.WithTablePrefix(FreshPrefix("never"))); err == nil && v != 0 {
		t.Errorf("SchemaVersion of a prefix never migrated = %d, want 0 or an error", v)
	}
}

// ReadGooseFile splits a file WriteMigrations wrote into its statements,
// as a host applying it by hand (or goose) would.
func ReadGooseFile(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.HasPrefix(text, "-- +goose Up\n") {
		t.Errorf("%s does not start with -- +goose Up", filepath.Base(path))
	}
	var stmts []string
	for _, block := range strings.Split(text, "-- +goose StatementBegin\n")[1:] {
		stmt, _, ok := strings.Cut(block, "-- +goose StatementEnd\n")
		if !ok {
			t.Fatalf("%s: a StatementBegin without StatementEnd", filepath.Base(path))
		}
		stmt = strings.TrimSpace(stmt)
		if !strings.HasSuffix(stmt, ";") {
			t.Errorf("%s: statement does not end in ';': %s", filepath.Base(path), stmt)
		}
		stmts = append(stmts, stmt)
	}
	return stmts
}

func writeMigrations(t *testing.T, e Engine) {
	want := reference(t, e)
	p := FreshPrefix("hand")
	dir := t.TempDir()
	if err := sqlstore.WriteMigrations(dir, e.Dialect, sqlstore.WithTablePrefix(p)); err != nil {
		t.Fatalf("WriteMigrations: %v", err)
	}
	ms, err := sqlstore.Migrations(e.Dialect, sqlstore.WithTablePrefix(p))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	var wantNames []string
	for _, m := range ms {
		wantNames = append(wantNames, strings.TrimSuffix(m.Name, ".sql")+".up.sql")
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("files %v, want %v", names, wantNames)
	}
	// Apply them by hand, statement by statement, in order.
	for i, name := range names {
		stmts := ReadGooseFile(t, filepath.Join(dir, name))
		if len(stmts) != len(ms[i].Statements) {
			t.Errorf("%s has %d statements, the migration %d", name, len(stmts), len(ms[i].Statements))
		}
		for _, stmt := range stmts {
			if strings.Contains(stmt, "{{prefix}}") {
				t.Fatalf("%s: the prefix placeholder was not replaced: %s", name, stmt)
			}
			if _, err := e.DB.Exec(stmt); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, stmt)
			}
		}
	}
	checkSchema(t, e, p, want)
	Smoke(t, newStoreAt(t, e.DB, e.Dialect, p))
}

func prefixIsolation(t *testing.T, e Engine) {
	ctx := context.Background()
	pa, pb := FreshPrefix("shopa"), FreshPrefix("shopb")
	migrate(t, e.DB, e.Dialect, pa)
	migrate(t, e.DB, e.Dialect, pb)
	a, b := newStoreAt(t, e.DB, e.Dialect, pa), newStoreAt(t, e.DB, e.Dialect, pb)
	ids := Smoke(t, a)

	if _, err := b.Customers().Get(ctx, ids.Customer); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("store b: Get of store a's customer: %v, want ErrNotFound", err)
	}
	if _, err := b.Customers().GetByEmail(ctx, "smoke@example.com", true); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("store b: GetByEmail of store a's customer: %v, want ErrNotFound", err)
	}
	if page, err := b.Customers().List(ctx, storage.CustomerFilter{}, storage.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Errorf("store b: List = %d customers, %v; want none", len(page.Items), err)
	}
	if _, err := b.Groups().Get(ctx, ids.Group); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("store b: Get of store a's group: %v, want ErrNotFound", err)
	}
	if _, err := b.Orders().Get(ctx, ids.Order); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("store b: Get of store a's order: %v, want ErrNotFound", err)
	}
	if accts, err := b.Balances().Accounts(ctx, ids.Customer); err != nil || len(accts) != 0 {
		t.Errorf("store b: Accounts of store a's customer = %v, %v; want none", accts, err)
	}
	// Each prefix has its own unique indexes: the same email (and the same
	// group name) are free in b, and writing there leaves a as it was.
	idsB := Smoke(t, b)
	if idsB.Customer == ids.Customer {
		t.Fatal("Smoke returned the same customer ID twice")
	}
	if _, err := a.Customers().Get(ctx, idsB.Customer); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("store a: Get of store b's customer: %v, want ErrNotFound", err)
	}
	if page, err := a.Customers().List(ctx, storage.CustomerFilter{}, storage.PageRequest{}); err != nil || len(page.Items) != 1 {
		t.Errorf("store a: List = %d customers, %v; want its own one", len(page.Items), err)
	}
	// And in the database, the tables are distinct.
	for _, p := range []string{pa, pb} {
		var n int
		if err := e.DB.QueryRow(sqlstore.Render(`SELECT COUNT(*) FROM {{prefix}}customers`, p, e.Dialect)).Scan(&n); err != nil || n != 1 {
			t.Errorf("%scustomers holds %d rows, %v; want 1", p, n, err)
		}
	}
}

func invalidPrefix(t *testing.T, e Engine) {
	ctx := context.Background()
	for _, p := range []string{
		"shop-1_", "shop 1", "x; DROP TABLE customers; --", "café_", `a"b`, "a`b", "a'b", "a.b",
		"{{prefix}}", "1shop_", "9_", "Shop_", "shopA_", strings.Repeat("p", LongestPrefix()+1), strings.Repeat("p", 64),
	} {
		opt := sqlstore.WithTablePrefix(p)
		if _, err := sqlstore.New(e.DB, e.Dialect, opt); err == nil {
			t.Errorf("New accepted the prefix %q", p)
		}
		if err := sqlstore.Migrate(ctx, e.DB, e.Dialect, opt); err == nil {
			t.Errorf("Migrate accepted the prefix %q", p)
		}
		if _, err := sqlstore.SchemaVersion(ctx, e.DB, e.Dialect, opt); err == nil {
			t.Errorf("SchemaVersion accepted the prefix %q", p)
		}
		if _, err := sqlstore.Migrations(e.Dialect, opt); err == nil {
			t.Errorf("Migrations accepted the prefix %q", p)
		}
		dir := t.TempDir()
		if err := sqlstore.WriteMigrations(dir, e.Dialect, opt); err == nil {
			t.Errorf("WriteMigrations accepted the prefix %q", p)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("WriteMigrations wrote %d files for the prefix %q", len(entries), p)
		}
	}
	// The longest valid prefix works end to end, with every name intact
	// (PostgreSQL truncates long names silently).
	want := reference(t, e)
	p := "_" + FreshPrefix("long")
	p += strings.Repeat("x", LongestPrefix()-len(p))
	migrate(t, e.DB, e.Dialect, p)
	checkSchema(t, e, p, want)
	Smoke(t, newStoreAt(t, e.DB, e.Dialect, p))
}

// LongestPrefix returns the length of the longest table prefix that New
// accepts.
func LongestPrefix() int {
	n := 0
	for l := 1; l <= 256; l++ {
		if _, err := sqlstore.Migrations(nilDialect{}, sqlstore.WithTablePrefix(strings.Repeat("p", l))); err == nil {
			n = l
		}
	}
	return n
}

// nilDialect has no migrations: Migrations with it only checks the options.
type nilDialect struct{ sqlstore.Dialect }

func (nilDialect) Migrations() fs.FS { return fstest.MapFS{} }

// dropWhenDone drops prefix's tables when t ends, newest first so that no
// foreign key is left pointing at a dropped table. Dropping them one by one
// keeps each statement's lock set small: a DROP SCHEMA … CASCADE over
// every prefix of a conformance run exhausts PostgreSQL's lock table.
func dropWhenDone(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) {
	t.Helper()
	tables, err := sqlscratch.Tables(d, prefix)
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	t.Cleanup(func() {
		if err := dropTables(db, append([]string{prefix + "schema_migrations"}, tables...)); err != nil {
			t.Error(err)
		}
	})
}

// dropTables drops tables, newest first, within 30 seconds.
func dropTables(db *sql.DB, tables []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sqlscratch.Drop(ctx, db, tables)
}
