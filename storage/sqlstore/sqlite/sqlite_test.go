package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/clientele-go/clientele/storage"
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

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return sqltest.NewStore(t, openTemp(t), sqlite.Dialect)
	})
}

func TestServiceRaces(t *testing.T) { sqltest.ServiceRaces(t, openTemp(t), sqlite.Dialect) }
