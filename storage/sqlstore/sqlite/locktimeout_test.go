package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	dialect "github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// A write inside Atomic made with another ctx than the function's runs on
// another connection and waits for the write lock its own transaction
// holds. SQLite reports SQLITE_BUSY after its busy timeout; the store
// retries that only until its lock timeout has passed, and then fails with
// ErrLockTimeout (without it, 30 retries of a 10 s busy wait took minutes).
func TestOuterCtxInsideAtomicTimesOut(t *testing.T) {
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "clientele.db"), "50"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	s := sqltest.NewStore(t, db, dialect.Dialect, sqlstore.WithLockTimeout(100*time.Millisecond))
	outer := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(email string) customer.Customer {
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: email}, now)
		require.NoError(t, err)
		return c
	}
	stray, inside := mk("stray@example.com"), mk("inside@example.com")
	err = s.Atomic(outer, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, inside); err != nil {
			return err
		}
		_, err := s.Customers().Create(outer, stray) // the wrong ctx
		require.ErrorIs(t, err, storage.ErrLockTimeout, "a write with the outer ctx")
		err = s.Atomic(outer, func(ctx context.Context, tx storage.Tx) error {
			_, err := tx.Customers().Create(ctx, stray)
			return err
		})
		require.ErrorIs(t, err, storage.ErrLockTimeout, "an Atomic with the outer ctx")
		return nil
	})
	require.NoError(t, err)
	_, err = s.Customers().Get(outer, stray.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Customers().Get(outer, inside.ID)
	require.NoError(t, err, "the transaction committed")
}
