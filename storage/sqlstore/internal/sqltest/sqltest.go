package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/internal/sqlscratch"
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
//
// Migrating a prefix costs a second or more of DDL on a server, and the
// suite has hundreds of cases: the stores come from a pool of migrated
// prefixes that each case's cleanup empties and hands back, so a run
// migrates about as many prefixes as cases run at once.
func Conformance(t *testing.T, db *sql.DB, d sqlstore.Dialect, opts ...sqlstore.Option) {
	p := &prefixPool{db: db, d: d, opts: opts}
	t.Cleanup(p.drop)
	storagetest.Run(t, p.newStore, storagetest.ConcurrentWriters())
}

// prefixPool hands out migrated table prefixes and takes them back empty.
type prefixPool struct {
	db   *sql.DB
	d    sqlstore.Dialect
	opts []sqlstore.Option

	mu   sync.Mutex
	free []string
	all  []string
}

func (p *prefixPool) newStore(t *testing.T) storage.Store {
	t.Helper()
	prefix, err := p.get()
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]sqlstore.Option{sqlstore.WithTablePrefix(prefix)}, p.opts...)
	s, err := sqlstore.New(p.db, p.d, opts...)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if err := p.put(prefix); err != nil {
			t.Errorf("empty %s: %v", prefix, err)
		}
	})
	return s
}

// get returns an empty, migrated prefix.
func (p *prefixPool) get() (string, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		prefix := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return prefix, nil
	}
	prefix := fmt.Sprintf("t%d_", prefixes.Add(1))
	p.all = append(p.all, prefix)
	p.mu.Unlock()
	opts := append([]sqlstore.Option{sqlstore.WithTablePrefix(prefix)}, p.opts...)
	if err := sqlstore.Migrate(context.Background(), p.db, p.d, opts...); err != nil {
		return "", fmt.Errorf("migrate %s: %w", prefix, err)
	}
	return prefix, nil
}

// put empties prefix's tables and returns it to the pool; a prefix that
// cannot be emptied is left out (and dropped with the rest at the end).
func (p *prefixPool) put(prefix string) error {
	if err := emptyTables(p.db, p.d, prefix); err != nil {
		return err
	}
	p.mu.Lock()
	p.free = append(p.free, prefix)
	p.mu.Unlock()
	return nil
}

// drop drops every prefix the pool migrated.
func (p *prefixPool) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, prefix := range p.all {
		tables, err := sqlscratch.Tables(p.d, prefix)
		if err == nil {
			err = dropTables(p.db, append([]string{prefix + "schema_migrations"}, tables...))
		}
		if err != nil {
			fmt.Printf("sqltest: dropping %s: %v\n", prefix, err)
		}
	}
}

// emptyTables brings prefix's tables back to a fresh migration's rows
// (sqlscratch.Empty) within 30 seconds.
func emptyTables(db *sql.DB, d sqlstore.Dialect, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sqlscratch.Empty(ctx, db, d, prefix)
}

// registered returns a new registered customer with email, created at now,
// for tests that write through the repositories directly.
func registered(t testing.TB, email string, now time.Time) customer.Customer {
	t.Helper()
	c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: email}, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
