package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// TestStatementCacheIsBounded: lists build their SQL from their filters and
// page size, so a host can make any number of distinct texts. Past a bound
// they run unprepared instead of growing the store's cache (and the
// server's prepared statements) without end.
func TestStatementCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, sqlstore.Migrate(ctx, db, sqlite.Dialect))
	s, err := sqlstore.New(db, sqlite.Dialect)
	require.NoError(t, err)
	defer s.Close()
	var tags []string
	for n := 1; n <= 20; n++ { // 20 tag counts x 30 page sizes x 2: 1,200 texts
		tags = append(tags, fmt.Sprintf("tag-%d", n))
		for size := 1; size <= 30; size++ {
			f := storage.CustomerFilter{Tags: tags}
			_, err := s.Customers().List(ctx, f, storage.PageRequest{Limit: size})
			require.NoError(t, err, "page size %d", size)
			err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				f.Name = "x"
				_, err := tx.Customers().List(ctx, f, storage.PageRequest{Limit: size})
				return err
			})
			require.NoError(t, err, "page size %d in a transaction", size)
		}
	}
	prepared, pending := s.PreparedStatements()
	assert.LessOrEqual(t, prepared+pending, 256, "prepared statements")
	assert.LessOrEqual(t, len(s.RawQueries()), 256, "rendered queries")
}
