package mysql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// testPool bounds each test handle's connections, so that the whole suite
// (go test runs the packages, and the conformance cases, in parallel)
// stays far below a shared server's limit (PostgreSQL's default is 100),
// beside other clients: enough for the Concurrency cases to race, few
// enough that test handles never crowd the server.
const testPool = 8

// openFresh connects to CLIENTELE_MYSQL_DSN, creates a database of its own
// for this test run (dropped afterwards) and returns a handle on it.
func openFresh(t testing.TB) *sql.DB {
	t.Helper()
	db, _ := openFreshDSN(t)
	return db
}

// openFreshDSN is openFresh that also returns the DSN of the handle, to open
// more handles on the same database.
func openFreshDSN(t testing.TB) (*sql.DB, string) {
	t.Helper()
	dsn := os.Getenv("CLIENTELE_MYSQL_DSN")
	if dsn == "" {
		t.Skip("CLIENTELE_MYSQL_DSN is not set: skipping the MySQL/MariaDB tests (.ci/run sets it, e.g. root@tcp(127.0.0.1:3306)/test)")
	}
	admin, err := mysql.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	admin.SetMaxIdleConns(0) // no connection held between creating and dropping
	t.Cleanup(func() { admin.Close() })
	name := "clientele_test_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	db, err := mysql.Open(cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(testPool)
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return db, cfg.FormatDSN()
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
