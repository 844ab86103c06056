package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
	"github.com/clientele-go/clientele/storage/storagetest"
)

// openTemp opens a fresh database file that the test removes afterwards.
func openTemp(t testing.TB) *sql.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "clientele.db"))
}

// openAt opens the database file at path, closing it when the test ends.
func openAt(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance waits up to a minute for the database's write lock
// (sqlite.Open's busy timeout is 10 s): SQLite's busy handler polls, so
// among the 64 writers of the Concurrency cases one can lose the lock for
// longer than that when the race detector makes every transaction twenty
// times slower on a loaded machine (seen once in CI, as
// storage.ErrLockTimeout). The cases test what the writers see, not how
// long they wait.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		path := filepath.Join(t.TempDir(), "clientele.db")
		if err := copyFile(path, migratedTemplate(t)); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", dsn(path, "60000"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := sqlstore.New(db, sqlite.Dialect, sqlstore.WithTablePrefix(templatePrefix), sqlstore.WithLockTimeout(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// The conformance cases each get a copy of one database file migrated
// once: migrating a file per case (about 200 of them) took most of the
// suite's time.
var template struct {
	once sync.Once
	dir  string
	path string
	err  error
}

const templatePrefix = "t_"

// migratedTemplate returns the path of a database file that Migrate has
// brought to the latest version, with the WAL folded into it, made once
// per test binary (TestMain removes it).
func migratedTemplate(t testing.TB) string {
	t.Helper()
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "clientele-sqlite-template-")
		if template.err != nil {
			return
		}
		template.path = filepath.Join(template.dir, "template.db")
		db, err := sqlite.Open(template.path)
		if err != nil {
			template.err = err
			return
		}
		defer db.Close()
		template.err = sqlstore.Migrate(context.Background(), db, sqlite.Dialect, sqlstore.WithTablePrefix(templatePrefix))
		if template.err == nil { // one self-contained file to copy
			_, template.err = db.Exec(`PRAGMA journal_mode=DELETE`)
		}
	})
	if template.err != nil {
		t.Fatalf("migrate the template database: %v", template.err)
	}
	return template.path
}

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func TestServiceRaces(t *testing.T) { sqltest.ServiceRaces(t, openTemp(t), sqlite.Dialect) }

func TestOutbox(t *testing.T) { sqltest.Outbox(t, engine(t)) }

func TestListAllocations(t *testing.T) {
	sqltest.ListAllocations(t, sqltest.Engine{Dialect: sqlite.Dialect, DB: openTemp(t)})
}
