package clientele_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	driver "github.com/go-sql-driver/mysql"

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
// CLIENTELE_TIDB_DSN are set, in a schema or database of its own that is
// dropped when the subtest ends.
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
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "clientele.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return migrated(t, db, sqlite.Dialect)
	}},
	{"postgres", func(t testing.TB) storage.Store {
		dsn := os.Getenv("CLIENTELE_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("CLIENTELE_POSTGRES_DSN is not set")
		}
		schema := freshName()
		db := scratch(t, dsn, postgres.Open, "CREATE SCHEMA "+schema, "DROP SCHEMA "+schema+" CASCADE", func() string {
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		})
		return migrated(t, db, postgres.Dialect)
	}},
	{"mysql", func(t testing.TB) storage.Store {
		dsn := os.Getenv("CLIENTELE_MYSQL_DSN")
		if dsn == "" {
			t.Skip("CLIENTELE_MYSQL_DSN is not set")
		}
		name := freshName()
		db := scratch(t, dsn, mysql.Open, "CREATE DATABASE "+name, "DROP DATABASE "+name, func() string {
			cfg, err := driver.ParseDSN(dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.DBName = name
			return cfg.FormatDSN()
		})
		return migrated(t, db, mysql.Dialect)
	}},
	{"tidb", func(t testing.TB) storage.Store {
		dsn := os.Getenv("CLIENTELE_TIDB_DSN")
		if dsn == "" {
			t.Skip("CLIENTELE_TIDB_DSN is not set (scripts/tidb.sh start runs a server)")
		}
		name := freshName()
		db := scratch(t, dsn, tidb.Open, "CREATE DATABASE "+name, "DROP DATABASE "+name, func() string {
			cfg, err := driver.ParseDSN(dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.DBName = name
			return cfg.FormatDSN()
		})
		return migrated(t, db, tidb.Dialect)
	}},
}

func freshName() string { return "clientele_root_" + strings.ToLower(rand.Text()[:10]) }

// scratch creates a schema or database with create on the server at dsn,
// opens a handle on it (at the DSN scoped returns), and drops it with drop
// when the test ends.
func scratch(t testing.TB, dsn string, open func(string) (*sql.DB, error), create, drop string, scoped func() string) *sql.DB {
	t.Helper()
	admin, err := open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec(create); err != nil {
		t.Fatalf("%s: %v", create, err)
	}
	db, err := open(scoped())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(maxTestConns)
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), drop); err != nil {
			t.Errorf("%s: %v", drop, err)
		}
	})
	return db
}

// migrated migrates db and returns a store on it.
func migrated(t testing.TB, db *sql.DB, d sqlstore.Dialect) storage.Store {
	t.Helper()
	if err := sqlstore.Migrate(context.Background(), db, d); err != nil {
		t.Fatalf("migrate: %v", err)
	}
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
