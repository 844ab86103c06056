package mysql_test

import (
	"database/sql"
	"sort"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// engine returns a fresh database and a way to open more handles on it
// (other "processes").
func engine(t *testing.T) sqltest.Engine {
	db, dsn := openFreshDSN(t)
	return sqltest.Engine{
		Dialect: mysql.Dialect,
		DB:      db,
		Open: func(t testing.TB) *sql.DB {
			other, err := mysql.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			other.SetMaxOpenConns(testPool)
			t.Cleanup(func() { other.Close() })
			return other
		},
		Schema: schema,
	}
}

// schema describes the tables under prefix by their SHOW CREATE TABLE, one
// line per column, key and constraint.
func schema(t testing.TB, db *sql.DB, prefix string) []string {
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

func TestMigrations(t *testing.T) { sqltest.Migrations(t, engine(t)) }

func TestBind(t *testing.T) { sqltest.Bind(t, engine(t)) }
