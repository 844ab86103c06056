package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
)

// engine is a database a test runs the command on: a fresh SQLite file, or
// a scratch schema (PostgreSQL) or database (MySQL, TiDB) on the server
// whose DSN is in CLIENTELE_POSTGRES_DSN, CLIENTELE_MYSQL_DSN or
// CLIENTELE_TIDB_DSN, dropped when the test ends.
type engine struct {
	driver, dsn string
}

// env returns the environment that points the command at the engine.
func (e engine) env() map[string]string {
	return map[string]string{"CLIENTELE_DRIVER": e.driver, "CLIENTELE_DSN": e.dsn}
}

// service opens a library Service on the engine's (migrated) database, for
// a test to write or check data with.
func (e engine) service(t *testing.T) *clientele.Service {
	t.Helper()
	f := dbFlags{driver: e.driver, dsn: e.dsn}
	svc, closeDB, err := f.openService(context.Background())
	require.NoError(t, err)
	t.Cleanup(closeDB)
	return svc
}

// engines returns SQLite and each server engine whose DSN is set.
func engines(t *testing.T) []engine {
	out := []engine{{driver: "sqlite", dsn: filepath.Join(t.TempDir(), "clientele.db")}}
	if dsn := os.Getenv("CLIENTELE_POSTGRES_DSN"); dsn != "" {
		out = append(out, postgresScratch(t, dsn))
	}
	for _, e := range []struct{ env, driver string }{{"CLIENTELE_MYSQL_DSN", "mysql"}, {"CLIENTELE_TIDB_DSN", "tidb"}} {
		if dsn := os.Getenv(e.env); dsn != "" {
			out = append(out, mysqlScratch(t, e.driver, dsn))
		}
	}
	return out
}

// forEachEngine runs fn as a subtest on each engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, e := range engines(t) {
		t.Run(e.driver, func(t *testing.T) { fn(t, e) })
	}
}

func scratchName() string { return "clientele_cli_" + strings.ToLower(rand.Text()[:10]) }

func postgresScratch(t *testing.T, dsn string) engine {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	admin.SetMaxOpenConns(1)
	name := scratchName()
	_, err = admin.Exec("CREATE SCHEMA " + name)
	require.NoError(t, err)
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + name + " CASCADE") //nolint:errcheck // best effort
		admin.Close()
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err, "CLIENTELE_POSTGRES_DSN must be a URL")
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return engine{driver: "postgres", dsn: u.String()}
}

func mysqlScratch(t *testing.T, drv, dsn string) engine {
	t.Helper()
	cfg, err := driver.ParseDSN(dsn)
	require.NoError(t, err)
	admin, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	admin.SetMaxOpenConns(1)
	name := scratchName()
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE " + name) //nolint:errcheck // best effort
		admin.Close()
	})
	cfg.DBName = name
	return engine{driver: drv, dsn: cfg.FormatDSN()}
}

// migrated returns the engines after "clientele migrate".
func migrated(t *testing.T, e engine) engine {
	t.Helper()
	r := run(t, e.env(), "", "migrate")
	require.Equal(t, ExitOK, r.code, r.stderr)
	return e
}
