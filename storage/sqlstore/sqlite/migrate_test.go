package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// engine returns a fresh database file and a way to open more handles on
// it (other "processes").
func engine(t *testing.T) sqltest.Engine {
	path := filepath.Join(t.TempDir(), "clientele.db")
	return sqltest.Engine{
		Dialect: sqlite.Dialect,
		DB:      openAt(t, path),
		Open:    func(t testing.TB) *sql.DB { return openAt(t, path) },
		Schema:  schema,
	}
}

// schema describes the tables and indexes under prefix from sqlite_master:
// their names and CREATE statements.
func schema(t testing.TB, db *sql.DB, prefix string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, table, stmt string
		if err := rows.Scan(&typ, &name, &table, &stmt); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(table, prefix) || table == prefix+"schema_migrations" {
			continue
		}
		generic := func(s string) string { return strings.ReplaceAll(s, prefix, "{{prefix}}") }
		out = append(out, typ+" "+generic(name))
		if stmt != "" {
			out = append(out, generic(name)+": "+generic(stmt))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestMigrations(t *testing.T) { sqltest.Migrations(t, engine(t)) }

func TestBind(t *testing.T) { sqltest.Bind(t, engine(t)) }
