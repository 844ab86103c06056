package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// TestOpenPathWithURICharacters: Open builds a "file:" URI, in which '#'
// and '?' end the path. A path with them (every t.TempDir() of a repeated
// subtest has a '#') must open that very file, not a shared prefix of it.
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%20d")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "x#1?.db")
	db, err := sqlite.Open(path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE t (x INTEGER)`)
	require.NoError(t, err)
	_, err = os.Stat(path)
	require.NoError(t, err, "the database file is at the path given")
	entries, err := os.ReadDir(filepath.Dir(dir))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "and nowhere else")
}

// TestStoreIsSafeToAbandon: a host (or a test) that closes its *sql.DB
// without closing the Store first leaves nothing behind: t.TempDir's
// cleanup, which fails the test when the directory cannot be removed,
// runs after db.Close.
func TestStoreIsSafeToAbandon(t *testing.T) {
	for range 20 {
		t.Run("run", func(t *testing.T) {
			db, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"))
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, db.Close()) })
			ctx := context.Background()
			require.NoError(t, sqlstore.Migrate(ctx, db, sqlite.Dialect))
			store, err := sqlstore.New(db, sqlite.Dialect)
			require.NoError(t, err)
			svc := clientele.New(store)
			c, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
			require.NoError(t, err, "each run has its own database")
			_, _, err = svc.Addresses.Add(ctx, c.ID, address.Address{Line1: "1 Main St", City: "Berlin", Country: "DE", FirstName: "Ada"})
			require.NoError(t, err)
		})
	}
}
