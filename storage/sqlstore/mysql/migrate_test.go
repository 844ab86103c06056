package mysql_test

import (
	"database/sql"
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
		Schema: sqltest.MySQLSchema,
	}
}

func TestMigrations(t *testing.T) { sqltest.Migrations(t, engine(t)) }

func TestBind(t *testing.T) { sqltest.Bind(t, engine(t)) }
