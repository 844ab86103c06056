package mysql_test

import (
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// BenchmarkStore compares the adapter's hot operations with the same SQL
// written by hand on the same *sql.DB (see sqltest.Bench).
func BenchmarkStore(b *testing.B) {
	sqltest.Bench(b, sqltest.Engine{Dialect: mysql.Dialect, DB: openFresh(b), Analyze: `ANALYZE TABLE {{table}}`})
}

// BenchmarkListPage compares a page of Customers.List with the
// hand-written rows.Scan of its columns (see sqltest.BenchListPage).
func BenchmarkListPage(b *testing.B) {
	sqltest.BenchListPage(b, sqltest.Engine{Dialect: mysql.Dialect, DB: openFresh(b), Analyze: `ANALYZE TABLE {{table}}`})
}
