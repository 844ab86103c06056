package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/storagetest"
)

var prefixes atomic.Int64

// NewStore migrates a fresh table prefix in db and returns a store on it.
func NewStore(t testing.TB, db *sql.DB, d sqlstore.Dialect, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	prefix := fmt.Sprintf("t%d_", prefixes.Add(1))
	opts = append([]sqlstore.Option{sqlstore.WithTablePrefix(prefix)}, opts...)
	dropWhenDone(t, db, d, prefix)
	if err := sqlstore.Migrate(context.Background(), db, d, opts...); err != nil {
		t.Fatalf("migrate %s: %v", prefix, err)
	}
	s, err := sqlstore.New(db, d, opts...)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Conformance runs storagetest.Run with a fresh prefix per store on db, for
// an engine whose writers do not wait for a transaction that only read
// (storagetest.ConcurrentWriters: PostgreSQL and MySQL, which call it;
// SQLite, whose transactions take the database's write lock, runs
// storagetest.Run itself).
func Conformance(t *testing.T, db *sql.DB, d sqlstore.Dialect, opts ...sqlstore.Option) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return NewStore(t, db, d, opts...) }, storagetest.ConcurrentWriters())
}
