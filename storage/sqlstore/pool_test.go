package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// openPool opens a migrated SQLite store whose pool allows n connections.
func openPool(t *testing.T, n int) (*sql.DB, *sqlstore.Store) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "pool.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(n)
	if err := sqlstore.Migrate(context.Background(), db, sqlite.Dialect); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(db, sqlite.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return db, s
}

// TestTransactionsNeedOneConnection checks that a transaction (Atomic's or a
// host's bound one) runs its statements on its own connection only: with a
// pool of one connection, the first use of a statement used to wait forever
// for a second connection to prepare it on.
func TestTransactionsNeedOneConnection(t *testing.T) {
	db, s := openPool(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 3 { // cold, then (once prepared in the background) warm
		err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			_, err := tx.Customers().Get(ctx, uuid.New())
			return err
		})
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Atomic %d with a pool of one: %v, want ErrNotFound", i, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Bind(tx).Groups().Get(ctx, uuid.New())
		tx.Rollback() //nolint:errcheck // read only
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("bound Get %d with a pool of one: %v, want ErrNotFound", i, err)
		}
		waitPrepared(t, s)
	}
}

// TestConcurrentColdTransactions runs more transactions at once than the
// pool has connections, on statements not prepared yet: none may wait for a
// connection another one holds.
func TestConcurrentColdTransactions(t *testing.T) {
	_, s := openPool(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				_, err := tx.Customers().Get(ctx, uuid.New())
				if errors.Is(err, storage.ErrNotFound) {
					_, err = tx.Balances().GetAccount(ctx, uuid.New())
				}
				if errors.Is(err, storage.ErrNotFound) {
					return nil
				}
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestBindSharesStatements checks that bound stores use their store's
// prepared statements instead of preparing (and never closing) their own
// for every host transaction.
func TestBindSharesStatements(t *testing.T) {
	db, s := openPool(t, 0)
	ctx := context.Background()
	for range 50 {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		b := s.Bind(tx)
		if _, err := b.Customers().Get(ctx, uuid.New()); !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil { // a no-op
			t.Fatal(err)
		}
		tx.Rollback() //nolint:errcheck // read only
		waitPrepared(t, s)
	}
	if n, _ := s.PreparedStatements(); n != 2 {
		t.Errorf("%d statements prepared after 50 bound transactions running one query, want 2 (it and waitPrepared's)", n)
	}
}

// waitPrepared makes s prepare on the DB what its transactions noted: a
// call outside any transaction does, holding no connection while it
// prepares (the store runs nothing in the background).
func waitPrepared(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	if _, err := s.Merchants().Get(context.Background(), uuid.New()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	if _, pending := s.PreparedStatements(); pending != 0 {
		t.Fatalf("%d statements still to prepare after a call outside a transaction", pending)
	}
}
