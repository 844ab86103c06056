package sqlite_test

import (
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// BenchmarkStore compares the adapter's hot operations with the same SQL
// written by hand on the same *sql.DB (see sqltest.Bench). SQLite keeps no
// planner statistics unless a host runs ANALYZE, so the benchmark runs
// without them.
func BenchmarkStore(b *testing.B) {
	sqltest.Bench(b, sqltest.Engine{Dialect: sqlite.Dialect, DB: openTemp(b)})
}

// BenchmarkListPage compares a page of Customers.List with the
// hand-written rows.Scan of its columns (see sqltest.BenchListPage).
func BenchmarkListPage(b *testing.B) {
	sqltest.BenchListPage(b, sqltest.Engine{Dialect: sqlite.Dialect, DB: openTemp(b)})
}
