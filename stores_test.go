package clientele_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/internal/sqlscratch"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

// maxTestConns bounds each SQL store's pool in the root tests, so that the
// suite runs beside other clients of a shared server.
const maxTestConns = 8

// eachStore runs fn in a subtest per engine, on a fresh, migrated store:
// memory; SQLite in a file of its own; and PostgreSQL, MySQL/MariaDB and
// TiDB when CLIENTELE_POSTGRES_DSN, CLIENTELE_MYSQL_DSN and
// CLIENTELE_TIDB_DSN are set, in a schema or database of its own for the
// subtest's time (migrated once, emptied for the next subtest).
func eachStore(t *testing.T, fn func(t *testing.T, s storage.Store)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t)) })
	}
}

// eachStoreB is eachStore for benchmarks.
func eachStoreB(b *testing.B, fn func(b *testing.B, s storage.Store)) {
	b.Helper()
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) { fn(b, e.open(b)) })
	}
}

// engines open a fresh store of each engine for a test or benchmark, or
// skip it when the engine's DSN is unset.
var engines = []struct {
	name string
	open func(tb testing.TB) storage.Store
}{
	{"memory", func(testing.TB) storage.Store { return memory.New() }},
	{"sqlite", func(t testing.TB) storage.Store {
		path := filepath.Join(t.TempDir(), "clientele.db")
		if err := sqliteTemplate.copyTo(path); err != nil {
			t.Fatal(err)
		}
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return newStore(t, db, sqlite.Dialect)
	}},
	{"postgres", postgresScratch.open},
	{"mysql", mysqlScratch.open},
	{"tidb", tidbScratch.open},
}

// Scratch schemas (PostgreSQL) and databases (MariaDB, TiDB) are migrated
// once and emptied after each test for the next one: migrating one per
// test was most of this package's time (seconds of DDL each on MariaDB,
// far more on TiDB). SQLite copies one migrated file.
var (
	postgresScratch = &scratchPool{
		env: "CLIENTELE_POSTGRES_DSN", dialect: postgres.Dialect, connect: postgres.Open,
		create: "CREATE SCHEMA %s", drop: "DROP SCHEMA %s CASCADE",
		scoped: func(dsn, name string) (string, error) {
			u, err := url.Parse(dsn)
			if err != nil {
				return "", err
			}
			q := u.Query()
			q.Set("search_path", name)
			u.RawQuery = q.Encode()
			return u.String(), nil
		},
	}
	mysqlScratch = &scratchPool{
		env: "CLIENTELE_MYSQL_DSN", dialect: mysql.Dialect, connect: mysql.Open,
		create: "CREATE DATABASE %s", drop: "DROP DATABASE %s", scoped: mysqlDatabase,
	}
	tidbScratch = &scratchPool{
		env: "CLIENTELE_TIDB_DSN", dialect: tidb.Dialect, connect: tidb.Open,
		create: "CREATE DATABASE %s", drop: "DROP DATABASE %s", scoped: mysqlDatabase,
		skip: " (scripts/tidb.sh start runs a server)",
	}
	sqliteTemplate = &fileTemplate{}
)

func mysqlDatabase(dsn, name string) (string, error) {
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg.DBName = name
	return cfg.FormatDSN(), nil
}

// scratchPool hands out migrated, empty schemas or databases on the server
// of one engine and takes them back, emptied, when the test ends; one that
// cannot be emptied is dropped. TestMain drops them all.
type scratchPool struct {
	env, skip    string
	dialect      sqlstore.Dialect
	connect      func(dsn string) (*sql.DB, error)
	create, drop string // statements, with the name for %s
	scoped       func(dsn, name string) (string, error)

	mu   sync.Mutex
	free []string
	all  []string
	dsn  string
}

func (p *scratchPool) open(t testing.TB) storage.Store {
	t.Helper()
	dsn := os.Getenv(p.env)
	if dsn == "" {
		t.Skip(p.env + " is not set" + p.skip)
	}
	name, err := p.take(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := p.handle(dsn, name)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(maxTestConns)
	t.Cleanup(func() {
		db.Close()
		if err := p.give(dsn, name); err != nil {
			t.Errorf("scratch %s: %v", name, err)
		}
	})
	return newStore(t, db, p.dialect)
}

func (p *scratchPool) handle(dsn, name string) (*sql.DB, error) {
	scoped, err := p.scoped(dsn, name)
	if err != nil {
		return nil, err
	}
	return p.connect(scoped)
}

// take returns an empty, migrated schema: a free one, or a new one.
func (p *scratchPool) take(dsn string) (string, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		name := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return name, nil
	}
	name := freshName()
	p.all, p.dsn = append(p.all, name), dsn
	p.mu.Unlock()
	if err := p.exec(dsn, fmt.Sprintf(p.create, name)); err != nil {
		return "", err
	}
	db, err := p.handle(dsn, name)
	if err != nil {
		return "", err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := sqlstore.Migrate(context.Background(), db, p.dialect); err != nil {
		return "", fmt.Errorf("migrate %s: %w", name, err)
	}
	return name, nil
}

// give empties name's tables and keeps it for the next test, or drops it.
func (p *scratchPool) give(dsn, name string) error {
	err := p.empty(dsn, name)
	if err != nil {
		return p.dropOne(dsn, name)
	}
	p.mu.Lock()
	p.free = append(p.free, name)
	p.mu.Unlock()
	return nil
}

func (p *scratchPool) empty(dsn, name string) error {
	db, err := p.handle(dsn, name)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sqlscratch.Empty(ctx, db, p.dialect, "")
}

func (p *scratchPool) dropOne(dsn, name string) error {
	p.mu.Lock()
	p.all = slices.DeleteFunc(p.all, func(n string) bool { return n == name })
	p.mu.Unlock()
	return p.exec(dsn, fmt.Sprintf(p.drop, name))
}

// dropAll drops every schema the pool made.
func (p *scratchPool) dropAll() {
	p.mu.Lock()
	all, dsn := p.all, p.dsn
	p.all, p.free = nil, nil
	p.mu.Unlock()
	for _, name := range all {
		if err := p.exec(dsn, fmt.Sprintf(p.drop, name)); err != nil {
			fmt.Fprintf(os.Stderr, "drop %s: %v\n", name, err)
		}
	}
}

func (p *scratchPool) exec(dsn, stmt string) error {
	admin, err := p.connect(dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// fileTemplate is a SQLite file migrated once per test binary, with its
// WAL folded in, that each test copies.
type fileTemplate struct {
	once sync.Once
	dir  string
	data []byte
	err  error
}

func (f *fileTemplate) copyTo(path string) error {
	f.once.Do(func() {
		if f.dir, f.err = os.MkdirTemp("", "clientele-root-sqlite-"); f.err != nil {
			return
		}
		src := filepath.Join(f.dir, "template.db")
		db, err := sqlite.Open(src)
		if err != nil {
			f.err = err
			return
		}
		f.err = sqlstore.Migrate(context.Background(), db, sqlite.Dialect)
		if f.err == nil {
			_, f.err = db.Exec(`PRAGMA journal_mode=DELETE`)
		}
		if err := db.Close(); f.err == nil {
			f.err = err
		}
		if f.err == nil {
			f.data, f.err = os.ReadFile(src)
		}
	})
	if f.err != nil {
		return fmt.Errorf("migrate the SQLite template: %w", f.err)
	}
	return os.WriteFile(path, f.data, 0o600)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range []*scratchPool{postgresScratch, mysqlScratch, tidbScratch} {
		p.dropAll()
	}
	if sqliteTemplate.dir != "" {
		os.RemoveAll(sqliteTemplate.dir)
	}
	os.Exit(code)
}

func freshName() string { return "clientele_root_" + strings.ToLower(rand.Text()[:10]) }

// newStore returns a store on db, which holds a migrated schema.
func newStore(t testing.TB, db *sql.DB, d sqlstore.Dialect) storage.Store {
	t.Helper()
	s, err := sqlstore.New(db, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	storeDBs.Store(storage.Store(s), db)
	t.Cleanup(func() { storeDBs.Delete(storage.Store(s)) })
	return s
}

// storeDBs maps each SQL store eachStore made to its *sql.DB, for tests
// that read the tables themselves (dumpStore).
var storeDBs sync.Map
