package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"sort"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"
)

// MySQLProtocol opens scratch databases on a server that speaks MySQL's
// protocol (MySQL, MariaDB, TiDB) whose DSN is in the environment variable
// Env.
type MySQLProtocol struct {
	// Env names the variable holding the server's DSN
	// (CLIENTELE_MYSQL_DSN, CLIENTELE_TIDB_DSN).
	Env string
	// Example is a DSN to show in the message of a skipped test.
	Example string
	// Open opens a handle on a DSN (mysql.Open, tidb.Open).
	Open func(dsn string) (*sql.DB, error)
	// Pool bounds each test handle's connections.
	Pool int
}

// DSN returns the server's DSN, or skips t with a message saying which
// variable to set.
func (m MySQLProtocol) DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(m.Env)
	if dsn == "" {
		t.Skipf("%s is not set: skipping the tests on this engine (.ci/run sets it, e.g. %s)", m.Env, m.Example)
	}
	return dsn
}

// Fresh creates a database of its own for t on the server (dropped when t
// ends) and returns a handle on it, with at most Pool connections, and its
// DSN, to open more handles on the same database.
func (m MySQLProtocol) Fresh(t testing.TB) (*sql.DB, string) {
	t.Helper()
	dsn := m.DSN(t)
	admin, err := m.Open(dsn)
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
	db, err := m.Open(cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(m.Pool)
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return db, cfg.FormatDSN()
}

// MySQLSchema describes the tables under prefix (MySQL, MariaDB, TiDB) by their SHOW CREATE TABLE, one
// line per column, key and constraint.
func MySQLSchema(t testing.TB, db *sql.DB, prefix string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, prefix) && name != prefix+"schema_migrations" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	var out []string
	for _, table := range tables {
		var name, create string
		if err := db.QueryRow("SHOW CREATE TABLE `"+table+"`").Scan(&name, &create); err != nil {
			t.Fatal(err)
		}
		generic := strings.ReplaceAll(table, prefix, "{{prefix}}")
		out = append(out, "table "+generic)
		for _, line := range strings.Split(create, "\n") {
			line = strings.TrimSuffix(strings.TrimSpace(line), ",")
			out = append(out, generic+": "+strings.ReplaceAll(line, prefix, "{{prefix}}"))
		}
	}
	sort.Strings(out)
	return out
}
