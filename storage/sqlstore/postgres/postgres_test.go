package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// testPool bounds each test handle's connections, so that the whole suite
// (go test runs the packages, and the conformance cases, in parallel)
// stays far below a shared server's limit (PostgreSQL's default is 100),
// beside other clients: enough for the Concurrency cases to race, few
// enough that test handles never crowd the server.
const testPool = 8

// openFresh connects to CLIENTELE_POSTGRES_DSN, creates a schema of its own
// for this test run (dropped afterwards) and returns a handle whose
// connections use it, with extra runtime parameters (such as
// default_transaction_isolation) set.
func openFresh(t testing.TB, params map[string]string) *sql.DB {
	t.Helper()
	db, _ := openFreshDSN(t, params)
	return db
}

// openFreshDSN is openFresh that also returns the DSN of the handle, to open
// more handles on the same schema.
func openFreshDSN(t testing.TB, params map[string]string) (*sql.DB, string) {
	t.Helper()
	dsn := os.Getenv("CLIENTELE_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CLIENTELE_POSTGRES_DSN is not set: skipping the PostgreSQL tests (.ci/run sets it, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	admin, err := postgres.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	admin.SetMaxIdleConns(0) // no connection held between creating and dropping
	t.Cleanup(func() { admin.Close() })
	schema := "clientele_test_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("CLIENTELE_POSTGRES_DSN must be a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	db, err := postgres.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(testPool)
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return db, u.String()
}

func TestConformance(t *testing.T) {
	for _, iso := range []string{"read committed", "serializable"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			db := openFresh(t, map[string]string{"default_transaction_isolation": iso})
			sqltest.Conformance(t, db, postgres.Dialect)
		})
	}
}

func TestServiceRaces(t *testing.T) {
	for _, iso := range []string{"read committed", "serializable"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			sqltest.ServiceRaces(t, openFresh(t, map[string]string{"default_transaction_isolation": iso}), postgres.Dialect)
		})
	}
}

// TestOutbox runs the outbox's engine tests at READ COMMITTED, where each
// statement sees the latest commits, and at SERIALIZABLE, where a Claim
// whose snapshot predates another's numbering fails on the sequencer's
// lock and Atomic runs it again.
func TestOutbox(t *testing.T) {
	for _, iso := range []string{"read committed", "serializable"} {
		t.Run(strings.ReplaceAll(iso, " ", "_"), func(t *testing.T) {
			sqltest.Outbox(t, engineWith(t, map[string]string{"default_transaction_isolation": iso}))
		})
	}
}

func TestListAllocations(t *testing.T) {
	sqltest.ListAllocations(t, sqltest.Engine{Dialect: postgres.Dialect, DB: openFresh(t, nil), Analyze: `ANALYZE {{table}}`})
}
