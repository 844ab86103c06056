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
	db.SetMaxOpenConns(40)
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return db, cfg.FormatDSN()
}

func TestConformance(t *testing.T) {
	sqltest.Conformance(t, openFresh(t), mysql.Dialect)
}
