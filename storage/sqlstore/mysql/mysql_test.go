package mysql_test

import (
	"database/sql"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// testPool bounds each test handle's connections, so that the whole suite
// (go test runs the packages, and the conformance cases, in parallel)
// stays far below a shared server's limit (PostgreSQL's default is 100),
// beside other clients: enough for the Concurrency cases to race, few
// enough that test handles never crowd the server.
const testPool = 8

// server is the MySQL/MariaDB server of CLIENTELE_MYSQL_DSN.
var server = sqltest.MySQLProtocol{
	Env:     "CLIENTELE_MYSQL_DSN",
	Example: "root@tcp(127.0.0.1:3306)/test",
	Open:    mysql.Open,
	Pool:    testPool,
}

// openFresh connects to CLIENTELE_MYSQL_DSN, creates a database of its own
// for this test run (dropped afterwards) and returns a handle on it.
func openFresh(t testing.TB) *sql.DB {
	t.Helper()
	db, _ := server.Fresh(t)
	return db
}

// openFreshDSN is openFresh that also returns the DSN of the handle, to open
// more handles on the same database.
func openFreshDSN(t testing.TB) (*sql.DB, string) {
	t.Helper()
	return server.Fresh(t)
}

// TestConformance runs the suite at REPEATABLE READ, InnoDB's default,
// which the test checks rather than assumes (a server may set another).
func TestConformance(t *testing.T) {
	db := openFresh(t)
	var iso string
	// MySQL 8 and MariaDB 11.1+ name it transaction_isolation; MariaDB
	// 10.x only tx_isolation.
	if err := db.QueryRow(`SELECT @@SESSION.transaction_isolation`).Scan(&iso); err != nil {
		if err := db.QueryRow(`SELECT @@SESSION.tx_isolation`).Scan(&iso); err != nil {
			t.Fatalf("read the isolation level: %v", err)
		}
	}
	if iso != "REPEATABLE-READ" {
		t.Fatalf("the server's default isolation is %s; the suite is meant to run at REPEATABLE-READ", iso)
	}
	t.Run("repeatable_read", func(t *testing.T) { sqltest.Conformance(t, db, mysql.Dialect) })
}

func TestServiceRaces(t *testing.T) { sqltest.ServiceRaces(t, openFresh(t), mysql.Dialect) }

func TestOutbox(t *testing.T) { sqltest.Outbox(t, engine(t)) }

func TestListAllocations(t *testing.T) {
	sqltest.ListAllocations(t, sqltest.Engine{Dialect: mysql.Dialect, DB: openFresh(t), Analyze: `ANALYZE TABLE {{table}}`})
}
