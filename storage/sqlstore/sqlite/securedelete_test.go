package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// TestOpenOverwritesDeletedRows checks that a deleted or rewritten value
// leaves no trace in the database file once the WAL is checkpointed
// (secure_delete), as an erasure requires.
func TestOpenOverwritesDeletedRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "erase.db")
	db, err := sqlite.Open(path)
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)

	const gone, rewritten = "ada.erased@example.com", "Lovelace-Before-Erasure"
	_, err = db.ExecContext(ctx, `CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, name TEXT)`)
	require.NoError(t, err)
	for i := range 50 {
		_, err = db.ExecContext(ctx, `INSERT INTO people (email, name) VALUES (?, ?)`,
			strings.Repeat("x", i)+"@example.com", "Someone Else")
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO people (id, email, name) VALUES (1000, ?, ?)`, gone, rewritten)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	require.NoError(t, err)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(raw), gone, "the value reached the file before it was erased")

	_, err = db.ExecContext(ctx, `UPDATE people SET name = 'erased' WHERE id = 1000`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `DELETE FROM people WHERE id = 1000`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	require.NoError(t, err)

	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.NotContains(t, string(raw), gone, f)
		require.NotContains(t, string(raw), rewritten, f)
	}
}
