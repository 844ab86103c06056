package postgres_test

import (
	"database/sql"
	"sort"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// engine returns a fresh schema and a way to open more handles on it (other
// "processes").
func engine(t *testing.T) sqltest.Engine { return engineWith(t, nil) }

// engineWith is engine with runtime parameters (such as
// default_transaction_isolation) set on every connection.
func engineWith(t *testing.T, params map[string]string) sqltest.Engine {
	db, dsn := openFreshDSN(t, params)
	return sqltest.Engine{
		Dialect: postgres.Dialect,
		DB:      db,
		Open: func(t testing.TB) *sql.DB {
			other, err := postgres.Open(dsn)
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

// schemaQueries read the catalog of the current schema: tables, columns,
// indexes and constraints, each row's first column the table it belongs to.
var schemaQueries = []string{
	`SELECT table_name, 'table' FROM information_schema.tables WHERE table_schema = current_schema()`,
	`SELECT table_name, 'column ' || ordinal_position || ' ' || column_name || ' ' || data_type || ' null=' || is_nullable ||
		' default=' || COALESCE(column_default, '') || ' collation=' || COALESCE(collation_name, '')
		FROM information_schema.columns WHERE table_schema = current_schema()`,
	`SELECT tablename, 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
	`SELECT conrelid::regclass::text, 'constraint ' || conname || ': ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`,
}

// schema describes the tables under prefix from the catalog.
func schema(t testing.TB, db *sql.DB, prefix string) []string {
	t.Helper()
	var out []string
	for _, q := range schemaQueries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		for rows.Next() {
			var table, what string
			if err := rows.Scan(&table, &what); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(table, prefix) || table == prefix+"schema_migrations" {
				continue
			}
			table = strings.ReplaceAll(table, prefix, "{{prefix}}")
			what = strings.ReplaceAll(what, prefix, "{{prefix}}")
			if what == "table" {
				out = append(out, "table "+table)
			} else {
				out = append(out, table+": "+what)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	sort.Strings(out)
	return out
}

func TestMigrations(t *testing.T) { sqltest.Migrations(t, engine(t)) }

func TestBind(t *testing.T) { sqltest.Bind(t, engine(t)) }
